// Which collections expire, by which field and after how long: Firestore TTL policies (field
// overrides with "ttl": true in firestore.indexes.json, which the index test checks against this
// list). TTL deletes a document some time after its expireAt (typically within 24 hours), so
// readers that must not see expired data compare expireAt themselves (the blocklist).

export interface TtlPolicy {
  collectionGroup: string;
  /** The zod schema(s) of the collection's documents, by exported name (indexes.test.ts matches them). */
  schemas: readonly string[];
  field: 'expireAt';
  /** What expireAt is set to. */
  retention: string;
  /** The param that sets it, if any. */
  param?: string;
  default: string;
}

export const TTL_POLICIES: readonly TtlPolicy[] = [
  { collectionGroup: 'threats', schemas: ['ThreatDocSchema'], field: 'expireAt', retention: 'ingest time + N days', param: 'THREAT_RETENTION_DAYS', default: '90 days' },
  { collectionGroup: 'sightings', schemas: ['SourceSightingDocSchema'], field: 'expireAt', retention: 'ingest time + the recent-activity window + 1 day', param: 'RECENT_ACTIVITY_WINDOW_MINUTES', default: '15 minutes + 1 day' },
  { collectionGroup: 'rejectedEvents', schemas: ['RejectedEventDocSchema'], field: 'expireAt', retention: 'receipt time + N days', param: 'THREAT_RETENTION_DAYS', default: '90 days' },
  { collectionGroup: 'playbookRuns', schemas: ['PlaybookRunDocSchema'], field: 'expireAt', retention: 'run creation + N days', param: 'PLAYBOOK_RUN_RETENTION_DAYS', default: '180 days' },
  { collectionGroup: 'approvals', schemas: ['ApprovalDocSchema'], field: 'expireAt', retention: 'as its run: run creation + N days', param: 'PLAYBOOK_RUN_RETENTION_DAYS', default: '180 days' },
  {
    collectionGroup: 'shards',
    schemas: ['MetricsShardDocSchema'],
    field: 'expireAt',
    retention: 'end of the bucket + N days (minute buckets / hour buckets)',
    param: 'METRICS_MINUTE_RETENTION_DAYS / METRICS_HOUR_RETENTION_DAYS',
    default: '7 days / 90 days',
  },
  { collectionGroup: 'metricsLedger', schemas: ['MetricsLedgerDocSchema'], field: 'expireAt', retention: 'counting time + 8 days (outlives trigger retries, 7 days)', default: '8 days' },
  { collectionGroup: 'riskIndex', schemas: ['RiskIndexDocSchema'], field: 'expireAt', retention: 'the minute + N days (riskIndex/current never expires)', param: 'RISK_INDEX_RETENTION_DAYS', default: '30 days' },
  { collectionGroup: 'blocklist', schemas: ['BlocklistDocSchema'], field: 'expireAt', retention: "block time + the step's ttlHours (extended, never shortened, by later blocks)", default: '24 h (brute force), 1 h (DDoS), 72 h (ransomware, exfiltration, malware); at most 90 days' },
  { collectionGroup: 'modelCache', schemas: ['ModelCacheDocSchema'], field: 'expireAt', retention: "the model's answer time + the cache TTL", param: 'GEMINI_CACHE_TTL_MINUTES', default: '60 minutes' },
  { collectionGroup: 'detectionWindows', schemas: ['WindowDocSchema'], field: 'expireAt', retention: "last write + the group's longest rule window (a day at most) + 1 day", default: 'up to 2 days' },
  { collectionGroup: 'detectionExceptions', schemas: ['DetectionExceptionDocSchema'], field: 'expireAt', retention: 'the exception\'s end (expiresAt) + 365 days (EXCEPTION_RETENTION_DAYS); the audit log keeps its history', default: '365 days after it ends' },
  { collectionGroup: 'rateLimits', schemas: ['RateLimitDocSchema'], field: 'expireAt', retention: 'end of the rate-limit window', default: 'minutes' },
];
