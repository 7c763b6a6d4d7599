import { AggregateField, type Firestore } from 'firebase-admin/firestore';
import { SEVERITIES } from '../domain/event';
import { metricShardsQuery, metricShardsSumsQuery, QUERY_SHAPES, riskIndexTimelineQuery } from '../firestore/queries';
import { RISK_INDEX_CURRENT_ID, riskIndexRef } from '../firestore/refs';
import type { RiskIndexDoc } from '../firestore/schema';
import { bucketId, bucketStart, type Granularity } from './buckets';
import type { SeverityCounts } from './risk-index';

// Reading the counters back: a bucket is the sum of its shards.

export function emptySeverityCounts(): SeverityCounts {
  return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 };
}

export interface BucketTotals {
  bucket: string;
  granularity: Granularity;
  start: Date;
  /** Shard documents read. */
  shards: number;
  /** Increments applied, over all shards (one per counted fact). */
  writes: number;
  events: number;
  rejected: number;
  alertsOpened: number;
  alertsClosed: number;
  bySeverity: SeverityCounts;
  byType: Record<string, number>;
  byCountry: Record<string, number>;
}

function addInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [key, value] of Object.entries(source)) target[key] = (target[key] ?? 0) + value;
}

/** Every figure of one bucket, by type and country included: one read per shard document. */
export async function readBucket(db: Firestore, granularity: Granularity, at: Date): Promise<BucketTotals> {
  const start = bucketStart(granularity, at);
  const id = bucketId(granularity, start);
  const snapshot = await metricShardsQuery(db, id).get();
  const totals: BucketTotals = {
    bucket: id,
    granularity,
    start,
    shards: snapshot.size,
    writes: 0,
    events: 0,
    rejected: 0,
    alertsOpened: 0,
    alertsClosed: 0,
    bySeverity: emptySeverityCounts(),
    byType: {},
    byCountry: {},
  };
  for (const doc of snapshot.docs) {
    const shard = doc.data();
    totals.writes += shard.writes;
    totals.events += shard.events;
    totals.rejected += shard.rejected;
    totals.alertsOpened += shard.alertsOpened;
    totals.alertsClosed += shard.alertsClosed;
    addInto(totals.bySeverity, shard.bySeverity);
    addInto(totals.byType, shard.byType);
    addInto(totals.byCountry, shard.byCountry);
  }
  return totals;
}

export interface BucketSums {
  start: Date;
  events: number;
  bySeverity: SeverityCounts;
}

/**
 * Events and threats per severity of one bucket, summed by Firestore in one aggregation query
 * (billed one read per 1,000 shards): what the risk index reads, 54 buckets a minute.
 */
export async function sumBucket(db: Firestore, granularity: Granularity, at: Date): Promise<BucketSums> {
  const start = bucketStart(granularity, at);
  // The summed fields are the registered query's (queries.ts), so the index test sees them.
  const spec = Object.fromEntries(
    QUERY_SHAPES.metricShardsSums.aggregates.map((field) => [field.replace('bySeverity.', ''), AggregateField.sum(field)]),
  );
  const snapshot = await metricShardsSumsQuery(db, bucketId(granularity, start)).aggregate(spec).get();
  const sums = snapshot.data() as Record<string, number | null | undefined>;
  const bySeverity = emptySeverityCounts();
  let counted = 0;
  for (const severity of SEVERITIES) {
    if (severity === 'INFO') continue;
    bySeverity[severity] = Number(sums[severity] ?? 0);
    counted += bySeverity[severity];
  }
  const events = Number(sums.events ?? 0);
  // At most five aggregations per query: INFO is what the other severities leave.
  bySeverity.INFO = Math.max(0, events - counted);
  return { start, events, bySeverity };
}

/** The dashboard's document. */
export async function currentRiskIndex(db: Firestore): Promise<RiskIndexDoc | undefined> {
  return (await riskIndexRef(db, RISK_INDEX_CURRENT_ID).get()).data();
}

/** The per-minute risk index since `since`, newest first. */
export async function riskIndexTimeline(db: Firestore, since: Date, limit = 1_440): Promise<RiskIndexDoc[]> {
  const snapshot = await riskIndexTimelineQuery(db, since, limit).get();
  return snapshot.docs.map((doc) => doc.data());
}
