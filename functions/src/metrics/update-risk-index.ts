import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { RISK_INDEX_CURRENT_ID, riskIndexRef } from '../firestore/refs';
import type { RiskIndexDoc } from '../firestore/schema';
import * as log from '../logs';
import { bucketStart, GRANULARITY_MS, minuteKey } from './buckets';
import { sumBucket } from './read';
import {
  BASELINE_HOURS,
  BASELINE_LAG_HOURS,
  computeRiskIndex,
  RISK_HALF_LIFE_MINUTES,
  RISK_WINDOW_MINUTES,
} from './risk-index';

export interface RiskIndexDeps {
  db: Firestore;
  now: () => Date;
  /** Days the per-minute timeline documents are kept (TTL). */
  retentionDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Recomputes the risk index for the last complete minute from the metric buckets (30 minute
 * buckets and 24 hour buckets, one aggregation query each), and writes riskIndex/{minute} and
 * riskIndex/current. Idempotent per minute; a late or repeated run never moves `current` back in
 * time. The scheduled function calls it every minute (locally too, fired by
 * tools/schedules.mjs); tests call it directly with their own clock.
 */
export async function updateRiskIndex(deps: RiskIndexDeps): Promise<RiskIndexDoc> {
  const { db } = deps;
  const now = deps.now();
  const minuteMs = GRANULARITY_MS.minute;
  const hourMs = GRANULARITY_MS.hour;
  const lastMinute = bucketStart('minute', new Date(now.getTime() - minuteMs));
  const currentHour = bucketStart('hour', now);
  const minuteStarts = Array.from({ length: RISK_WINDOW_MINUTES }, (_, k) => new Date(lastMinute.getTime() - k * minuteMs));
  const hourStarts = Array.from(
    { length: BASELINE_HOURS },
    (_, k) => new Date(currentHour.getTime() - (k + BASELINE_LAG_HOURS) * hourMs),
  );
  const [minutes, hours] = await Promise.all([
    Promise.all(minuteStarts.map((start) => sumBucket(db, 'minute', start))),
    Promise.all(hourStarts.map((start) => sumBucket(db, 'hour', start))),
  ]);
  const result = computeRiskIndex({
    minutes: minutes.map((bucket) => bucket.bySeverity),
    baselineHours: hours.map((bucket) => bucket.bySeverity),
  });
  const minute = minuteKey(lastMinute);
  const doc: RiskIndexDoc = {
    kind: 'minute',
    minute,
    bucketStart: Timestamp.fromDate(lastMinute),
    ...result,
    windowMinutes: RISK_WINDOW_MINUTES,
    halfLifeMinutes: RISK_HALF_LIFE_MINUTES,
    computedAt: Timestamp.fromDate(now),
    expireAt: Timestamp.fromMillis(lastMinute.getTime() + deps.retentionDays * DAY_MS),
  };
  const currentRef = riskIndexRef(db, RISK_INDEX_CURRENT_ID);
  await db.runTransaction(async (tx) => {
    const current = (await tx.get(currentRef)).data();
    tx.set(riskIndexRef(db, minute), doc);
    if (!current || current.bucketStart.toMillis() <= doc.bucketStart.toMillis()) {
      tx.set(currentRef, { ...doc, kind: 'current', expireAt: null });
    }
  });
  log.riskIndexUpdated(minute, doc.index, doc.level, doc.load, doc.baseline);
  return doc;
}
