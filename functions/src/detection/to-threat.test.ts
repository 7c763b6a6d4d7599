import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../domain/config';
import { loadIpIntelligence, type IpIntelligence } from '../domain/enrich/geoip';
import { parseEvent } from '../domain/event';
import { AnalysisSchema, RiskSchema } from '../domain/threat';
import type { Detection } from './detection';
import { DetectionEngine } from './engine';
import { BUILT_IN_PACK, BUILT_IN_RULES } from './pack';
import { flow, gcpAudit, series, sshLogin } from './pack/fixtures';
import { assessDetection, detectionAnalysis, detectionToEvent, UNKNOWN_SOURCE_IP } from './to-threat';

let intel: IpIntelligence;
beforeAll(async () => {
  intel = await loadIpIntelligence();
});

function detect(events: Parameters<DetectionEngine['observe']>[0][]): Detection[] {
  const engine = new DetectionEngine(BUILT_IN_RULES);
  return events.flatMap((event) => engine.observe(event));
}

const bruteForce = () => detect(series(12, 0, 2, (i, at) => sshLogin({ id: `ssh-${i}`, src: '185.234.72.91', host: '10.0.0.100', user: 'root', outcome: 'failure', at })))[0]!;

describe('detectionToEvent', () => {
  it('makes a valid design.md event that names the rule, the counts and the sample', () => {
    const detection = bruteForce();
    const event = detectionToEvent(detection);
    const parsed = parseEvent(event);
    expect(parsed.ok).toBe(true);
    expect(event).toMatchObject({
      event_id: detection.id,
      event_type: 'brute_force',
      source_ip: '185.234.72.91',
      destination_ip: '10.0.0.100',
      destination_port: 22,
      payload: { attempts: 10, detection: { rule_id: 'ssh-brute-force', count: 10, sample_event_ids: detection.sample, key: { 'source.ip': '185.234.72.91' } } },
      metadata: { engine: 'detection', rule_id: 'ssh-brute-force' },
    });
  });

  it('turns every built-in rule’s first firing case into a valid event', () => {
    for (const entry of BUILT_IN_PACK) {
      const firing = entry.cases.find((c) => c.fires > 0)!;
      const detections = detect([...firing.events]).filter((d) => d.ruleId === entry.rule.id);
      expect(detections.length, entry.rule.id).toBeGreaterThan(0);
      const parsed = parseEvent(detectionToEvent(detections[0]!));
      expect(parsed.ok, `${entry.rule.id}: ${parsed.ok ? '' : parsed.reason}`).toBe(true);
    }
  });

  it('uses the unknown address when a detection names no source', () => {
    const [detection] = detect([gcpAudit({ at: 0, method: 'google.iam.admin.v1.CreateServiceAccountKey', service: 'iam.googleapis.com' })]);
    const withoutSource: Detection = { ...detection!, source: undefined } as Detection;
    delete withoutSource.source;
    expect(detectionToEvent(withoutSource).source_ip).toBe(UNKNOWN_SOURCE_IP);
  });
});

describe('assessDetection', () => {
  it('scores a detection as a threat whose analysis and factors name the rule and the count', () => {
    const detection = bruteForce();
    const { event, assessment } = assessDetection(detection, { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity: 0 });
    expect(event.event_id).toBe(detection.id);
    expect(AnalysisSchema.safeParse(assessment.analysis).success).toBe(true);
    expect(RiskSchema.safeParse(assessment.risk).success).toBe(true);
    expect(assessment.analysis.summary).toMatch(/^SSH brute force \(rule ssh-brute-force\): 10 events for source\.ip=185\.234\.72\.91/);
    expect(assessment.analysis.evidence).toMatchObject({ rule: 'ssh-brute-force v1', count: 10 });
    expect(assessment.analysis.mitre.map((t) => t.id)).toEqual(expect.arrayContaining(['T1110', 'T1110.001', 'T1021.004']));
    const evidenceFactor = assessment.risk.factors.find((f) => f.name === 'evidence');
    expect(evidenceFactor?.detail).toMatch(/rule=ssh-brute-force v1, count=10/);
    expect(['HIGH', 'CRITICAL']).toContain(assessment.risk.severity);
  });

  it('gives a detection at least its rule’s severity, naming what the score alone said', () => {
    // sshd lines name no target: without the direction factor the score alone says MEDIUM.
    const { destination: _none, ...withoutTarget } = bruteForce();
    const { assessment } = assessDetection(withoutTarget, { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity: 0 });
    expect(assessment.risk.score).toBeLessThan(65);
    expect(assessment.risk.severity).toBe('HIGH');
    expect(assessment.risk.factors.find((f) => f.name === 'rule_severity')?.detail).toMatch(/^rule ssh-brute-force rates it HIGH; the score alone says (MEDIUM|LOW)$/);
  });

  it('names techniques outside our table from the ATT&CK list', () => {
    const [detection] = detect([gcpAudit({ at: 0, method: 'v1.compute.firewalls.insert', service: 'compute.googleapis.com', request: { sourceRanges: ['0.0.0.0/0'], alloweds: [{ IPProtocol: 'tcp' }] } })]);
    const analysis = detectionAnalysis(detection!);
    expect(analysis.mitre).toEqual(expect.arrayContaining([{ id: 'T1562.007', name: 'Disable or Modify Cloud Firewall', tactic: 'Defense Evasion' }]));
    expect(analysis.confidence).toBe(0.75);
    expect(analysis.evidence).toMatchObject({ audit_method: 'v1.compute.firewalls.insert' });
  });

  it('reads a port scan’s distinct ports into the analyser’s evidence', () => {
    const [scan] = detect(series(40, 0, 0.1, (i, at) => flow({ src: '45.77.1.2', dst: '10.0.0.80', dport: 1 + i, at })));
    const { assessment } = assessDetection(scan!, { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity: 0 });
    expect(assessment.analysis.evidence).toMatchObject({ distinct: 25, rule: 'port-scan-vertical v1' });
    expect(assessment.analysis.summary).toMatch(/port-scan-vertical/);
  });
});
