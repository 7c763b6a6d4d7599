import { AggregateField, type Firestore } from 'firebase-admin/firestore';
import { SEVERITIES, type Severity } from '../../domain/event';
import { metricShardsCollection } from '../../firestore/refs';
import { bucketId, bucketStart, GRANULARITY_MS, type Granularity } from '../../metrics/buckets';
import { currentRiskIndex, emptySeverityCounts, readBucket, riskIndexTimeline, type BucketSums } from '../../metrics/read';
import { countActiveAlerts } from './alerts';
import type {
  AnalyticsSummary,
  Dashboard,
  RiskIndexView,
  Timeline,
  TimelineBucket,
  TIMELINE_BUCKETS,
  TIMELINE_WINDOWS,
} from '../schemas';
import { toWire } from '../serialize';

// Analytics from the metric buckets (metrics/{granularity}_{start}/shards) and the risk index
// (riskIndex/current and its per-minute timeline), through metrics/read.ts. No threat document is
// read: a bucket is one aggregation query over its shards (sumBucket), or, for the current
// hour's breakdown by type and country, one read per shard that exists (readBucket).

const SUMMED_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;

/**
 * Events and threats by severity in one bucket: one single-field sum aggregation per figure, in
 * parallel. Not one query with several sums: Firestore (and its emulator) counts in a
 * multi-aggregation query only the documents that have every aggregated field, and a shard has
 * only the severities it counted, so a combined query under-counts (to 0 for most shards).
 * INFO is what the summed severities leave of `events`.
 */
async function sumField(db: Firestore, granularity: Granularity, start: Date, field: string): Promise<number> {
  const shards = metricShardsCollection(db, bucketId(granularity, start));
  return Number((await shards.aggregate({ total: AggregateField.sum(field) }).get()).data().total ?? 0);
}

export async function bucketSums(db: Firestore, granularity: Granularity, start: Date): Promise<BucketSums> {
  const sum = (field: string) => sumField(db, granularity, start, field);
  const [events, ...severities] = await Promise.all([
    sum('events'),
    ...SUMMED_SEVERITIES.map((severity) => sum(`bySeverity.${severity}`)),
  ]);
  const bySeverity = emptySeverityCounts();
  SUMMED_SEVERITIES.forEach((severity, i) => (bySeverity[severity] = severities[i]!));
  bySeverity.INFO = Math.max(0, events! - severities.reduce((a, b) => a + b, 0));
  return { start, events: events!, bySeverity };
}

export interface AnalyticsService {
  dashboard(now: Date): Promise<Dashboard>;
  riskIndex(input: { window: RiskWindow; now: Date }): Promise<RiskIndexView>;
  timeline(input: { window: TimelineWindow; bucket: TimelineBucketSize; now: Date }): Promise<Timeline>;
  summary(now: Date): Promise<AnalyticsSummary>;
}

export type TimelineWindow = (typeof TIMELINE_WINDOWS)[number];
export type TimelineBucketSize = (typeof TIMELINE_BUCKETS)[number];
export type RiskWindow = '1h' | '6h' | '24h';

const WINDOW_MS: Record<TimelineWindow, number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
};

/** More buckets than this in one answer is a request for too fine a grain (one query each). */
export const MAX_TIMELINE_BUCKETS = 180;
/** Minute buckets on the dashboard's sparkline. */
const DASHBOARD_MINUTES = 15;
const TOP = 10;

function bucketView(sums: BucketSums): TimelineBucket {
  return { start: sums.start.toISOString(), events: sums.events, bySeverity: sums.bySeverity };
}

/** The starts of the buckets covering the window, oldest first, the current (partial) one last. */
export function bucketStarts(granularity: Granularity, windowMs: number, now: Date): Date[] {
  const size = GRANULARITY_MS[granularity];
  const last = bucketStart(granularity, now).getTime();
  const count = Math.max(1, Math.ceil(windowMs / size));
  return Array.from({ length: count }, (_, i) => new Date(last - (count - 1 - i) * size));
}

