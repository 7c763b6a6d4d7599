import { createHash } from 'node:crypto';
import { SEVERITIES, type Severity } from '../domain/event';
import type { Analysis, Risk } from '../domain/threat';

// Which threats are worth a model call. The rules engine has always analysed the event already;
// the model is asked where it can change the outcome: where the rules are unsure, or where the
// threat matters enough for a second opinion.

export interface ModelPolicy {
  /** Rules analyses less confident than this go to the model whatever their severity. */
  confidenceBelow: number;
  /** Threats at least this severe go to the model whatever the rules' confidence. */
  minSeverity: Severity;
  /** Fraction (0..1) of eligible threats actually sent; the rest keep the rules analysis. */
  sampleRate: number;
}

export const DEFAULT_MODEL_POLICY: ModelPolicy = {
  confidenceBelow: 0.6,
  minSeverity: 'MEDIUM',
  sampleRate: 1,
};

export type PolicyDecision =
  | { send: true; because: 'low_confidence' | 'severity' }
  | { send: false; reason: 'not_eligible' | 'sampled_out' };

export interface PolicyInput {
  eventId: string;
  analysis: Pick<Analysis, 'confidence'>;
  risk: Pick<Risk, 'severity'>;
}

/** At least as severe as `floor` (SEVERITIES runs from CRITICAL down to INFO). */
export function atLeast(severity: Severity, floor: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(floor);
}

// Decided for every threat: the few possible decisions are shared rather than built each time.
const SEND_LOW_CONFIDENCE: PolicyDecision = Object.freeze({ send: true, because: 'low_confidence' });
const SEND_SEVERITY: PolicyDecision = Object.freeze({ send: true, because: 'severity' });
const NOT_ELIGIBLE: PolicyDecision = Object.freeze({ send: false, reason: 'not_eligible' });
const SAMPLED_OUT: PolicyDecision = Object.freeze({ send: false, reason: 'sampled_out' });

/**
 * Decides whether a threat goes to the model. Deterministic: sampling hashes the event id, so
 * a redelivered trigger decides the same way.
 */
export function decide(input: PolicyInput, policy: ModelPolicy = DEFAULT_MODEL_POLICY): PolicyDecision {
  const decision =
    input.analysis.confidence < policy.confidenceBelow
      ? SEND_LOW_CONFIDENCE
      : atLeast(input.risk.severity, policy.minSeverity)
        ? SEND_SEVERITY
        : NOT_ELIGIBLE;
  if (decision.send && policy.sampleRate < 1 && samplePoint(input.eventId) >= policy.sampleRate) return SAMPLED_OUT;
  return decision;
}

/** A stable point in [0, 1) for an event id. */
export function samplePoint(eventId: string): number {
  return createHash('sha256').update(eventId).digest().readUInt32BE(0) / 2 ** 32;
}
