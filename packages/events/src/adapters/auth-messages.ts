import type { NormalizedEvent } from '../schema.js';
import { isIp, toPort } from '../util.js';

// OpenSSH (sshd, and sshd-session since 9.8) messages, as auth.c / sshd.c / packet.c write them.
const SSH_LOGIN = /^(Failed|Accepted|Postponed) (\S+) for (invalid user )?(.*?) from (\S+) port (\d+)(?: ssh2)?(?:: (.*))?$/;
const SSH_INVALID_USER = /^Invalid user (.*?) from (\S+)(?: port (\d+))?$/;
const SSH_CLOSED = /^(Connection closed|Disconnected|Connection reset) (?:by|from) (?:(authenticating|invalid) user (.*?) )?(\S+) port (\d+)(?: \[preauth\])?$/;
const SSH_RECEIVED_DISCONNECT = /^Received disconnect from (\S+?)(?: port (\d+))?:\s*(\d+):\s*(.*?)\s*(\[preauth\])?$/;
const SSH_NO_IDENT = /^Did not receive identification string from (\S+)(?: port (\d+))?/;
const SSH_MAX_ATTEMPTS = /^(?:error: )?maximum authentication attempts exceeded for (invalid user )?(.*?) from (\S+) port (\d+)/;
const SSH_BANNER = /^(?:error: )?(?:kex_exchange_identification|Bad protocol version identification|banner exchange)[:\s].*?(?:from )?(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]+:[0-9a-f:]*)(?: port (\d+))?/i;
// PAM: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root
const PAM_FAILURE = /^(?:pam_unix\(([^:)]+):auth\): authentication failure|PAM (\d+) more authentication failures?);(.*)$/;
const PAM_SESSION = /^pam_unix\(([^:)]+):session\): session (opened|closed) for user (\S+?)(?:\(uid=\d+\))?(?: by (\S*?)(?:\(uid=(\d+)\))?)?$/;
// sudo: "user : [reason ; ]TTY=… ; PWD=… ; USER=… ; COMMAND=…"
const SUDO = /^\s*(\S+) : (.*)$/;
// su (shadow-utils and util-linux).
const SU_SHADOW = /^(Successful|FAILED) su for (\S+) by (\S+)/;
const SU_UTIL_LINUX = /^(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)/;

function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)=(\S*)/g)) out[match[1]!] = match[2]!;
  return out;
}

function setSource(event: NormalizedEvent, ip: string | undefined, port?: string) {
  if (!ip || !isIp(ip)) return;
  event.source = { ip };
  const p = toPort(port);
  if (p !== undefined) event.source.port = p;
}

function auth(event: NormalizedEvent, action: string, outcome: 'success' | 'failure' | 'unknown', type: string[] = ['info']) {
  event.event.category = ['authentication'];
  event.event.type = type;
  event.event.action = action;
  event.event.outcome = outcome;
}

/** Reads what an sshd, sudo, su or PAM message says into ECS fields. Unknown messages stay as they are. */
export function parseAuthMessage(event: NormalizedEvent, appname: string, message: string): void {
  if (appname === 'sshd' || appname === 'sshd-session') {
    if (sshd(event, message)) {
      (event.network ??= {}).protocol = 'ssh';
      return;
    }
  }
  if (appname === 'sudo' && sudo(event, message)) return;
  if ((appname === 'su' || appname === 'su-l') && su(event, message)) return;
  pam(event, message);
}

