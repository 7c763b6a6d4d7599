import { Timestamp, type Firestore, type Query } from 'firebase-admin/firestore';
import {
  approvalsCollection,
  COLLECTIONS,
  neverBlockCollection,
  metricShardsCollection,
  playbookRunsCollection,
  playbooksCollection,
  riskIndexCollection,
} from './refs';
import type { ApprovalDoc, MetricsShardDoc, NeverBlockDoc, PlaybookDoc, PlaybookRunDoc, RiskIndexDoc } from './schema';

// Every Firestore query the functions make, by name, with its shape: which fields it filters on
// with equality, which one with a range, how it orders. Queries are built from these shapes (so
// the shape is what runs), and the index test (indexes.test.ts) derives from each shape the index
// it needs and fails if firestore.indexes.json lacks it. The Firestore emulator does not enforce
// composite indexes; production does, with a FAILED_PRECONDITION at the first query.

export type Direction = 'asc' | 'desc';

export interface QueryShape {
  name: string;
  /** The collection id (for a sub-collection, its last segment). */
  collectionGroup: string;
  scope: 'COLLECTION' | 'COLLECTION_GROUP';
  /** Fields compared with == or in. */
  equality: readonly string[];
  /** The one field compared with <, <=, >, >= (Firestore orders by it first). */
  range?: string;
  orderBy: readonly { field: string; direction: Direction }[];
  /** Fields summed or averaged by an aggregation query (Firestore reads them from the index). */
  aggregates?: readonly string[];
  /** Where the query is made, for the test's messages. */
  usedBy: string;
  /** Set when the query is built inline in that file rather than here (the index test allows it). */
  inlineIn?: string;
}

type RangeOp = '<' | '<=' | '>' | '>=';

interface QueryValues {
  equals?: Record<string, unknown>;
  range?: { op: RangeOp; value: unknown }[];
  limit?: number;
}

/** Builds a query from its shape: only the shape's fields, in the shape's order. */
export function buildQuery<T>(base: Query<T>, shape: QueryShape, values: QueryValues = {}): Query<T> {
  let query = base;
  for (const field of shape.equality) {
    const value = values.equals?.[field];
    if (value === undefined) throw new Error(`query ${shape.name}: no value for ${field}`);
    query = query.where(field, Array.isArray(value) ? 'in' : '==', value);
  }
  const extra = Object.keys(values.equals ?? {}).filter((field) => !shape.equality.includes(field));
  if (extra.length > 0) throw new Error(`query ${shape.name}: ${extra.join(', ')} is not in its shape`);
  for (const { op, value } of values.range ?? []) {
    if (!shape.range) throw new Error(`query ${shape.name} has no range field`);
    query = query.where(shape.range, op, value);
  }
  for (const { field, direction } of shape.orderBy) query = query.orderBy(field, direction);
  if (values.limit !== undefined) query = query.limit(values.limit);
  return query;
}

