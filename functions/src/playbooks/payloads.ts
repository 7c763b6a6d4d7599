import type { EventType, Severity } from '../domain/event';
import type { MitreTechnique } from '../domain/threat';

// What the actions send: Slack messages, generic webhook events, EDR and ticketing requests and
// e-mails, built from an alert. Pure, so the shapes are tested without a server.

export interface AlertView {
  id: string;
  title: string;
  severity: Severity;
  status: string;
  eventType: EventType;
  sourceIp: string;
  sourceCountry?: string;
  destinationIp?: string;
  occurrences: number;
  maxRiskScore: number;
  mitre: MitreTechnique[];
  firstSeen: Date;
  lastSeen: Date;
  assignee: string | null;
}

export interface RunView {
  runId: string;
  stepIndex: number;
  playbookId: string;
  playbookVersion: number;
  playbookName: string;
  trigger: 'auto' | 'manual';
}

const SEVERITY_MARK: Record<Severity, string> = {
  CRITICAL: ':red_circle:',
  HIGH: ':large_orange_circle:',
  MEDIUM: ':large_yellow_circle:',
  LOW: ':large_blue_circle:',
  INFO: ':white_circle:',
};

function techniques(alert: AlertView): string {
  return alert.mitre.length === 0 ? 'none mapped' : alert.mitre.map((t) => `${t.id} ${t.name}`).join(', ');
}

/** Slack's mrkdwn treats &, < and > as control characters. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack incoming-webhook message: `text` for notifications, `blocks` for the channel. */
export function slackMessage(alert: AlertView, run: RunView): { text: string; blocks: unknown[] } {
  const headline = `${SEVERITY_MARK[alert.severity]} [${alert.severity}] ${alert.title}`;
  return {
    text: slackEscape(`${headline} (playbook: ${run.playbookName})`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `[${alert.severity}] ${alert.title}`.slice(0, 150) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Source*\n${slackEscape(alert.sourceIp)}${alert.sourceCountry ? ` (${alert.sourceCountry})` : ''}` },
          { type: 'mrkdwn', text: `*Type*\n${alert.eventType}` },
          { type: 'mrkdwn', text: `*Occurrences*\n${alert.occurrences}` },
          { type: 'mrkdwn', text: `*Max risk*\n${alert.maxRiskScore}/100` },
          { type: 'mrkdwn', text: `*MITRE ATT&amp;CK*\n${slackEscape(techniques(alert))}` },
          { type: 'mrkdwn', text: `*Status*\n${alert.status}${alert.assignee ? ` → ${slackEscape(alert.assignee)}` : ''}` },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: slackEscape(
              `Playbook ${run.playbookName} v${run.playbookVersion} (${run.trigger}) · alert ${alert.id} · run ${run.runId}`,
            ),
          },
        ],
      },
    ],
  };
}

function alertJson(alert: AlertView) {
  return {
    id: alert.id,
    title: alert.title,
    severity: alert.severity,
    status: alert.status,
    eventType: alert.eventType,
    sourceIp: alert.sourceIp,
    sourceCountry: alert.sourceCountry ?? null,
    destinationIp: alert.destinationIp ?? null,
    occurrences: alert.occurrences,
    maxRiskScore: alert.maxRiskScore,
    mitre: alert.mitre,
    firstSeen: alert.firstSeen.toISOString(),
    lastSeen: alert.lastSeen.toISOString(),
    assignee: alert.assignee,
  };
}

function runJson(run: RunView) {
  return {
    id: run.runId,
    step: run.stepIndex,
    playbook: { id: run.playbookId, version: run.playbookVersion, name: run.playbookName },
    trigger: run.trigger,
  };
}

/** A generic webhook event: the alert and the run that sent it. */
export function genericEvent(alert: AlertView, run: RunView, deliveryId: string, at: Date) {
  return {
    type: 'threatstream.alert.notification',
    id: deliveryId,
    occurredAt: at.toISOString(),
    alert: alertJson(alert),
    run: runJson(run),
  };
}

/** A request to the EDR to network-isolate one host. */
export function isolationRequest(alert: AlertView, run: RunView, host: string, deliveryId: string, at: Date) {
  return {
    type: 'threatstream.edr.isolate_host',
    id: deliveryId,
    occurredAt: at.toISOString(),
    host,
    reason: `${alert.title} (${alert.severity}, ${alert.occurrences} threat(s), risk ${alert.maxRiskScore}/100)`,
    alert: alertJson(alert),
    run: runJson(run),
  };
}

/** A request to the ticketing system to open a case. */
export function ticketRequest(
  alert: AlertView,
  run: RunView,
  options: { priority: string; queue?: string },
  deliveryId: string,
  at: Date,
) {
  return {
    type: 'threatstream.ticket.create',
    id: deliveryId,
    occurredAt: at.toISOString(),
    title: `[${alert.severity}] ${alert.title}`,
    description: [
      `${alert.title}: ${alert.occurrences} threat(s) between ${alert.firstSeen.toISOString()} and ${alert.lastSeen.toISOString()}.`,
      `Maximum risk score ${alert.maxRiskScore}/100. MITRE ATT&CK: ${techniques(alert)}.`,
      `Opened by playbook ${run.playbookName} v${run.playbookVersion} (${run.trigger} run ${run.runId}).`,
    ].join('\n'),
    priority: options.priority,
    queue: options.queue ?? null,
    labels: ['threatstream', alert.eventType, alert.severity.toLowerCase()],
    alert: alertJson(alert),
    run: runJson(run),
  };
}

function htmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The `message` of a Trigger Email extension document. */
export function emailMessage(alert: AlertView, run: RunView, subjectPrefix: string) {
  const rows: [string, string][] = [
    ['Severity', alert.severity],
    ['Type', alert.eventType],
    ['Source', `${alert.sourceIp}${alert.sourceCountry ? ` (${alert.sourceCountry})` : ''}`],
    ['Occurrences', String(alert.occurrences)],
    ['Max risk score', `${alert.maxRiskScore}/100`],
    ['MITRE ATT&CK', techniques(alert)],
    ['First seen', alert.firstSeen.toISOString()],
    ['Last seen', alert.lastSeen.toISOString()],
    ['Alert', alert.id],
    ['Playbook', `${run.playbookName} v${run.playbookVersion} (${run.trigger} run ${run.runId})`],
  ];
  const subject = `${subjectPrefix} ${alert.severity}: ${alert.title}`.slice(0, 200);
  const text = [`${alert.title}`, '', ...rows.map(([name, value]) => `${name}: ${value}`)].join('\n');
  const html =
    `<h2>${htmlEscape(alert.title)}</h2>\n<table>\n` +
    rows.map(([name, value]) => `  <tr><th align="left">${htmlEscape(name)}</th><td>${htmlEscape(value)}</td></tr>`).join('\n') +
    '\n</table>';
  return { subject, text, html };
}
