import type { SecurityEvent } from '../event';
import { fieldNames, finite, formatCount, type Payload } from '../evidence';
import type { TechniqueEvidence } from '../mitre';
import type { Analysis, Geo } from '../threat';

/** What the rules know about the two ends of an event: its enrichment. */
export interface RuleContext {
  source: Geo;
  destination?: Geo;
}

export type Evidence = Analysis['evidence'];

/** What one event type's rule read from an event. */
export interface Finding {
  /** Snake-case threat class: the event type, or a refinement of it ("password_spraying"). */
  category: string;
  /** Opens the summary: "SSH brute force (password guessing)". */
  headline: string;
  /** The evidence in words, or undefined when there is none: "150 failed login attempts". */
  detail: string | undefined;
  evidence: Evidence;
  /** 0..1, see `Analysis.evidenceStrength`. */
  strength: number;
  techniques: TechniqueEvidence;
  actions: string[];
}

/** Reads one event type's evidence. */
export type Analyser = (payload: Payload, event: SecurityEvent, context: RuleContext) => Finding;

/** Text fields longer than this are shown cut (evidence is for people; the payload is kept). */
export const SHOWN_TEXT = 160;

// Field names several rules read.
export const DURATION_SECONDS = fieldNames('duration_seconds', 'duration', 'window_seconds', 'time_window_seconds', 'duration_s');
export const SUCCEEDED = fieldNames('success', 'successful', 'succeeded', 'login_success', 'login_succeeded', 'compromised');
export const ACTOR = fieldNames('user', 'username', 'account', 'from_user', 'actor', 'source_user');
export const CHANNEL_PROTOCOL = fieldNames('protocol', 'app_protocol', 'application_protocol', 'channel', 'method');

/** A value in another unit (megabits, gigabytes), kept only when the product is finite. */
export function scaled(value: number | undefined, factor: number): number | undefined {
  return value === undefined ? undefined : finite(value * factor);
}

/** "45 s", "12 min", "3 h", "2 days". */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${formatCount(seconds)} s`;
  if (seconds < 7200) return `${formatCount(seconds / 60)} min`;
  if (seconds < 172_800) return `${formatCount(seconds / 3600)} h`;
  return `${formatCount(seconds / 86_400)} days`;
}

/** Rounds for display and storage (0.73860 → 0.739), not for arithmetic. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
