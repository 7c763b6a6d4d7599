import { describe, expect, it } from 'vitest';
import { combineRisk } from '../analysis/combine';
import { alertingSeverity, alertingSeverityOf, approvalConditions, mayBeSpoofed, rulesSeverity, type ThreatFacts } from './alerting';
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
