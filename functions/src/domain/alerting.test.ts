import { parseRecord, toSecurityEvent } from '@threatstream/events';
import { describe, expect, it } from 'vitest';
import { combineRisk } from '../analysis/combine';
import { alertingSeverity, alertingSeverityOf, approvalConditions, handshakeEvidence, mayBeSpoofed, rulesSeverity, type ThreatFacts } from './alerting';
import { approvalReasons } from './playbook';
import type { Analysis, Risk } from './threat';

const rulesRisk = (score: number): Risk => ({
  score,
  severity: score >= 85 ? 'CRITICAL' : score >= 65 ? 'HIGH' : score >= 40 ? 'MEDIUM' : score >= 20 ? 'LOW' : 'INFO',
  factors: [{ name: 'base', contribution: score, detail: '' }],
});
const rules = (confidence: number): Analysis => ({
  engine: 'rules',
  summary: '',
  category: 'brute_force',
  confidence,
  mitre: [],
  evidence: {},
  evidenceStrength: 0.5,
  recommendedActions: [],
});
const opinion = (severity: 'LOW' | 'CRITICAL', confidence: number) => ({
  answer: { severity, confidence, category: 'brute_force', summary: 's', mitreTechniques: [], recommendedActions: [] } as never,
  model: 'm',
  cached: false,
});

describe('the alert decision rests on the rules severity; the model only adds', () => {
  it.each([65, 70, 72, 79])('rules %i (HIGH) lowered by the model to MEDIUM still alerts as HIGH', (score) => {
    const lowered = combineRisk(rulesRisk(score), rules(0.9), opinion('LOW', 0.99));
    expect(lowered.score).toBe(score - 15);
    expect(lowered.severity).toBe('MEDIUM');
    expect(rulesSeverity(lowered)).toBe('HIGH');
    expect(alertingSeverity(lowered)).toBe('HIGH');
    // The raw document the trigger reads says the same.
    expect(alertingSeverityOf(JSON.parse(JSON.stringify({ risk: lowered })))).toBe('HIGH');
  });

  it('a raise counts: MEDIUM raised to HIGH alerts as HIGH', () => {
    const raised = combineRisk(rulesRisk(50), rules(0.3), opinion('CRITICAL', 0.95));
    expect(raised.severity).not.toBe('MEDIUM');
    expect(alertingSeverity(raised)).toBe(raised.severity);
    expect(rulesSeverity(raised)).toBe('MEDIUM');
  });

  it('without a model factor the stored severity is the rules severity', () => {
    expect(rulesSeverity({ score: 10, severity: 'HIGH', factors: [] })).toBe('HIGH');
    expect(alertingSeverityOf({ risk: { severity: 'LOW' } })).toBe('LOW');
    expect(alertingSeverityOf({ risk: { severity: 'nope' } })).toBeUndefined();
    expect(alertingSeverityOf(undefined)).toBeUndefined();
  });
});

const facts = (overrides: Partial<ThreatFacts> = {}): ThreatFacts => ({
  event_type: 'brute_force',
  protocol: 'TCP',
  payload: {},
  risk: rulesRisk(70),
  rules: rules(0.9),
  ...overrides,
});

