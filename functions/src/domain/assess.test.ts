import { beforeAll, describe, expect, it } from 'vitest';
import { assessEvent, type Assessment } from './assess';
import { DEFAULT_DETECTION_CONFIG } from './config';
import { loadIpIntelligence, type IpIntelligence } from './enrich/geoip';
import { parseEventBytes } from './event';
import { AnalysisSchema, GeoSchema, RiskSchema } from './threat';

let intel: IpIntelligence;
beforeAll(async () => {
  intel = await loadIpIntelligence();
});

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

/** From message bytes to an assessment, as the ingest function does it. */
function assess(raw: Record<string, unknown>, recentActivity = 0): Assessment {
  const parsed = parseEventBytes(Buffer.from(JSON.stringify({ ...SEED, ...raw })));
  if (!parsed.ok) throw new Error(parsed.reason);
  return assessEvent(parsed.event, { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity });
}

/** Paths of undefined values anywhere in a value (Firestore refuses to store them). */
function undefinedPaths(value: unknown, path = '$'): string[] {
  if (value === undefined) return [path];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => undefinedPaths(child, `${path}.${key}`));
}

describe('assessEvent', () => {
  it('turns the seed event into a HIGH or CRITICAL brute-force threat from a located source', () => {
    const assessment = assess({});
    expect(['HIGH', 'CRITICAL']).toContain(assessment.risk.severity);
    expect(assessment.analysis.mitre.map((technique) => technique.id)).toEqual(expect.arrayContaining(['T1110', 'T1110.001']));
    expect(assessment.source.country).toMatch(/^[A-Z]{2}$/);
    expect(assessment.source).toMatchObject({ ip: '185.234.72.91', zone: 'public', criticalAsset: false });
    expect(assessment.destination).toEqual({ ip: '10.0.0.100', zone: 'private', criticalAsset: true });
    expect(assessment.analysis.summary).toContain(`${assessment.source.country}`);
  });

  it('produces documents that validate and hold no undefined values', () => {
    const assessment = assess({});
    expect(GeoSchema.parse(assessment.source)).toEqual(assessment.source);
    expect(GeoSchema.parse(assessment.destination)).toEqual(assessment.destination);
    expect(AnalysisSchema.parse(assessment.analysis)).toEqual(assessment.analysis);
    expect(RiskSchema.parse(assessment.risk)).toEqual(assessment.risk);
    expect(undefinedPaths(assessment)).toEqual([]);
    expect(assessment.risk.factors.reduce((total, factor) => total + factor.contribution, 0)).toBe(assessment.risk.score);
  });

  it('leaves the destination out when the event has none', () => {
    const assessment = assess({ event_type: 'ransomware', source_ip: '10.0.0.23', destination_ip: undefined, destination_port: undefined, payload: { files_encrypted: 300 } });
    expect(Object.keys(assessment)).toEqual(['source', 'analysis', 'risk']);
    expect(assessment.risk.severity).toBe('CRITICAL');
  });

  it('scores a quiet internal event low', () => {
    const assessment = assess({ event_type: 'heartbeat', source_ip: '10.0.0.5', destination_ip: '10.0.0.6', destination_port: 8080, payload: {} });
    expect(['LOW', 'INFO']).toContain(assessment.risk.severity);
    expect(assessment.analysis.mitre).toEqual([]);
  });

  it('scores a source higher when it has been busy recently', () => {
    expect(assess({}, 10).risk.score).toBeGreaterThan(assess({}, 0).risk.score);
  });

  it('enriches IPv6 and IPv4-mapped sources', () => {
    expect(assess({ source_ip: '2a00:1450:4001::1' }).source).toMatchObject({ zone: 'public', asn: 15169 });
    expect(assess({ source_ip: '::ffff:8.8.8.8' }).source).toMatchObject({ zone: 'public', asn: 15169, country: 'US' });
  });
});
