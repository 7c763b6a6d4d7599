import { createHash } from 'node:crypto';
import type { NormalizedEvent } from '@threatstream/events';
import {
  FieldValue,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type Firestore,
  type PartialWithFieldValue,
  type SetOptions,
  type WithFieldValue,
} from 'firebase-admin/firestore';
import type { Severity } from '../domain/event';
import { isAlreadyExists } from '../firestore/errors';
import { metricShardRef, metricsLedgerRef } from '../firestore/refs';
import type { MetricsLedgerDoc, RejectedEventDoc, ThreatDoc } from '../firestore/schema';
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
// A fact is counted by three writes: create metricsLedger/{fact key} and increment one shard of
// the minute bucket and one of the hour bucket, none of them a shared document (the ledger key is
// unique per fact, and the shards take turns: buckets.ts). The writes go into the batch or
// transaction that records the fact itself where there is one (an alert opened or resolved, a
// threat re-scored: stageCount), so the fact and its count commit together and no trigger runs
// for it. Facts written elsewhere (threats, rejected events) are counted by a trigger in a batch
// of their own (countFact); when the trigger is delivered twice, the second batch fails on the
// existing ledger entry and increments nothing.

export interface MetricsDeps {
  db: Firestore;
  now: () => Date;
  cursor: ShardCursor;
  retentionDays: RetentionDays;
}

export type CountOutcome = 'counted' | 'duplicate';

/** What a count can be staged in: a WriteBatch or a Transaction (both have these two). */
export interface CountWriter {
  create(ref: DocumentReference<MetricsLedgerDoc>, data: WithFieldValue<MetricsLedgerDoc>): unknown;
  set(ref: DocumentReference, data: PartialWithFieldValue<DocumentData>, options: SetOptions): unknown;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const GRANULARITIES: readonly Granularity[] = ['minute', 'hour'];

type Increments = Record<string, FieldValue>;
function increments(amounts: Record<string, number>): Increments {
  const out: Increments = {};
  for (const [key, amount] of Object.entries(amounts)) out[key] = FieldValue.increment(amount);
  return out;
}

/**
 * Adds the writes that count one fact, identified by `key`, into the buckets of time `at` to
 * `writer`. Counted once if whatever commits `writer` commits once (the ledger entry's create
 * fails the commit otherwise).
 */
export function stageCount(writer: CountWriter, key: string, at: Date, delta: MetricsDelta, deps: MetricsDeps): void {
  const { db } = deps;
  const now = deps.now();
  const counters = deltaCounters(delta);
  const shard = deps.cursor.take();
  writer.create(metricsLedgerRef(db, key), {
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
    writer.set(
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
        ...(counters.observationsBy && {
          observationsBy: Object.fromEntries(Object.entries(counters.observationsBy).map(([format, bySource]) => [format, increments(bySource)])),
        }),
      },
      { merge: true },
    );
  }
}

/** Counts one fact in a batch of its own: for facts counted by a trigger after they were written. */
export async function countFact(key: string, at: Date, delta: MetricsDelta, deps: MetricsDeps): Promise<CountOutcome> {
  const batch = deps.db.batch();
  stageCount(batch, key, at, delta, deps);
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
 * A threat re-scored after it was counted (the model's analysis changed its severity): its count
 * moves between severities, in the buckets it was counted in. Staged in the transaction that
 * writes the new score, which happens once per threat.
 */
export function stageSeverityChange(
  writer: CountWriter,
  threat: { id: string; createdAt: Date; from: Severity; to: Severity },
  deps: MetricsDeps,
): void {
  if (threat.from === threat.to) return;
  stageCount(writer, `threat-severity-${threat.id}`, threat.createdAt, { severityChange: { from: threat.from, to: threat.to } }, deps);
}

/** An alert opened: staged in the transaction that creates it. */
export function stageAlertOpened(writer: CountWriter, alertId: string, createdAt: Date, deps: MetricsDeps): void {
  stageCount(writer, `alert-opened-${alertId}`, createdAt, { alertsOpened: 1 }, deps);
}

/** An alert resolved (RESOLVED is final): staged in the transaction that resolves it. */
export function stageAlertClosed(writer: CountWriter, alertId: string, resolvedAt: Date, deps: MetricsDeps): void {
  stageCount(writer, `alert-closed-${alertId}`, resolvedAt, { alertsClosed: 1 }, deps);
}

export function countRejectedEvent(id: string, rejected: RejectedEventDoc, deps: MetricsDeps): Promise<CountOutcome> {
  return countFact(`rejected-${id}`, rejected.receivedAt.toDate(), { rejected: 1 }, deps);
}

/**
 * An observation (a flow, a login, a request, an audit entry), by format and source. Keyed by the
 * record-derived event id, so a redelivered or re-shipped observation is counted once.
 */
/**
 * A message's observations, counted as one fact: three writes per message, not per observation
 * (issue #22 allows about one write per observation in all). The fact's key is a digest of their
 * ids, so a redelivered message, or the same batch published again, counts nothing twice.
 */
export function countObservations(observations: readonly NormalizedEvent[], deps: MetricsDeps): Promise<CountOutcome> {
  return countFact(
    observationsFactKey(observations),
    deps.now(),
    { observations: observations.map((observation) => ({ format: observation.event.format, source: observationSource(observation) })) },
    deps,
  );
}

/** The ledger key that counts these observations once, in whatever order they come. */
export function observationsFactKey(observations: readonly NormalizedEvent[]): string {
  const ids = observations.map((observation) => observation.event.id).sort();
  return `observations-${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 40)}`;
}

/** Who produced an observation: the sensor or program (Suricata, sshd, nginx…), else the format's module. */
export function observationSource(observation: NormalizedEvent): string {
  return (
    observation.observer?.product ??
    observation.log?.syslog?.appname ??
    observation.process?.name ??
    observation.event.module ??
    observation.event.provider ??
    'unknown'
  );
}
