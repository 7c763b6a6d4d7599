import { createHash } from 'node:crypto';
import type { EventType } from '@threatstream/events';
import type { Severity } from '../domain/event';
import type { RuleKind } from './rule';

/** What a rule found: the rule, the key, the counts, and a sample of the events that made it. */
export interface Detection {
  /** Derived from rule, key and first contributing event: a replayed stream yields the same id. */
  id: string;
  ruleId: string;
  ruleVersion: number;
  ruleKind: RuleKind;
  title: string;
  description: string;
  severity: Severity;
  eventType: EventType;
  techniques: string[];
  /** The group key's fields and values, e.g. {"source.ip": "203.0.113.9"}. */
  key: Record<string, string>;
  /** Contributing events (each counted once). */
  count: number;
  /** Ids of contributing events: the first and last few of them. */
  sample: string[];
  firstSeen: string;
  lastSeen: string;
  /** What the rule measured, e.g. {distinct: 120} ports, {sum: 2.1e9} bytes, {intervalSeconds: 60}. */
  measures: Record<string, number>;
  /** Distinct values seen (ports, users, hosts), when the rule counts them. */
  values?: string[];
  /** The endpoints of the event that completed the detection. */
  source?: { ip?: string; port?: number };
  destination?: { ip?: string; port?: number };
  user?: string;
  /** What the completing event said that an analyst reads first (URL, signature, audit method), cut short. */
  context?: Record<string, string | number>;
  /** Depth in a chain: 0 for a rule over observations, 1+ for a rule over other detections. */
  depth: number;
}

export function detectionId(ruleId: string, key: string, firstEventId: string, firstSeen: number): string {
  const digest = createHash('sha256').update(`${ruleId}\u0000${key}\u0000${firstEventId}\u0000${firstSeen}`).digest('hex');
  return `det-${digest.slice(0, 32)}`;
}