function sshd(event: NormalizedEvent, message: string): boolean {
  let m = SSH_LOGIN.exec(message);
  if (m) {
    const [, verdict, method, invalid, user, ip, port, key] = m;
    auth(event, `ssh_login`, verdict === 'Accepted' ? 'success' : verdict === 'Failed' ? 'failure' : 'unknown', verdict === 'Accepted' ? ['start'] : ['info']);
    event.user = { name: user! };
    setSource(event, ip, port);
    event.labels = { auth_method: method! };
    if (invalid) event.labels.invalid_user = 'true';
    if (key) event.labels.key = key;
    return true;
  }
  m = SSH_INVALID_USER.exec(message);
  if (m) {
    auth(event, 'ssh_invalid_user', 'failure');
    event.user = { name: m[1]! };
    setSource(event, m[2], m[3]);
    event.labels = { invalid_user: 'true' };
    return true;
  }
  m = SSH_CLOSED.exec(message);
  if (m) {
    const [, what, userKind, user, ip, port] = m;
    const preauth = message.endsWith('[preauth]');
    auth(event, what === 'Disconnected' ? 'ssh_disconnected' : 'ssh_connection_closed', preauth || userKind ? 'failure' : 'unknown', ['end']);
    if (user !== undefined) event.user = { name: user };
    setSource(event, ip, port);
    event.labels = { preauth: String(preauth) };
    if (userKind === 'invalid') event.labels.invalid_user = 'true';
    return true;
  }
  m = SSH_RECEIVED_DISCONNECT.exec(message);
  if (m) {
    auth(event, 'ssh_disconnect_received', m[5] ? 'failure' : 'unknown', ['end']);
    setSource(event, m[1], m[2]);
    event.event.reason = `${m[3]}: ${m[4]}`.trim();
    event.labels = { preauth: String(Boolean(m[5])) };
    return true;
  }
  m = SSH_MAX_ATTEMPTS.exec(message);
  if (m) {
    auth(event, 'ssh_max_auth_attempts', 'failure');
    event.user = { name: m[2]! };
    setSource(event, m[3], m[4]);
    if (m[1]) event.labels = { invalid_user: 'true' };
    return true;
  }
  m = SSH_NO_IDENT.exec(message) ?? SSH_BANNER.exec(message);
  if (m) {
    // A client that connects and never speaks SSH: typical of scanners.
    auth(event, 'ssh_no_identification', 'failure');
    setSource(event, m[1], m[2]);
    return true;
  }
  return pam(event, message);
}

function pam(event: NormalizedEvent, message: string): boolean {
  let m = PAM_FAILURE.exec(message);
  if (m) {
    const fields = keyValues(m[3]!);
    auth(event, m[2] ? 'pam_repeated_failures' : 'pam_auth_failure', 'failure');
    if (fields.user) event.user = { name: fields.user };
    setSource(event, fields.rhost);
    if (m[1]) event.labels = { ...event.labels, pam_service: m[1] };
    if (m[2]) event.labels = { ...event.labels, failures: m[2] };
    if (fields.ruser || fields.logname) event.labels = { ...event.labels, requesting_user: fields.ruser || fields.logname! };
    return true;
  }
  m = PAM_SESSION.exec(message);
  if (m) {
    event.event.category = ['session'];
    event.event.type = [m[2] === 'opened' ? 'start' : 'end'];
    event.event.action = `session_${m[2]}`;
    event.event.outcome = 'success';
    event.user = { name: m[3]! };
    event.labels = { ...event.labels, pam_service: m[1]! };
    if (m[4]) event.labels.by_user = m[4];
    return true;
  }
  return false;
}

function sudo(event: NormalizedEvent, message: string): boolean {
  const m = SUDO.exec(message);
  if (!m) return pam(event, message);
  const [, user, rest] = m;
  const parts = rest!.split(' ; ');
  const fields: Record<string, string> = {};
  const reasons: string[] = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq > 0 && /^[A-Z]+$/.test(part.slice(0, eq))) fields[part.slice(0, eq)] = part.slice(eq + 1);
    else reasons.push(part.trim());
  }
  if (!fields.COMMAND && !reasons.length) return false;
  event.event.category = ['process', 'iam'];
  event.event.type = ['start', 'admin'];
  event.event.action = 'sudo';
  event.event.outcome = reasons.length ? 'failure' : 'success';
  if (reasons.length) event.event.reason = reasons.join('; ');
  event.user = { name: user! };
  if (fields.USER) event.user.target = { name: fields.USER };
  if (fields.COMMAND) event.process = { ...event.process, command_line: fields.COMMAND };
  event.labels = { ...event.labels };
  if (fields.TTY) event.labels.tty = fields.TTY;
  if (fields.PWD) event.labels.pwd = fields.PWD;
  return true;
}

function su(event: NormalizedEvent, message: string): boolean {
  let m = SU_SHADOW.exec(message);
  if (m) {
    event.event.category = ['authentication', 'iam'];
    event.event.type = ['start', 'admin'];
    event.event.action = 'su';
    event.event.outcome = m[1] === 'Successful' ? 'success' : 'failure';
    event.user = { name: m[3]!, target: { name: m[2]! } };
    return true;
  }
  m = SU_UTIL_LINUX.exec(message);
  if (m) {
    event.event.category = ['authentication', 'iam'];
    event.event.type = ['start', 'admin'];
    event.event.action = 'su';
    event.event.outcome = m[1] ? 'failure' : 'success';
    event.user = { name: m[3]!, target: { name: m[2]! } };
    event.labels = { tty: m[4]! };
    return true;
  }
  return pam(event, message);
}
