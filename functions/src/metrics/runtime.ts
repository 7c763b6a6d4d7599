import { getFirestore } from 'firebase-admin/firestore';
import { metricsHourRetentionDays, metricsMinuteRetentionDays, riskIndexRetentionDays } from '../config';
import { DEFAULT_RETENTION_DAYS, ShardCursor } from './buckets';
import type { MetricsDeps } from './counters';
import type { RiskIndexDeps } from './update-risk-index';

// The production dependencies of the metrics triggers. One shard cursor per instance (buckets.ts).

const cursor = new ShardCursor();

export function metricsDeps(): MetricsDeps {
  return {
    db: getFirestore(),
    now: () => new Date(),
    cursor,
    retentionDays: {
      minute: metricsMinuteRetentionDays.value(),
      hour: metricsHourRetentionDays.value(),
      ledger: DEFAULT_RETENTION_DAYS.ledger,
    },
  };
}

export function riskIndexDeps(): RiskIndexDeps {
  return { db: getFirestore(), now: () => new Date(), retentionDays: riskIndexRetentionDays.value() };
}
