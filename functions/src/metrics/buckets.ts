import { SEVERITIES, type EventType, type Severity } from '../domain/event';

// Time buckets and sharded counters, pure.
//
// Every counted fact (a threat, an alert opened or closed, a rejected event) increments one shard
// of its minute bucket and one shard of its hour bucket: metrics/{granularity}_{start}/shards/{n}.
//
// How many shards. Firestore sustains about one write per second per document. At the design
// load of R = 1,000 events/s, each bucket (the current minute, the current hour) receives R
// increments per second, one per event. Spread evenly over N shards, each shard receives R / N
// writes per second, so N = R / (1 write/s) = 1,000 shards keeps every shard at about one write
// per second at full load (and far below it otherwise).
//
// "Spread evenly" is the shard cursor's job: each function instance walks the shards round-robin
// from a random starting point, instead of drawing a random shard per event. A random draw puts
// Poisson(1) writes per second on a shard at full load (2 or more in 26% of seconds, 5 or more in
// 0.4%); a cursor gives one instance's shard a write every N / r seconds for its rate r, and the
// instances' random starting points keep them apart. Reading a bucket costs one read per shard
// that exists (at most N; a quiet minute has as many shards as it had events), or one
// aggregation query (metrics/read.ts sumBucket), which is what the risk index uses.

export type Granularity = 'minute' | 'hour';

export const GRANULARITY_MS: Record<Granularity, number> = {
  minute: 60_000,
  hour: 3_600_000,
};

/** The design load, and the sustained write rate Firestore allows one document. */
export const DESIGN_EVENTS_PER_SECOND = 1_000;
export const MAX_WRITES_PER_DOCUMENT_PER_SECOND = 1;
/** Increments per event in one bucket (the event's minute bucket, and its hour bucket). */
export const WRITES_PER_EVENT_PER_BUCKET = 1;

export const METRIC_SHARDS = Math.ceil(
  (DESIGN_EVENTS_PER_SECOND * WRITES_PER_EVENT_PER_BUCKET) / MAX_WRITES_PER_DOCUMENT_PER_SECOND,
);

export function bucketStart(granularity: Granularity, at: Date): Date {
  const size = GRANULARITY_MS[granularity];
  return new Date(Math.floor(at.getTime() / size) * size);
}

/** "2026-01-01T12:34Z": a minute in UTC, the key of timeline documents. */
export function minuteKey(start: Date): string {
  return `${start.toISOString().slice(0, 16)}Z`;
}

/** "minute_2026-01-01T12:34Z", "hour_2026-01-01T12:00Z": the bucket's document id. */
export function bucketId(granularity: Granularity, start: Date): string {
  return `${granularity}_${minuteKey(start)}`;
}

export function parseBucketId(id: string): { granularity: Granularity; start: Date } | undefined {
  const match = /^(minute|hour)_(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})Z$/.exec(id);
  if (!match) return undefined;
  return { granularity: match[1] as Granularity, start: new Date(`${match[2]}:00.000Z`) };
}

/**
 * Round-robin over the shards from a random start; one per function instance. Synchronous, so
 * concurrent invocations in one instance (concurrency > 1) still take consecutive shards.
 */
export class ShardCursor {
  private next: number;
  constructor(
    readonly shards: number = METRIC_SHARDS,
    random: () => number = Math.random,
  ) {
    this.next = Math.floor(random() * shards) % shards;
  }

  take(): number {
    const shard = this.next;
    this.next = (this.next + 1) % this.shards;
    return shard;
  }
}

/** What one counted fact adds to its buckets. */
export interface MetricsDelta {
  events?: number;
  rejected?: number;
  alertsOpened?: number;
  alertsClosed?: number;
  severity?: Severity;
  /** A threat re-scored after it was counted: one less in `from`, one more in `to`. */
  severityChange?: { from: Severity; to: Severity };
  eventType?: EventType;
  /** ISO 3166-1 alpha-2, or "unknown". */
  country?: string;
  /** Observations (parsed records that are not alerts), each counted by format and source. */
  observations?: readonly { format: string; source: string }[];
}

/** A format or source name safe as a map key: lower case, [a-z0-9_-], at most 40 characters. */
export function observationKey(name: string): string {
  const key = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
  return key === '' ? 'unknown' : key;
}

/** A country code safe as a map key: two upper-case letters, anything else "unknown". */
export function countryKey(country: string | undefined): string {
  return country !== undefined && /^[A-Z]{2}$/.test(country) ? country : 'unknown';
}

/**
 * The counters a delta increments, as nested field → amount (the shape of a merge write).
 *
 * `events` and every `bySeverity.*` are always written, 0 when the fact does not add to them: the
 * risk index sums them in one aggregation query, which reads a composite index over all of them,
 * and Firestore leaves a document out of a composite index when it lacks one of its fields (the
 * sums would silently miss shards). By type and by country stay sparse: they are only read whole.
 */
export function deltaCounters(delta: MetricsDelta): {
  top: Record<string, number>;
  bySeverity: Record<string, number>;
  byType: Record<string, number>;
  byCountry: Record<string, number>;
  /** Only for observations: format → source → how many. */
  observationsBy?: Record<string, Record<string, number>>;
} {
  const events = delta.events ?? 0;
  const top: Record<string, number> = { writes: 1, events };
  for (const field of ['rejected', 'alertsOpened', 'alertsClosed'] as const) {
    const amount = delta[field];
    if (amount !== undefined && amount !== 0) top[field] = amount;
  }
  if (delta.observations?.length) top.observations = delta.observations.length;
  const bySeverity: Record<string, number> = {};
  for (const severity of SEVERITIES) {
    bySeverity[severity] =
      (delta.severity === severity ? events : 0) -
      (delta.severityChange?.from === severity ? 1 : 0) +
      (delta.severityChange?.to === severity ? 1 : 0);
  }
  return {
    top,
    bySeverity,
    byType: delta.eventType && events ? { [delta.eventType]: events } : {},
    byCountry: delta.country !== undefined && events ? { [countryKey(delta.country)]: events } : {},
    ...(delta.observations?.length && { observationsBy: observationsBy(delta.observations) }),
  };
}

function observationsBy(observations: readonly { format: string; source: string }[]): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const { format, source } of observations) {
    const bySource = (counts[observationKey(format)] ??= {});
    const key = observationKey(source);
    bySource[key] = (bySource[key] ?? 0) + 1;
  }
  return counts;
}

export interface RetentionDays {
  minute: number;
  hour: number;
  /** Ledger entries must outlive trigger retries (up to 7 days for event functions). */
  ledger: number;
}

export const DEFAULT_RETENTION_DAYS: RetentionDays = { minute: 7, hour: 90, ledger: 8 };
