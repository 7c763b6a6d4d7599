import { SEVERITIES, type Severity } from '../domain/event';

// The estate's risk index, 0-100, pure.
//
// 1. Severity-weighted threats per minute: w = 25·CRITICAL + 10·HIGH + 3·MEDIUM + 1·LOW (INFO 0).
//    One CRITICAL weighs as much as 25 LOW: the index is about what could hurt, not volume.
// 2. Recent load L: the exponentially decayed mean of w over the last 30 complete minutes, with a
//    5-minute half-life (minute k ago weighs 2^(-k/5)): a burst shows within a minute and fades
//    over a quarter of an hour instead of falling off a cliff when it leaves the window.
// 3. Baseline B: the mean w per minute over the 24 whole hours that ended at least an hour ago
//    (an attack in progress does not raise its own baseline for its first hour). What is normal
//    for this estate; a noisy estate is not permanently "severe".
// 4. Reference R = max(B, 5): the floor (one HIGH every two minutes) keeps a quiet or new estate
//    from reading a single event as a catastrophe.
// 5. Index = 100 · (1 − 0.7^(L / R)): each reference's worth of load takes 30% of the remaining
//    headroom. L = 0 → 0; L = R (a normal minute) → 30; 2R → 51; 3R → 66; 5R → 83; 10R → 97.
//    Levels: < 25 low, < 50 guarded, < 75 elevated, else severe.

export const SEVERITY_WEIGHTS: Record<Severity, number> = { CRITICAL: 25, HIGH: 10, MEDIUM: 3, LOW: 1, INFO: 0 };
export const RISK_WINDOW_MINUTES = 30;
export const RISK_HALF_LIFE_MINUTES = 5;
export const BASELINE_HOURS = 24;
/** Hours between the end of the baseline and now (see 3 above): the current and previous hours are left out. */
export const BASELINE_LAG_HOURS = 2;
export const REFERENCE_FLOOR = 5;
export const HEADROOM_KEPT_PER_REFERENCE = 0.7;

export type SeverityCounts = Record<Severity, number>;

export interface RiskInputs {
  /** Threats per severity of the last complete minutes, most recent first (missing minutes: zeros). */
  minutes: readonly SeverityCounts[];
  /** Threats per severity of each baseline hour. */
  baselineHours: readonly SeverityCounts[];
}

export type RiskLevel = 'low' | 'guarded' | 'elevated' | 'severe';

export interface RiskResult {
  index: number;
  level: RiskLevel;
  load: number;
  baseline: number;
  reference: number;
  recent: SeverityCounts;
  contributions: { severity: Severity; weight: number; load: number }[];
}

export function weighted(counts: SeverityCounts): number {
  return SEVERITIES.reduce((sum, severity) => sum + SEVERITY_WEIGHTS[severity] * counts[severity], 0);
}

export function riskLevel(index: number): RiskLevel {
  if (index < 25) return 'low';
  if (index < 50) return 'guarded';
  if (index < 75) return 'elevated';
  return 'severe';
}

function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function computeRiskIndex(inputs: RiskInputs): RiskResult {
  const minutes = inputs.minutes.slice(0, RISK_WINDOW_MINUTES);
  const decay = minutes.map((_, k) => 2 ** (-k / RISK_HALF_LIFE_MINUTES));
  const decaySum = decay.reduce((sum, d) => sum + d, 0) || 1;

  const recent: SeverityCounts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 };
  const decayed: SeverityCounts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 };
  minutes.forEach((counts, k) => {
    for (const severity of SEVERITIES) {
      recent[severity] += counts[severity];
      decayed[severity] += (counts[severity] * decay[k]!) / decaySum;
    }
  });
  const load = weighted(decayed);

  const baselineMinutes = Math.max(1, inputs.baselineHours.length) * 60;
  const baseline = inputs.baselineHours.reduce((sum, counts) => sum + weighted(counts), 0) / baselineMinutes;
  const reference = Math.max(baseline, REFERENCE_FLOOR);
  const index = Math.round(100 * (1 - HEADROOM_KEPT_PER_REFERENCE ** (load / reference)));

  const contributions = SEVERITIES.filter((severity) => SEVERITY_WEIGHTS[severity] > 0)
    .map((severity) => ({ severity, weight: SEVERITY_WEIGHTS[severity], load: round(SEVERITY_WEIGHTS[severity] * decayed[severity]) }))
    .filter((contribution) => contribution.load > 0)
    .sort((a, b) => b.load - a.load);

  return {
    index: Math.min(100, Math.max(0, index)),
    level: riskLevel(index),
    load: round(load),
    baseline: round(baseline),
    reference: round(reference),
    recent,
    contributions,
  };
}