describe('approval conditions', () => {
  it('model_raised: HIGH only because of the model; its destructive steps wait', () => {
    const raised = combineRisk(rulesRisk(50), rules(0.9), opinion('CRITICAL', 0.99));
    expect(raised.severity).toBe('HIGH');
    const conditions = approvalConditions(facts({ risk: raised }));
    expect(conditions).toEqual(['model_raised']);
    expect(approvalReasons({ action: 'block_ip' }, conditions)).toEqual(['model_raised']);
    expect(approvalReasons({ action: 'isolate_host' }, conditions)).toEqual(['model_raised']);
    expect(approvalReasons({ action: 'escalate' }, conditions)).toEqual(['model_raised']);
    expect(approvalReasons({ action: 'notify_webhook' }, conditions)).toEqual([]);
    expect(approvalReasons({ action: 'create_ticket', approvalWhen: ['model_raised'] }, conditions)).toEqual(['model_raised']);
  });

  it('a rules HIGH is not model-raised, whatever the model added on top', () => {
    const raised = combineRisk(rulesRisk(70), rules(0.9), opinion('CRITICAL', 0.99));
    expect(approvalConditions(facts({ risk: raised }))).toEqual([]);
  });

  it('low rules confidence', () => {
    expect(approvalConditions(facts({ rules: rules(0.3) }))).toEqual(['low_rules_confidence']);
    expect(approvalConditions(facts({ rules: rules(0.5) }))).toEqual([]);
  });

  it.each([
    ['UDP flood', { event_type: 'ddos', protocol: 'UDP' }, true],
    ['ICMP anything', { event_type: 'port_scan', protocol: 'icmp' }, true],
    ['SYN flood: no completed handshake', { event_type: 'ddos', protocol: 'TCP' }, true],
    ['HTTP flood: requests need a handshake', { event_type: 'ddos', protocol: 'TCP', rules: { confidence: 0.9, evidence: { requests_per_second: 900 } } }, false],
    ['handshake seen', { event_type: 'ddos', protocol: 'TCP', payload: { handshake_completed: true } }, false],
    ['TCP brute force', { event_type: 'brute_force', protocol: 'TCP' }, false],
  ] as const)('spoofable source: %s → %s', (_name, overrides, expected) => {
    expect(mayBeSpoofed(facts(overrides as Partial<ThreatFacts>))).toBe(expected);
  });

  it('requiresApproval always waits; reasons are listed once', () => {
    expect(approvalReasons({ action: 'notify_email', requiresApproval: true }, [])).toEqual(['step_requires_approval']);
    expect(approvalReasons({ action: 'block_ip', requiresApproval: true, approvalWhen: ['model_raised'] }, ['model_raised'])).toEqual([
      'step_requires_approval',
      'model_raised',
    ]);
  });
});

/** A threat's facts from a sensor record as the bridge parses it (the real adapters). */
function fromSensor(record: object, eventType: string, format: 'suricata-eve' | 'zeek-json'): ThreatFacts {
  const parsed = parseRecord(JSON.stringify(record), { format });
  if (!parsed.ok) throw new Error(parsed.reason);
  const normalized = parsed.events[0]!;
  const event = toSecurityEvent(normalized);
  return facts({ event_type: eventType, protocol: event.protocol, payload: event.payload ?? {}, normalized });
}

const eveFlow = (flow: object, extra: object = {}) => ({
  timestamp: '2026-12-07T16:43:39.123456+0000',
  flow_id: 1234567,
  event_type: 'flow',
  src_ip: '10.0.0.33',
  src_port: 51515,
  dest_ip: '185.220.101.4',
  dest_port: 443,
  proto: 'TCP',
  flow: { pkts_toserver: 1200, pkts_toclient: 800, bytes_toserver: 90_000_000, bytes_toclient: 60_000, start: '2026-12-07T16:40:00.000000+0000', end: '2026-12-07T16:43:39.000000+0000', age: 219, reason: 'timeout', alerted: false, ...flow },
  ...extra,
});
const zeekConn = (state: string, proto = 'tcp') => ({
  ts: 1733589819.12,
  uid: 'CHhAvVGS1DHFjwGM9',
  'id.orig_h': '10.0.0.33',
  'id.orig_p': 51515,
  'id.resp_h': '185.220.101.4',
  'id.resp_p': 443,
  proto,
  conn_state: state,
  orig_pkts: 1200,
  resp_pkts: 800,
  orig_bytes: 90_000_000,
  resp_bytes: 60_000,
});

describe('spoofable source: a completed handshake is not spoofable, whatever the event type', () => {
  it.each([
    ['EVE flow established, packets both ways', eveFlow({ state: 'established' })],
    ['EVE flow closed, packets both ways', eveFlow({ state: 'closed' })],
    ['EVE flow with TLS on it', eveFlow({ state: 'new', pkts_toclient: 3 }, { app_proto: 'tls' })],
  ])('%s: a data exfiltration block does not wait', (_name, record) => {
    for (const type of ['data_exfiltration', 'ddos', 'port_scan']) {
      const threat = fromSensor(record, type, 'suricata-eve');
      expect(handshakeEvidence(threat)).toBeDefined();
      expect(mayBeSpoofed(threat)).toBe(false);
      expect(approvalConditions(threat)).not.toContain('spoofable_source');
    }
  });

  it.each(['SF', 'S1', 'S2', 'S3', 'RSTO', 'RSTR'])('Zeek conn_state %s', (state) => {
    const threat = fromSensor(zeekConn(state), 'ddos', 'zeek-json');
    expect(handshakeEvidence(threat)).toBe(`zeek conn_state ${state}`);
    expect(mayBeSpoofed(threat)).toBe(false);
  });

  it.each([
    ['payload handshake_completed', { payload: { handshake_completed: true } }],
    ['payload tcp_established', { payload: { tcp_established: true } }],
    ['payload Zeek conn_state', { payload: { conn_state: 'SF' } }],
    ['payload flow state and packets both ways', { payload: { flow_state: 'established', packets_toserver: 9, packets_toclient: 7 } }],
    ['an HTTPS upload', { payload: { method: 'HTTPS POST', url: 'https://sync-1a2b3c.cloudfiles.io/upload/9f' } }],
    ['HTTP fields', { payload: { http_method: 'GET', http_status: 200 } }],
    ['TLS SNI', { payload: { tls_sni: 'cdn.example.com' } }],
    ['protocol SSH', { protocol: 'SSH' }],
    ['protocol HTTP', { protocol: 'http' }],
    ['HTTP flood', { payload: { attack_vector: 'HTTP flood', requests_per_second: 900 } }],
    ['a detection over HTTP requests', { payload: { detection: { context: { url: 'https://shop.example/login', http_method: 'POST' } } } }],
  ] as const)('%s', (_name, overrides) => {
    for (const type of ['data_exfiltration', 'ddos']) {
      const threat = facts({ event_type: type, ...(overrides as Partial<ThreatFacts>) });
      expect(handshakeEvidence(threat)).toBeDefined();
      expect(mayBeSpoofed(threat)).toBe(false);
    }
  });
});

