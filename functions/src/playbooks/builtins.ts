import { PlaybookSchema, type Playbook, type PlaybookInput } from '../domain/playbook';

// The playbooks ThreatStream ships with. They are seeded into playbooks/{id} (see store.ts):
// raise `version` whenever a definition changes, and the next instance to start stores it.

const BUILTIN_INPUTS: readonly PlaybookInput[] = [
  {
    id: 'brute-force-response',
    version: 1,
    name: 'Brute-force response',
    description:
      'Blocks the attacking address at the edge for 24 hours and tells the SOC channel and mailbox. ' +
      'An internal or critical-asset source is refused by block_ip (recorded as a failed step) and the team is still told.',
    trigger: { severities: ['CRITICAL', 'HIGH'], eventTypes: ['brute_force', 'suspicious_login'], minOccurrences: 1 },
    auto: true,
    steps: [
      { action: 'block_ip', params: { target: 'source', ttlHours: 24 }, timeoutMs: 10_000 },
      { action: 'notify_webhook', params: { format: 'slack' }, timeoutMs: 20_000 },
      { action: 'notify_email', timeoutMs: 10_000 },
    ],
  },
  {
    id: 'ransomware-containment',
    version: 1,
    name: 'Ransomware containment',
    description:
      'Isolates the affected internal host through the EDR, blocks the external peer, raises the alert to CRITICAL for ' +
      'incident response, opens a P1 ticket and pages the team.',
    trigger: { severities: ['CRITICAL', 'HIGH'], eventTypes: ['ransomware'], minOccurrences: 1 },
    auto: true,
    steps: [
      { action: 'isolate_host', params: { target: 'internal' }, timeoutMs: 30_000 },
      { action: 'block_ip', params: { target: 'external', ttlHours: 72 }, timeoutMs: 10_000 },
      { action: 'escalate', params: { severity: 'CRITICAL', assignee: 'incident-response' }, timeoutMs: 10_000 },
      { action: 'create_ticket', params: { priority: 'P1', queue: 'incident-response' }, timeoutMs: 30_000 },
      { action: 'notify_webhook', params: { format: 'slack' }, timeoutMs: 20_000 },
      { action: 'notify_email', params: { subjectPrefix: '[ThreatStream][RANSOMWARE]' }, timeoutMs: 10_000 },
    ],
  },
  {
    id: 'data-exfiltration-response',
    version: 1,
    name: 'Data exfiltration response',
    description:
      'Cuts the channel first (blocks the external receiver for 72 hours), then isolates the internal sender, ' +
      'hands the case to data protection with a ticket and notifies the SOC systems.',
    trigger: { severities: ['CRITICAL', 'HIGH'], eventTypes: ['data_exfiltration'], minOccurrences: 1 },
    auto: true,
    steps: [
      { action: 'block_ip', params: { target: 'external', ttlHours: 72 }, timeoutMs: 10_000 },
      { action: 'isolate_host', params: { target: 'internal' }, timeoutMs: 30_000 },
      { action: 'escalate', params: { assignee: 'data-protection' }, timeoutMs: 10_000 },
      { action: 'create_ticket', params: { queue: 'data-protection' }, timeoutMs: 30_000 },
      { action: 'notify_webhook', params: { format: 'generic' }, timeoutMs: 20_000 },
      { action: 'notify_email', timeoutMs: 10_000 },
    ],
  },
  {
    id: 'ddos-mitigation',
    version: 2,
    name: 'DDoS mitigation',
    description:
      'Once a flood has produced three threats from one source, blocks that source for one hour (short: DDoS sources ' +
      'are often shared), tells the SOC channel and opens a ticket for the network team. A flood whose source may be ' +
      'spoofed (UDP, ICMP, or no completed handshake) is blocked only once a responder approves it.',
    trigger: { severities: ['CRITICAL', 'HIGH'], eventTypes: ['ddos'], minOccurrences: 3 },
    auto: true,
    steps: [
      { action: 'block_ip', params: { target: 'source', ttlHours: 1 }, timeoutMs: 10_000 },
      { action: 'notify_webhook', params: { format: 'slack' }, timeoutMs: 20_000 },
      { action: 'create_ticket', params: { queue: 'network-operations' }, timeoutMs: 30_000 },
    ],
  },
  {
    id: 'malware-containment',
    version: 1,
    name: 'Malware containment',
    description:
      'Isolates the infected internal host, blocks its command-and-control peer for 72 hours, assigns incident ' +
      'response, opens a ticket and tells the SOC channel. A failed isolation does not stop the run: the ticket ' +
      'and the channel message make sure people hear about it.',
    trigger: { severities: ['CRITICAL', 'HIGH'], eventTypes: ['malware', 'c2_beacon'], minOccurrences: 1 },
    auto: true,
    steps: [
      { action: 'isolate_host', params: { target: 'internal' }, timeoutMs: 30_000 },
      { action: 'block_ip', params: { target: 'external', ttlHours: 72 }, timeoutMs: 10_000 },
      { action: 'escalate', params: { assignee: 'incident-response' }, timeoutMs: 10_000 },
      { action: 'create_ticket', params: { queue: 'incident-response' }, timeoutMs: 30_000 },
      { action: 'notify_webhook', params: { format: 'slack' }, timeoutMs: 20_000 },
    ],
  },
  {
    id: 'sustained-attack-escalation',
    version: 1,
    name: 'Sustained attack escalation',
    description:
      'Any HIGH or CRITICAL alert that keeps growing (25 threats) is raised to CRITICAL, given to the on-call ' +
      'responder and announced in the SOC channel.',
    trigger: { severities: ['CRITICAL', 'HIGH'], eventTypes: [], minOccurrences: 25 },
    auto: true,
    steps: [
      { action: 'escalate', params: { severity: 'CRITICAL', assignee: 'soc-oncall' }, timeoutMs: 10_000 },
      { action: 'notify_webhook', params: { format: 'slack' }, timeoutMs: 20_000 },
    ],
  },
  {
    id: 'open-investigation',
    version: 1,
    name: 'Open an investigation',
    description:
      'Manual only: opens a ticket and mails the SOC mailbox with the alert, for a responder who wants a case ' +
      'without any containment.',
    trigger: { severities: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'], eventTypes: [], minOccurrences: 1 },
    auto: false,
    steps: [
      { action: 'create_ticket', timeoutMs: 30_000, onFailure: 'stop' },
      { action: 'notify_email', timeoutMs: 10_000 },
    ],
  },
];

/** The built-in playbooks, validated (a bad edit here fails at import, and in the unit tests). */
export const BUILTIN_PLAYBOOKS: readonly Playbook[] = BUILTIN_INPUTS.map((input) => PlaybookSchema.parse(input));
