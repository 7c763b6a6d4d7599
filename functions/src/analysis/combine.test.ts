import { describe, expect, it } from 'vitest';
import { consultInputFor, event } from '../../../test/support/threat-fixtures';
import type { Analysis, Risk } from '../domain/threat';
import type { ModelAnswer } from './answer';
import { combineAnalysis, combineRisk, MODEL_FACTOR, SEVERITY_ANCHORS } from './combine';

const answer = (overrides: Partial<ModelAnswer> = {}): ModelAnswer => ({
  summary: 'SSH password guessing against a critical server.',
  category: 'brute_force',
  severity: 'HIGH',
  confidence: 0.9,
  mitreTechniques: ['T1110.001', 'T1021.004'],
  recommendedActions: ['Block the source address at the perimeter firewall or WAF', 'Rotate the root password'],
  ...overrides,
});
const opinion = (overrides: Partial<ModelAnswer> = {}, cached = false) => ({ answer: answer(overrides), model: 'gemini-3.5-flash-lite', cached });

const rules = (overrides: Partial<Analysis> = {}): Analysis => ({
  engine: 'rules',
  summary: 'SSH brute force',
  category: 'brute_force',
  confidence: 0.6,
  mitre: [{ id: 'T1110', name: 'Brute Force', tactic: 'Credential Access' }],
  evidence: { attempts: 12 },
  evidenceStrength: 0.2,
  recommendedActions: ['Block the source address at the perimeter firewall or WAF'],
  ...overrides,
});
const risk = (score: number, factors = [{ name: 'event_type', contribution: score, detail: '' }]): Risk => ({
  score,
  severity: score >= 65 ? 'HIGH' : score >= 40 ? 'MEDIUM' : 'LOW',
  factors,
});
const sum = (value: Risk) => value.factors.reduce((total, factor) => total + factor.contribution, 0);

describe('SEVERITY_ANCHORS', () => {
  it('sits inside each severity band of the scoring', () => {
    expect(SEVERITY_ANCHORS).toEqual({ CRITICAL: 93, HIGH: 75, MEDIUM: 52, LOW: 30, INFO: 10 });
  });
});

describe('combineAnalysis', () => {
  it('is the model\'s analysis with both engines\' techniques and actions, and the rules\' evidence', () => {
    const combined = combineAnalysis(rules(), 'brute_force', opinion());
    expect(combined.engine).toBe('gemini');
    expect(combined.summary).toBe('SSH password guessing against a critical server.');
    expect(combined.category).toBe('brute_force');
    expect(combined.mitre.map((technique) => technique.id)).toEqual(['T1110', 'T1110.001', 'T1021.004']);
    expect(combined.mitre[2]).toEqual({ id: 'T1021.004', name: 'SSH', tactic: 'Lateral Movement' });
    expect(combined.evidence).toEqual({ attempts: 12 });
    expect(combined.evidenceStrength).toBe(0.2);
    expect(combined.recommendedActions).toEqual(['Block the source address at the perimeter firewall or WAF', 'Rotate the root password']);
  });

  it('is surer when both engines agree, and keeps the rules\' finer category', () => {
    const combined = combineAnalysis(rules({ category: 'password_spraying', confidence: 0.6 }), 'brute_force', opinion({ confidence: 0.9 }));
    expect(combined.category).toBe('password_spraying');
    expect(combined.confidence).toBe(0.96);
  });

  it('takes the model\'s category when they disagree and the model is surer, and is less sure', () => {
    const combined = combineAnalysis(rules({ category: 'unclassified', confidence: 0.1 }), 'unknown', opinion({ category: 'ransomware', confidence: 0.8 }));
    expect(combined.category).toBe('ransomware');
    expect(combined.confidence).toBe(0.76);
    const kept = combineAnalysis(rules({ confidence: 0.9 }), 'brute_force', opinion({ category: 'benign', confidence: 0.5 }));
    expect(kept.category).toBe('brute_force');
    expect(kept.confidence).toBe(0.68);
  });
});