export const QUERY_SHAPES = {
  playbooksAll: {
    name: 'playbooks.all',
    collectionGroup: COLLECTIONS.playbooks,
    scope: 'COLLECTION',
    equality: [],
    orderBy: [],
    usedBy: 'playbooks/store.ts (catalog), API GET /api/playbooks',
  },
  playbookRunsRecent: {
    name: 'playbookRuns.recent',
    collectionGroup: COLLECTIONS.playbookRuns,
    scope: 'COLLECTION',
    equality: [],
    orderBy: [{ field: 'createdAt', direction: 'desc' }],
    usedBy: 'API GET /api/playbooks/history',
  },
  playbookRunsForAlert: {
    name: 'playbookRuns.forAlert',
    collectionGroup: COLLECTIONS.playbookRuns,
    scope: 'COLLECTION',
    equality: ['alertId'],
    orderBy: [{ field: 'createdAt', direction: 'desc' }],
    usedBy: 'API (an alert\'s runs), test/emulators/playbooks.test.ts',
  },
  playbookRunsStalled: {
    name: 'playbookRuns.stalled',
    collectionGroup: COLLECTIONS.playbookRuns,
    scope: 'COLLECTION',
    equality: ['status'],
    range: 'leaseExpiresAt',
    orderBy: [{ field: 'leaseExpiresAt', direction: 'asc' }],
    usedBy: 'playbooks/executor.ts resumeStalledRuns',
  },
  neverBlockAll: {
    name: 'neverBlock.all',
    collectionGroup: COLLECTIONS.neverBlock,
    scope: 'COLLECTION',
    equality: [],
    orderBy: [],
    usedBy: 'playbooks/actions.ts block_ip, API GET /api/never-block',
  },
  approvalsPending: {
    name: 'approvals.pending',
    collectionGroup: COLLECTIONS.approvals,
    scope: 'COLLECTION',
    equality: ['status'],
    orderBy: [{ field: 'requestedAt', direction: 'desc' }],
    usedBy: 'API GET /api/approvals',
  },
  approvalsExpired: {
    name: 'approvals.expired',
    collectionGroup: COLLECTIONS.approvals,
    scope: 'COLLECTION',
    equality: ['status'],
    range: 'expiresAt',
    orderBy: [{ field: 'expiresAt', direction: 'asc' }],
    usedBy: 'playbooks/executor.ts resumeStalledRuns (expiry)',
  },
  riskIndexTimeline: {
    name: 'riskIndex.timeline',
    collectionGroup: COLLECTIONS.riskIndex,
    scope: 'COLLECTION',
    equality: ['kind'],
    range: 'bucketStart',
    orderBy: [{ field: 'bucketStart', direction: 'desc' }],
    usedBy: 'metrics/read.ts riskIndexTimeline (API GET /api/analytics/risk-index)',
  },
  metricShardsOfBucket: {
    name: 'metrics.shardsOfBucket',
    collectionGroup: COLLECTIONS.metricShards,
    scope: 'COLLECTION',
    equality: [],
    orderBy: [],
    usedBy: 'metrics/read.ts readBucket',
  },
  metricShardsSums: {
    name: 'metrics.shardsSums',
    collectionGroup: COLLECTIONS.metricShards,
    scope: 'COLLECTION',
    equality: [],
    orderBy: [],
    aggregates: ['events', 'bySeverity.CRITICAL', 'bySeverity.HIGH', 'bySeverity.MEDIUM', 'bySeverity.LOW'],
    usedBy: 'metrics/read.ts sumBucket (risk index)',
  },

  sourceSightingsInWindow: {
    name: 'sourceSightings.inWindow',
    collectionGroup: COLLECTIONS.sourceSightings,
    scope: 'COLLECTION',
    equality: [],
    range: 'occurredAt',
    orderBy: [{ field: 'occurredAt', direction: 'desc' }],
    usedBy: 'pipeline/ingest.ts countRecentEventsFromSource (the most recent, up to 7)',
  },

  // ---- Queries built inline elsewhere, declared here so the index test covers them ----
  alertsActive: {
    name: 'alerts.active',
    collectionGroup: COLLECTIONS.alerts,
    scope: 'COLLECTION',
    equality: ['status'],
    orderBy: [{ field: 'lastSeen', direction: 'desc' }],
    usedBy: 'activeAlerts (GET /api/alerts/active)',
    inlineIn: 'api/services/alerts.ts',
  },
  threatsRecent: {
    name: 'threats.recent',
    collectionGroup: COLLECTIONS.threats,
    scope: 'COLLECTION',
    equality: [],
    orderBy: [
      { field: 'createdAt', direction: 'desc' },
      { field: '__name__', direction: 'desc' },
    ],
    usedBy: 'recentThreats (GET /api/threats/recent)',
    inlineIn: 'api/services/threats.ts',
  },
  threatsRecentBySeverity: {
    name: 'threats.recentBySeverity',
    collectionGroup: COLLECTIONS.threats,
    scope: 'COLLECTION',
    equality: ['risk.severity'],
    orderBy: [
      { field: 'createdAt', direction: 'desc' },
      { field: '__name__', direction: 'desc' },
    ],
    usedBy: 'recentThreats with ?severity',
    inlineIn: 'api/services/threats.ts',
  },
  threatsStatsSince: {
    name: 'threats.statsSince',
    collectionGroup: COLLECTIONS.threats,
    scope: 'COLLECTION',
    equality: [],
    range: 'createdAt',
    orderBy: [],
    aggregates: ['risk.score'],
    usedBy: 'threatStats (count, sum and average of risk.score)',
    inlineIn: 'api/services/threats.ts',
  },
  threatsStatsAll: {
    name: 'threats.statsAll',
    collectionGroup: COLLECTIONS.threats,
    scope: 'COLLECTION',
    equality: [],
    orderBy: [],
    aggregates: ['risk.score'],
    usedBy: 'threatStats window=all',
    inlineIn: 'api/services/threats.ts',
  },
  threatsCountBySeveritySince: {
    name: 'threats.countBySeveritySince',
    collectionGroup: COLLECTIONS.threats,
    scope: 'COLLECTION',
    equality: ['risk.severity'],
    range: 'createdAt',
    orderBy: [],
    usedBy: 'threatStats (count per severity)',
    inlineIn: 'api/services/threats.ts',
  },
  threatsCountByTypeSince: {
    name: 'threats.countByTypeSince',
    collectionGroup: COLLECTIONS.threats,
    scope: 'COLLECTION',
    equality: ['event_type'],
    range: 'createdAt',
    orderBy: [],
    usedBy: 'threatStats (count per event type)',
    inlineIn: 'api/services/threats.ts',
  },
  // The detection catalog (detection/catalog-store.ts): single-field queries, no composite index.
  detectionRulesEnabledIn: {
    name: 'detectionRules.enabledIn',
    collectionGroup: COLLECTIONS.detectionRules,
    scope: 'COLLECTION',
    // array-contains on enabledIn: one field, served by its automatic index like an equality.
    equality: ['enabledIn'],
    orderBy: [],
    usedBy: 'readCatalog (the runtime\'s rules for one environment)',
    inlineIn: 'detection/catalog-store.ts',
  },
  detectionRulesBuiltinOverrides: {
    name: 'detectionRules.builtinOverrides',
    collectionGroup: COLLECTIONS.detectionRules,
    scope: 'COLLECTION',
    equality: ['source'],
    orderBy: [],
    usedBy: 'readCatalog (overrides of built-in rules)',
    inlineIn: 'detection/catalog-store.ts',
  },
  detectionRulesById: {
    name: 'detectionRules.byId',
    collectionGroup: COLLECTIONS.detectionRules,
    scope: 'COLLECTION',
    equality: [],
    orderBy: [{ field: '__name__', direction: 'asc' }],
    usedBy: 'listRulesPage (GET /api/detection-rules)',
    inlineIn: 'detection/catalog-store.ts',
  },
  detectionRuleVersions: {
    name: 'detectionRules.versions',
    collectionGroup: COLLECTIONS.detectionRuleVersions,
    scope: 'COLLECTION',
    equality: [],
    orderBy: [{ field: 'version', direction: 'desc' }],
    usedBy: 'getRule (GET /api/detection-rules/{id})',
    inlineIn: 'detection/catalog-store.ts',
  },
  detectionExceptionsActive: {
    name: 'detectionExceptions.active',
    collectionGroup: COLLECTIONS.detectionExceptions,
    scope: 'COLLECTION',
    equality: [],
    range: 'expiresAt',
    orderBy: [],
    usedBy: 'readCatalog (unexpired exceptions)',
    inlineIn: 'detection/catalog-store.ts',
  },
  detectionExceptionsRecent: {
    name: 'detectionExceptions.recent',
    collectionGroup: COLLECTIONS.detectionExceptions,
    scope: 'COLLECTION',
    equality: [],
    orderBy: [{ field: 'createdAt', direction: 'desc' }],
    usedBy: 'listExceptions (GET /api/detection-exceptions)',
    inlineIn: 'detection/catalog-store.ts',
  },
} as const satisfies Record<string, QueryShape>;

