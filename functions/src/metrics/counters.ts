import { FieldValue, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { isAlreadyExists } from '../firestore/errors';
import { metricShardRef, metricsLedgerRef } from '../firestore/refs';
import type { AlertDoc, RejectedEventDoc, ThreatDoc } from '../firestore/schema';
import * as log from '../logs';
import {
  bucketId,
  bucketStart,
  deltaCounters,
  GRANULARITY_MS,
  type Granularity,
  type MetricsDelta,
  type RetentionDays,
  type ShardCursor,
} from './buckets';

// Counting facts into the sharded buckets, exactly once per fact.
//
// One batch per fact: create metricsLedger/{fact key} and increment one shard of the minute
// bucket and one of the hour bucket. Batches are atomic, so when a trigger is delivered twice
// the second batch fails on the existing ledger entry and increments nothing. Three writes per
// fact, none of them to a shared document: the ledger key is unique per fact, and the shards
// take turns (buckets.ts).

export interface MetricsDeps {
  db: Firestore;
  now: () => Date;
  cursor: ShardCursor;
  retentionDays: RetentionDays;
}

export type CountOutcome = 'counted' | 'duplicate';

const DAY_MS = 24 * 60 * 60 * 1000;
const GRANULARITIES: readonly Granularity[] = ['minute', 'hour'];

type Increments = Record<string, FieldValue>;
function increments(amounts: Record<string, number>): Increments {
  const out: Increments = {};
  for (const [key, amount] of Object.entries(amounts)) out[key] = FieldValue.increment(amount);
  return out;
}

/** Counts one fact, identified by `key`, into the buckets of time `at`. */
export async function countFact(key: string, at: Date, delta: MetricsDelta, deps: MetricsDeps): Promise<CountOutcome> {
  const { db } = deps;
  const now = deps.now();
  const counters = deltaCounters(delta);
  const shard = deps.cursor.take();
  const batch = db.batch();
  batch.create(metricsLedgerRef(db, key), {
    countedAt: Timestamp.fromDate(now),
    shard,
    bucket: bucketId('minute', bucketStart('minute', at)),
    expireAt: Timestamp.fromMillis(now.getTime() + deps.retentionDays.ledger * DAY_MS),
  });
  for (const granularity of GRANULARITIES) {
    const start = bucketStart(granularity, at);
    const id = bucketId(granularity, start);
    const expireAt = Timestamp.fromMillis(start.getTime() + GRANULARITY_MS[granularity] + deps.retentionDays[granularity] * DAY_MS);
    // A merge of nested objects: `set` with dotted keys would create fields with dots in their names.
    batch.set(
      metricShardRef(db, id, shard).withConverter(null),
      {
        bucket: id,
        granularity,
        bucketStart: Timestamp.fromDate(start),
        expireAt,
        ...increments(counters.top),
        bySeverity: increments(counters.bySeverity),
        ...(Object.keys(counters.byType).length > 0 && { byType: increments(counters.byType) }),
        ...(Object.keys(counters.byCountry).length > 0 && { byCountry: increments(counters.byCountry) }),
      },
      { merge: true },
    );
  }
  try {
    await batch.commit();
    return 'counted';
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    log.metricsDuplicate(key);
    return 'duplicate';
  }
}

/** A threat (every valid event is one): events, by severity, by type, by source country. */
export function countThreat(threatId: string, threat: ThreatDoc, deps: MetricsDeps): Promise<CountOutcome> {
  return countFact(
    `threat-${threatId}`,
    threat.createdAt.toDate(),
    { events: 1, severity: threat.risk.severity, eventType: threat.event_type, country: threat.geo.country ?? 'unknown' },
    deps,
  );
}

/**
 * A threat whose severity changed after it was counted (the model's analysis re-scored it): its
 * count moves between severities, in the buckets it was counted in. `changeId` (the trigger
 * event's id, the same on every redelivery) makes the move count once.
 */
export async function countSeverityChange(
  threatId: string,
  changeId: string,
  before: ThreatDoc,
  after: ThreatDoc,
  deps: MetricsDeps,
): Promise<CountOutcome | 'unchanged'> {
  if (before.risk.severity === after.risk.severity) return 'unchanged';
  return countFact(
    `threat-severity-${threatId}-${changeId}`,
    after.createdAt.toDate(),
    { severityChange: { from: before.risk.severity, to: after.risk.severity } },
    deps,
  );
}

export function countAlertOpened(alertId: string, alert: AlertDoc, deps: MetricsDeps): Promise<CountOutcome> {
  return countFact(`alert-opened-${alertId}`, alert.createdAt.toDate(), { alertsOpened: 1 }, deps);
}

/** Counts an alert as closed when an update resolves it (RESOLVED is final). */
export async function countAlertClosed(
  alertId: string,
  before: AlertDoc,
  after: AlertDoc,
  deps: MetricsDeps,
): Promise<CountOutcome | 'not_closed'> {
  if (before.status === 'RESOLVED' || after.status !== 'RESOLVED') return 'not_closed';
  return countFact(`alert-closed-${alertId}`, (after.resolvedAt ?? after.updatedAt).toDate(), { alertsClosed: 1 }, deps);
}

export function countRejectedEvent(id: string, rejected: RejectedEventDoc, deps: MetricsDeps): Promise<CountOutcome> {
  return countFact(`rejected-${id}`, rejected.receivedAt.toDate(), { rejected: 1 }, deps);
}