describe('spoofable source: connectionless, SYN-only and no-handshake evidence stay spoofable', () => {
  it.each([
    ['EVE flow: SYN only, nothing back', eveFlow({ state: 'new', pkts_toclient: 0, bytes_toclient: 0 })],
    ['EVE flow: new, no packets back', eveFlow({ state: 'new', pkts_toserver: 1, pkts_toclient: 0 })],
    ['EVE UDP flow established both ways', { ...eveFlow({ state: 'established' }), proto: 'UDP', dest_port: 53 }],
  ])('%s', (_name, record) => {
    for (const type of ['ddos', 'data_exfiltration', 'port_scan']) {
      const threat = fromSensor(record, type, 'suricata-eve');
      expect(mayBeSpoofed(threat)).toBe(true);
      expect(approvalConditions(threat)).toContain('spoofable_source');
    }
  });

  it('EVE flow established but with nothing from the server: a SYN answered by nobody', () => {
    const threat = fromSensor(eveFlow({ state: 'established', pkts_toclient: 0 }), 'ddos', 'suricata-eve');
    expect(handshakeEvidence(threat)).toBeUndefined();
    expect(mayBeSpoofed(threat)).toBe(true);
  });

  it.each(['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'])('Zeek conn_state %s', (state) => {
    for (const type of ['ddos', 'brute_force']) expect(mayBeSpoofed(fromSensor(zeekConn(state), type, 'zeek-json'))).toBe(true);
  });

  it('Zeek UDP "SF" is no handshake: UDP has none', () => {
    expect(mayBeSpoofed(fromSensor(zeekConn('SF', 'udp'), 'ddos', 'zeek-json'))).toBe(true);
  });

  it.each([
    ['UDP flood with requests', { protocol: 'UDP', payload: { attack_vector: 'UDP amplification (DNS)', requests_per_second: 50_000 } }],
    ['SYN flood counted in requests', { protocol: 'TCP', payload: { attack_vector: 'SYN flood', requests_per_second: 50_000 }, rules: { confidence: 0.9, evidence: { requests_per_second: 50_000 } } }],
    ['ACK flood', { protocol: 'TCP', payload: { attack_vector: 'TCP ACK flood' } }],
    ['a volumetric rate detection', { protocol: 'tcp', payload: { attack_vector: 'volumetric', requests_per_second: 4_000 }, rules: { confidence: 0.9, evidence: { requests_per_second: 4_000 } } }],
    ['payload says no handshake', { protocol: 'TCP', payload: { handshake_completed: false } }],
    ['payload SYN-only conn_state', { protocol: 'TCP', payload: { conn_state: 'S0' } }],
    ['TCP flood with nothing said', { protocol: 'TCP', payload: {} }],
    ['no protocol at all', { protocol: undefined, payload: {} }],
    ['a URL claimed over UDP', { protocol: 'UDP', payload: { url: 'https://example.com/' } }],
  ] as const)('%s', (_name, overrides) => {
    const threat = facts({ event_type: 'ddos', ...(overrides as Partial<ThreatFacts>) });
    expect(mayBeSpoofed(threat)).toBe(true);
    expect(approvalConditions(threat)).toContain('spoofable_source');
  });
});