export const ALL_QUERY_SHAPES: readonly QueryShape[] = Object.values(QUERY_SHAPES);

// ---- The queries, built from their shapes ----

export function allPlaybooksQuery(db: Firestore): Query<PlaybookDoc> {
  return buildQuery(playbooksCollection(db), QUERY_SHAPES.playbooksAll);
}

export function recentPlaybookRunsQuery(db: Firestore, limit: number): Query<PlaybookRunDoc> {
  return buildQuery(playbookRunsCollection(db), QUERY_SHAPES.playbookRunsRecent, { limit });
}

export function playbookRunsForAlertQuery(db: Firestore, alertId: string, limit: number): Query<PlaybookRunDoc> {
  return buildQuery(playbookRunsCollection(db), QUERY_SHAPES.playbookRunsForAlert, { equals: { alertId }, limit });
}

/** Unfinished runs whose lease has run out: their invocation died and no redelivery took them over. */
export function stalledPlaybookRunsQuery(db: Firestore, now: Date, limit: number): Query<PlaybookRunDoc> {
  return buildQuery(playbookRunsCollection(db), QUERY_SHAPES.playbookRunsStalled, {
    equals: { status: ['PENDING', 'RUNNING'] },
    range: [{ op: '<', value: Timestamp.fromDate(now) }],
    limit,
  });
}

/** The admin-managed never-block list (small: read whole). */
export function neverBlockQuery(db: Firestore, limit: number): Query<NeverBlockDoc> {
  return buildQuery(neverBlockCollection(db), QUERY_SHAPES.neverBlockAll, { limit });
}

/** Approvals in one status, newest first. */
export function approvalsByStatusQuery(db: Firestore, status: ApprovalDoc['status'], limit: number): Query<ApprovalDoc> {
  return buildQuery(approvalsCollection(db), QUERY_SHAPES.approvalsPending, { equals: { status }, limit });
}

/** PENDING approvals whose time ran out. */
export function expiredApprovalsQuery(db: Firestore, now: Date, limit: number): Query<ApprovalDoc> {
  return buildQuery(approvalsCollection(db), QUERY_SHAPES.approvalsExpired, {
    equals: { status: 'PENDING' },
    range: [{ op: '<=', value: Timestamp.fromDate(now) }],
    limit,
  });
}

export function riskIndexTimelineQuery(db: Firestore, since: Date, limit: number): Query<RiskIndexDoc> {
  return buildQuery(riskIndexCollection(db), QUERY_SHAPES.riskIndexTimeline, {
    equals: { kind: 'minute' },
    range: [{ op: '>=', value: Timestamp.fromDate(since) }],
    limit,
  });
}

export function metricShardsQuery(db: Firestore, bucketId: string): Query<MetricsShardDoc> {
  return buildQuery(metricShardsCollection(db, bucketId), QUERY_SHAPES.metricShardsOfBucket);
}

/** The shards of a bucket, for an aggregation over QUERY_SHAPES.metricShardsSums.aggregates. */
export function metricShardsSumsQuery(db: Firestore, bucketId: string): Query<MetricsShardDoc> {
  return buildQuery(metricShardsCollection(db, bucketId), QUERY_SHAPES.metricShardsSums);
}
