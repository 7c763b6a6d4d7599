import type { NormalizedEvent } from '@threatstream/events';
import type { TypedRule } from '../rule';

/** Events a rule is tried on, and how many detections of that rule they must produce. */
export interface RuleCase {
  name: string;
  events: readonly NormalizedEvent[];
  /** Detections of this rule expected (0: must not fire). */
  fires: number;
  /** When set, each detection's count must be at least this. */
  minCount?: number;
  /** When set, the detections' group keys, in order. */
  keys?: readonly Record<string, string>[];
}

/** A built-in rule and the cases it ships with. */
export interface PackEntry {
  rule: TypedRule;
  cases: readonly RuleCase[];
}