describe('combineRisk', () => {
  it('adds a model_assessment factor and the factors still sum to the score', () => {
    const base = risk(50, [
      { name: 'event_type', contribution: 20, detail: '' },
      { name: 'evidence', contribution: 30, detail: '' },
    ]);
    const combined = combineRisk(base, rules({ confidence: 0.6 }), opinion({ severity: 'CRITICAL', confidence: 0.9 }));
    // (93 − 50) × 0.9 × (1 − 0.6 / 2) = 27.09 → +27
    expect(combined.score).toBe(77);
    expect(combined.severity).toBe('HIGH');
    expect(combined.factors.slice(0, 2)).toEqual(base.factors);
    expect(combined.factors[2]).toMatchObject({ name: MODEL_FACTOR, contribution: 27 });
    expect(combined.factors[2]!.detail).toMatch(/gemini-3\.5-flash-lite rates it CRITICAL as brute_force with confidence 0\.90; the rules scored 50 .*: \+27$/);
    expect(sum(combined)).toBe(combined.score);
  });

  it('lowers at most 15 points, even when the model is sure it is benign', () => {
    const combined = combineRisk(risk(80), rules({ confidence: 0.5 }), opinion({ category: 'benign', severity: 'INFO', confidence: 1 }));
    expect(combined.score).toBe(65);
    expect(combined.factors.at(-1)!.contribution).toBe(-15);
    expect(combined.factors.at(-1)!.detail).toMatch(/: -15 \(-52 bounded\)$/);
    expect(sum(combined)).toBe(65);
  });

  it('raises at most 40 points and never past 100', () => {
    expect(combineRisk(risk(10), rules({ confidence: 0.1 }), opinion({ severity: 'CRITICAL', confidence: 1 })).score).toBe(50);
    const capped = combineRisk(risk(95), rules({ confidence: 0 }), opinion({ severity: 'CRITICAL', confidence: 1 }));
    expect(capped.score).toBe(93);
    const high = combineRisk(risk(99), rules({ confidence: 0 }), opinion({ severity: 'CRITICAL', confidence: 1 }));
    expect(high.score).toBe(93);
  });

  it('changes nothing but says so when the model agrees with the score', () => {
    const combined = combineRisk(risk(75), rules(), opinion({ severity: 'HIGH' }, true));
    expect(combined.score).toBe(75);
    expect(combined.factors.at(-1)).toMatchObject({ name: MODEL_FACTOR, contribution: 0 });
    expect(combined.factors.at(-1)!.detail).toMatch(/cached answer/);
  });

  it('replaces an earlier model factor instead of stacking a second one', () => {
    const once = combineRisk(risk(50), rules(), opinion({ severity: 'CRITICAL' }));
    const twice = combineRisk(once, rules(), opinion({ severity: 'CRITICAL' }));
    expect(twice.factors.filter((factor) => factor.name === MODEL_FACTOR)).toHaveLength(1);
  });

  it('keeps the factors summing to the score on real rules output', () => {
    const input = consultInputFor(
      event({ event_type: 'brute_force', destination_ip: '10.0.0.100', destination_port: 22, protocol: 'TCP', payload: { attempts: 150 } }),
    );
    expect(sum(input.risk)).toBe(input.risk.score);
    for (const severity of ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const) {
      const combined = combineRisk(input.risk, input.rules, opinion({ severity }));
      expect(sum(combined)).toBe(combined.score);
      expect(combined.score).toBeGreaterThanOrEqual(0);
      expect(combined.score).toBeLessThanOrEqual(100);
    }
  });
});

describe('combining many threats with one cached answer', () => {
  // A flood shares one answer object: what is worked out once per answer must still follow each
  // threat's own rules output.
  const shared = opinion({ severity: 'CRITICAL', mitreTechniques: ['T1110.001', 'T1021.004'] }, true);

  it('merges each threat\'s own techniques and actions, and reuses the merge while they repeat', () => {
    const ssh = combineAnalysis(rules(), 'brute_force', shared);
    const again = combineAnalysis(rules({ evidence: { attempts: 13 } }), 'brute_force', shared);
    expect(again.mitre).toBe(ssh.mitre);
    expect(again.evidence).toEqual({ attempts: 13 });
    expect(Object.isFrozen(ssh.mitre)).toBe(true);

    const other = combineAnalysis(
      rules({ mitre: [{ id: 'T1078', name: 'Valid Accounts', tactic: 'Defense Evasion' }], recommendedActions: ['Reset the account'] }),
      'brute_force',
      shared,
    );
    expect(other.mitre.map((technique) => technique.id)).toEqual(['T1078', 'T1110.001', 'T1021.004']);
    expect(other.recommendedActions).toEqual(['Block the source address at the perimeter firewall or WAF', 'Rotate the root password', 'Reset the account']);
    expect(combineAnalysis(rules(), 'brute_force', shared).mitre.map((technique) => technique.id)).toEqual(['T1110', 'T1110.001', 'T1021.004']);
  });

  it('scores each threat from its own score and confidence, cached or not', () => {
    const low = combineRisk(risk(50), rules({ confidence: 0.6 }), shared);
    const high = combineRisk(risk(70), rules({ confidence: 0.6 }), shared);
    const surer = combineRisk(risk(50), rules({ confidence: 0.9 }), shared);
    // (93 − score) × 0.9 × (1 − confidence / 2), rounded: +27, +14, +21
    expect([low.score, high.score, surer.score]).toEqual([50 + 27, 70 + 14, 50 + 21]);
    expect(combineRisk(risk(50), rules({ confidence: 0.6 }), shared).factors.at(-1)).toBe(low.factors.at(-1));
    const fresh = combineRisk(risk(50), rules({ confidence: 0.6 }), { ...shared, cached: false });
    expect(fresh.factors.at(-1)!.detail).not.toMatch(/cached/);
    expect(low.factors.at(-1)!.detail).toMatch(/cached answer/);
    for (const combined of [low, high, surer, fresh]) expect(sum(combined)).toBe(combined.score);
  });
});
