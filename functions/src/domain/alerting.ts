import { SEVERITIES, SeveritySchema, type Severity } from './event';
import type { ApprovalCondition } from './playbook';
import { severityForScore } from './scoring';
import type { Analysis, Risk } from './threat';

// Which threats alert, and what about them a person must see before automation acts. Pure: the
// alert trigger, the analysis and the alert store all decide the same way.

/** Severities that open an alert; lower ones are recorded as threats only. */
export const ALERTING_SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH'];

export function opensAlert(severity: Severity): boolean {
  return ALERTING_SEVERITIES.includes(severity);
}

export function higherSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/** The risk factor the model's opinion adds (analysis/combine.ts writes it). */
export const MODEL_FACTOR = 'model_assessment';

/** Below this rules confidence, automation waits for a person on destructive steps. */
export const LOW_RULES_CONFIDENCE = 0.5;

/** The severity the rules alone gave: the score without the model's factor. */
export function rulesSeverity(risk: Pick<Risk, 'score' | 'severity' | 'factors'>): Severity {
  const model = risk.factors.find((factor) => factor.name === MODEL_FACTOR);
  // No model factor: the stored severity is the rules' own.
  return model === undefined ? risk.severity : severityForScore(risk.score - model.contribution);
}

/**
 * The severity an alert decision rests on: the rules' severity, which the model may raise and
 * never lower. Whatever order the analysis write and the alert trigger's read come in, a threat
 * the rules put at HIGH alerts.
 */
export function alertingSeverity(risk: Pick<Risk, 'score' | 'severity' | 'factors'>): Severity {
  return higherSeverity(risk.severity, rulesSeverity(risk));
}

/** The alerting severity of a threat document read raw from a trigger, if it has a readable risk. */
export function alertingSeverityOf(data: unknown): Severity | undefined {
  const risk = (data as { risk?: { score?: unknown; severity?: unknown; factors?: unknown } } | undefined)?.risk;
  const severity = SeveritySchema.safeParse(risk?.severity);
  if (!severity.success) return undefined;
  if (typeof risk?.score !== 'number' || !Array.isArray(risk.factors)) return severity.data;
  const factors = risk.factors.filter(
    (factor): factor is { name: string; contribution: number } =>
      typeof factor?.name === 'string' && typeof factor?.contribution === 'number',
  );
  return higherSeverity(severity.data, rulesSeverity({ score: risk.score, severity: severity.data, factors: factors.map((f) => ({ ...f, detail: '' })) }));
}

export interface ThreatFacts {
  event_type: string;
  protocol?: string | undefined;
  payload: Record<string, unknown>;
  risk: Pick<Risk, 'score' | 'severity' | 'factors'>;
  /** The rules' analysis (kept as rulesAnalysis once a model's analysis replaced it). */
  rules: Pick<Analysis, 'confidence' | 'evidence'>;
}

const CONNECTIONLESS = /^(udp|icmp|icmpv6|gre)$/i;

/**
 * Whether the source address may be forged: connectionless traffic, or a flood with no sign of a
 * completed handshake (an application-layer flood needs one; a volumetric one does not).
 */
export function mayBeSpoofed(threat: Pick<ThreatFacts, 'event_type' | 'protocol' | 'payload' | 'rules'>): boolean {
  if (threat.protocol !== undefined && CONNECTIONLESS.test(threat.protocol)) return true;
  if (threat.event_type !== 'ddos') return false;
  const handshake = threat.payload.handshake_completed ?? threat.payload.tcp_established;
  if (handshake === true) return false;
  return threat.rules.evidence.requests_per_second === undefined;
}

/** What about a threat must stop automation from acting on its alert without a person. */
export function approvalConditions(threat: ThreatFacts): ApprovalCondition[] {
  const conditions: ApprovalCondition[] = [];
  if (opensAlert(threat.risk.severity) && !opensAlert(rulesSeverity(threat.risk))) conditions.push('model_raised');
  if (threat.rules.confidence < LOW_RULES_CONFIDENCE) conditions.push('low_rules_confidence');
  if (mayBeSpoofed(threat)) conditions.push('spoofable_source');
  return conditions;
}

/** The union of two condition lists, in APPROVAL_CONDITIONS order. */
export function mergeConditions(a: readonly ApprovalCondition[], b: readonly ApprovalCondition[]): ApprovalCondition[] {
  return [...new Set([...a, ...b])].sort();
}
