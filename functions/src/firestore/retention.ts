// Which collections expire, by which field and after how long: Firestore TTL policies (field
// overrides with "ttl": true in firestore.indexes.json, which the index test checks against this
// list). TTL deletes a document some time after its expireAt (typically within 24 hours), so
// readers that must not see expired data compare expireAt themselves (the blocklist).

export interface TtlPolicy {
  collectionGroup: string;
  field: 'expireAt';
  /** What expireAt is set to. */
  retention: string;
  /** The param that sets it, if any. */
  param?: string;
  default: string;
}

export const TTL_POLICIES: readonly TtlPolicy[] = [
  { collectionGroup: 'threats', field: 'expireAt', retention: 'ingest time + N days', param: 'THREAT_RETENTION_DAYS', default: '90 days' },
  { collectionGroup: 'sightings', field: 'expireAt', retention: 'ingest time + the recent-activity window + 1 day', param: 'RECENT_ACTIVITY_WINDOW_MINUTES', default: '15 minutes + 1 day' },
  { collectionGroup: 'rejectedEvents', field: 'expireAt', retention: 'receipt time + N days', param: 'THREAT_RETENTION_DAYS', default: '90 days' },
  { collectionGroup: 'playbookRuns', field: 'expireAt', retention: 'run creation + N days', param: 'PLAYBOOK_RUN_RETENTION_DAYS', default: '180 days' },
  {
    collectionGroup: 'shards',
    field: 'expireAt',
    retention: 'end of the bucket + N days (minute buckets / hour buckets)',
    param: 'METRICS_MINUTE_RETENTION_DAYS / METRICS_HOUR_RETENTION_DAYS',
    default: '7 days / 90 days',
  },
  { collectionGroup: 'metricsLedger', field: 'expireAt', retention: 'counting time + 8 days (outlives trigger retries, 7 days)', default: '8 days' },
  { collectionGroup: 'riskIndex', field: 'expireAt', retention: 'the minute + N days (riskIndex/current never expires)', param: 'RISK_INDEX_RETENTION_DAYS', default: '30 days' },
  { collectionGroup: 'blocklist', field: 'expireAt', retention: "block time + the step's ttlHours (extended, never shortened, by later blocks)", default: '24 h (brute force), 1 h (DDoS), 72 h (ransomware, exfiltration, malware); at most 90 days' },
  { collectionGroup: 'rateLimits', field: 'expireAt', retention: 'end of the rate-limit window', default: 'minutes' },
];