function top(counts: Record<string, number>): { key: string; count: number }[] {
  return Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP)
    .map(([key, count]) => ({ key, count }));
}

function sumSeverities(buckets: BucketSums[]): Record<Severity, number> {
  const total = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const bucket of buckets) for (const severity of SEVERITIES) total[severity] += bucket.bySeverity[severity];
  return total;
}

export function metricsAnalytics(db: Firestore): AnalyticsService {
  const sums = (granularity: Granularity, starts: Date[]) => Promise.all(starts.map((start) => bucketSums(db, granularity, start)));
  const current = async () => {
    const doc = await currentRiskIndex(db);
    return doc ? (toWire(doc) as RiskIndexView['current']) : null;
  };

  return {
    async dashboard(now) {
      const [riskIndex, hour, minutes, activeAlerts] = await Promise.all([
        current(),
        readBucket(db, 'hour', now),
        // The sparkline needs events only: one aggregation per minute, not five.
        Promise.all(bucketStarts('minute', DASHBOARD_MINUTES * 60_000, now).map(async (start) => ({
          start: start.toISOString(),
          events: await sumField(db, 'minute', start, 'events'),
        }))),
        countActiveAlerts(db),
      ]);
      return {
        generatedAt: now.toISOString(),
        riskIndex,
        activeAlerts,
        currentHour: {
          start: hour.start.toISOString(),
          events: hour.events,
          rejected: hour.rejected,
          alertsOpened: hour.alertsOpened,
          alertsClosed: hour.alertsClosed,
          bySeverity: hour.bySeverity,
          topEventTypes: top(hour.byType),
          topCountries: top(hour.byCountry),
        },
        lastMinutes: minutes,
      };
    },

    async riskIndex({ window, now }) {
      const windowMs = WINDOW_MS[window];
      const [doc, timeline] = await Promise.all([
        current(),
        riskIndexTimeline(db, new Date(now.getTime() - windowMs), Math.ceil(windowMs / 60_000) + 1),
      ]);
      return {
        window,
        current: doc,
        timeline: timeline.map((point) => ({
          minute: point.minute,
          bucketStart: point.bucketStart.toDate().toISOString(),
          index: point.index,
          level: point.level,
        })),
      };
    },

    async timeline({ window, bucket, now }) {
      // A window holding more minute buckets than one answer carries is served in hours (the
      // answer's `bucket` says so): every documented combination is valid.
      const size: Granularity = bucket === 'minute' && WINDOW_MS[window] / GRANULARITY_MS.minute > MAX_TIMELINE_BUCKETS ? 'hour' : bucket;
      const buckets = await sums(size, bucketStarts(size, WINDOW_MS[window], now));
      return { window, bucket: size, buckets: buckets.map(bucketView) };
    },

    async summary(now) {
      const windowMs = WINDOW_MS['24h'];
      const [hours, doc, timeline] = await Promise.all([
        sums('hour', bucketStarts('hour', windowMs, now)),
        currentRiskIndex(db),
        riskIndexTimeline(db, new Date(now.getTime() - windowMs), 1_441),
      ]);
      const peak = hours.reduce<BucketSums | undefined>((best, h) => (h.events > (best?.events ?? 0) ? h : best), undefined);
      const indexes = timeline.map((point) => point.index);
      return {
        window: '24h',
        since: hours[0]!.start.toISOString(),
        generatedAt: now.toISOString(),
        events: hours.reduce((total, h) => total + h.events, 0),
        bySeverity: sumSeverities(hours),
        peakHour: peak ? bucketView(peak) : null,
        riskIndex: {
          current: doc?.index ?? null,
          level: doc?.level ?? null,
          min: indexes.length ? Math.min(...indexes) : null,
          max: indexes.length ? Math.max(...indexes) : null,
          average: indexes.length ? indexes.reduce((a, b) => a + b, 0) / indexes.length : null,
          points: indexes.length,
        },
      };
    },
  };
}
