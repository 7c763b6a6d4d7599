import {
  displayText,
  fieldNames,
  formatCount,
  logScale,
  noisyOr,
  readCount,
  readFlag,
  readText,
  readTextList,
  type Payload,
} from '../evidence';
import { SHOWN_TEXT, type Evidence, type Finding } from './finding';

const SENDER = fieldNames('sender', 'from', 'from_address', 'sender_email', 'email_from', 'mail_from');
const SUBJECT = fieldNames('subject', 'email_subject');
const LINKS = fieldNames('urls', 'url', 'links', 'link');
const ATTACHMENTS = fieldNames('attachments', 'attachment', 'attachment_name', 'attachment_names', 'filename', 'file_name');
const RECIPIENTS = fieldNames('recipients', 'recipient_count', 'to', 'recipient');
const CLICKED = fieldNames('clicked', 'link_clicked', 'user_clicked', 'url_clicked');
const OPENED = fieldNames('attachment_opened', 'opened_attachment', 'executed', 'opened');
const CREDENTIALS_SUBMITTED = fieldNames('credentials_submitted', 'credentials_entered', 'submitted_credentials', 'password_entered');
const SENDER_AUTHENTICATION = fieldNames('spf', 'dkim', 'dmarc', 'authentication', 'auth_result');
const RISKY_ATTACHMENT = /\.(?:exe|scr|com|pif|js|jse|vbs|vbe|wsf|hta|lnk|iso|img|vhdx?|docm|xlsm|pptm|one|bat|cmd|ps1|msi|jar|html?|svg)$/i;
const AUTHENTICATION_FAILED = /\b(?:fail|softfail|none|permerror|temperror)\b/i;

/** Phishing: the message, its links and attachments, and what the recipients did. */
export function analysePhishing(payload: Payload): Finding {
  const sender = readText(payload, SENDER, 256);
  const subject = readText(payload, SUBJECT, 256);
  const links = readTextList(payload, LINKS);
  const attachments = readTextList(payload, ATTACHMENTS);
  const recipients = readCount(payload, RECIPIENTS) ?? (readText(payload, RECIPIENTS) !== undefined ? 1 : undefined);
  const clicked = readFlag(payload, CLICKED) === true;
  const opened = readFlag(payload, OPENED) === true;
  const credentials = readFlag(payload, CREDENTIALS_SUBMITTED) === true;
  const authentication = readText(payload, SENDER_AUTHENTICATION, 64);
  const authenticationFailed = authentication !== undefined && AUTHENTICATION_FAILED.test(authentication);
  const riskyAttachment = attachments?.find((name) => RISKY_ATTACHMENT.test(name));

  const evidence: Evidence = {};
  if (sender !== undefined) evidence.sender = displayText(sender, SHOWN_TEXT);
  if (subject !== undefined) evidence.subject = displayText(subject, SHOWN_TEXT);
  if (links !== undefined) evidence.links = displayText(links.join(' '), SHOWN_TEXT);
  if (attachments !== undefined) evidence.attachments = displayText(attachments.join(', '), SHOWN_TEXT);
  if (riskyAttachment !== undefined) evidence.risky_attachment = displayText(riskyAttachment, SHOWN_TEXT);
  if (recipients !== undefined) evidence.recipients = recipients;
  if (authentication !== undefined) evidence.sender_authentication = displayText(authentication, 64);
  if (clicked) evidence.link_clicked = true;
  if (opened) evidence.attachment_opened = true;
  if (credentials) evidence.credentials_submitted = true;

  const parts: string[] = [];
  if (sender !== undefined) parts.push(`from ${displayText(sender, 64)}`);
  if (subject !== undefined) parts.push(`"${displayText(subject, 64)}"`);
  if (riskyAttachment !== undefined) parts.push(`with risky attachment ${displayText(riskyAttachment, 48)}`);
  else if (attachments !== undefined) parts.push(`with ${attachments.length} attachment(s)`);
  if (links !== undefined) parts.push(`with ${links.length} link(s)`);
  if (recipients !== undefined && recipients > 1) parts.push(`to ${formatCount(recipients)} recipients`);
  if (authenticationFailed) parts.push('failing sender authentication');
  const outcomes = [clicked && 'link clicked', opened && 'attachment opened', credentials && 'credentials submitted'].filter(Boolean);
  if (outcomes.length > 0) parts.push(`— ${outcomes.join(', ')}`);

  const actions = ['Purge the message from every mailbox and block the sender and its links'];
  if (credentials) actions.unshift('Reset the password of every user who submitted credentials and revoke their sessions');
  if (opened) actions.unshift('Isolate the hosts where the attachment was opened');
  actions.push('Warn the recipients and report the links to the mail and web filters');

  return {
    category: credentials ? 'credential_phishing' : 'phishing',
    headline: 'Phishing email',
    detail: parts.length > 0 ? parts.join(' ') : undefined,
    evidence,
    strength: noisyOr(
      links !== undefined ? 0.3 : 0,
      riskyAttachment !== undefined ? 0.5 : attachments !== undefined ? 0.2 : 0,
      authenticationFailed ? 0.4 : 0,
      0.3 * logScale(recipients, 2, 500),
      clicked ? 0.6 : 0,
      opened ? 0.7 : 0,
      credentials ? 0.85 : 0,
    ),
    techniques: {
      phishingAttachment: attachments !== undefined,
      phishingLink: links !== undefined,
      linkClicked: clicked,
      attachmentOpened: opened,
    },
    actions,
  };
}
