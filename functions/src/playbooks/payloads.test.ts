import { describe, expect, it } from 'vitest';
import { emailMessage, genericEvent, isolationRequest, slackMessage, ticketRequest, type AlertView, type RunView } from './payloads';

const alert: AlertView = {
  id: 'alert-1',
  title: 'Brute force from 185.234.72.91 (NL)',
  severity: 'HIGH',
  status: 'OPEN',
  eventType: 'brute_force',
  sourceIp: '185.234.72.91',
  sourceCountry: 'NL',
  destinationIp: '10.0.0.100',
  occurrences: 3,
  maxRiskScore: 78,
  mitre: [{ id: 'T1110', name: 'Brute Force', tactic: 'credential-access' }],
  firstSeen: new Date('2026-01-01T12:00:00Z'),
  lastSeen: new Date('2026-01-01T12:05:00Z'),
  assignee: null,
};
const run: RunView = {
  runId: 'run-1',
  stepIndex: 1,
  playbookId: 'brute-force-response',
  playbookVersion: 1,
  playbookName: 'Brute-force response',
  trigger: 'auto',
};
const at = new Date('2026-01-01T12:06:00Z');

describe('slackMessage', () => {
  it('is a Slack incoming-webhook payload with a text fallback and blocks', () => {
    const message = slackMessage(alert, run);
    expect(message.text).toContain('[HIGH] Brute force from 185.234.72.91 (NL)');
    expect(message.text).toContain('Brute-force response');
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(JSON.stringify(message.blocks)).toContain('T1110 Brute Force');
  });

  it('escapes what Slack reads as markup', () => {
    const message = slackMessage({ ...alert, title: 'x <script> & <!channel>' }, run);
    expect(message.text).toContain('x &lt;script&gt; &amp; &lt;!channel&gt;');
    expect(message.text).not.toContain('<!channel>');
  });
});

describe('webhook bodies', () => {
  it('a generic event carries the alert and the run', () => {
    expect(genericEvent(alert, run, 'run-1:1', at)).toMatchObject({
      type: 'threatstream.alert.notification',
      id: 'run-1:1',
      occurredAt: '2026-01-01T12:06:00.000Z',
      alert: { id: 'alert-1', severity: 'HIGH', sourceIp: '185.234.72.91', destinationIp: '10.0.0.100', firstSeen: '2026-01-01T12:00:00.000Z' },
      run: { id: 'run-1', step: 1, playbook: { id: 'brute-force-response', version: 1 }, trigger: 'auto' },
    });
  });

  it('an isolation request names the host and why', () => {
    expect(isolationRequest(alert, run, '10.0.0.42', 'run-1:1', at)).toMatchObject({
      type: 'threatstream.edr.isolate_host',
      host: '10.0.0.42',
      reason: expect.stringContaining('risk 78/100'),
    });
  });

  it('a ticket has a title, a description, the priority and labels', () => {
    const ticket = ticketRequest(alert, run, { priority: 'P2', queue: 'soc' }, 'run-1:1', at);
    expect(ticket).toMatchObject({ title: '[HIGH] Brute force from 185.234.72.91 (NL)', priority: 'P2', queue: 'soc', labels: ['threatstream', 'brute_force', 'high'] });
    expect(ticket.description).toContain('3 threat(s) between 2026-01-01T12:00:00.000Z and 2026-01-01T12:05:00.000Z');
  });
});

describe('emailMessage', () => {
  it('has a subject, a text and an HTML body', () => {
    const message = emailMessage(alert, run, '[ThreatStream]');
    expect(message.subject).toBe('[ThreatStream] HIGH: Brute force from 185.234.72.91 (NL)');
    expect(message.text).toContain('Source: 185.234.72.91 (NL)');
    expect(message.html).toContain('<th align="left">MITRE ATT&amp;CK</th><td>T1110 Brute Force</td>');
  });

  it('escapes HTML from the alert', () => {
    const message = emailMessage({ ...alert, title: '<img src=x onerror=alert(1)>' }, run, '[TS]');
    expect(message.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(message.html).not.toContain('<img');
  });
});
