import { createHash } from 'node:crypto';
import type {
  CollectionReference,
  DocumentData,
  DocumentReference,
  Firestore,
  FirestoreDataConverter,
  QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import type { z } from 'zod';
import {
  DetectionExceptionDocSchema,
  DetectionRuleDocSchema,
  type DetectionExceptionDoc,
  type DetectionRuleDoc,
} from '../detection/catalog';
import {
  AlertDedupDocSchema,
  ApprovalDocSchema,
  AlertDocSchema,
  AuditLogDocSchema,
  BlocklistDocSchema,
  MailDocSchema,
  NeverBlockDocSchema,
  MetricsLedgerDocSchema,
  MetricsShardDocSchema,
  PlaybookDocSchema,
  PlaybookRunDocSchema,
  RateLimitDocSchema,
  RejectedEventDocSchema,
  RiskIndexDocSchema,
  SourceSightingDocSchema,
  ThreatDocSchema,
  type AlertDedupDoc,
  type ApprovalDoc,
  type AlertDoc,
  type AuditLogDoc,
  type BlocklistDoc,
  type MailDoc,
  type NeverBlockDoc,
  type MetricsLedgerDoc,
  type MetricsShardDoc,
  type PlaybookDoc,
  type PlaybookRunDoc,
  type RateLimitDoc,
  type RejectedEventDoc,
  type RiskIndexDoc,
  type SourceSightingDoc,
  type ThreatDoc,
} from './schema';

export const COLLECTIONS = {
  threats: 'threats',
  sourceActivity: 'sourceActivity',
  sourceSightings: 'sightings',
  alerts: 'alerts',
  alertDedup: 'alertDedup',
  rejectedEvents: 'rejectedEvents',
  auditLog: 'auditLog',
  rateLimits: 'rateLimits',
  playbooks: 'playbooks',
  playbookRuns: 'playbookRuns',
  approvals: 'approvals',
  blocklist: 'blocklist',
  neverBlock: 'neverBlock',
  mail: 'mail',
  metrics: 'metrics',
  metricShards: 'shards',
  metricsLedger: 'metricsLedger',
  riskIndex: 'riskIndex',
  detectionRules: 'detectionRules',
  detectionRuleVersions: 'versions',
  detectionExceptions: 'detectionExceptions',
} as const;

/** Validates every document read, so a malformed document fails loudly where it is read. */
function zodConverter<Schema extends z.ZodType<DocumentData>>(
  schema: Schema,
): FirestoreDataConverter<z.infer<Schema>> {
  return {
    toFirestore: (value) => value as DocumentData,
    fromFirestore: (snapshot: QueryDocumentSnapshot) => schema.parse(snapshot.data()),
  };
}

const threatConverter = zodConverter(ThreatDocSchema);
const alertConverter = zodConverter(AlertDocSchema);
const alertDedupConverter = zodConverter(AlertDedupDocSchema);
const rejectedEventConverter = zodConverter(RejectedEventDocSchema);

/**
 * A document id derived from a key: the first 32 hex digits of its SHA-256. Keys from outside are
 * often sequential or neighbouring (evt-000001, 10.0.0.7, ...), which would send every write to
 * one Firestore tablet; a hash spreads them, and is a valid id whatever the key holds.
 */
export function hashedId(key: string | Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** Threat document id for an event id. The event id stays a field, which the API queries. */
export function threatIdFor(eventId: string): string {
  return hashedId(eventId);
}

export function threatsCollection(db: Firestore): CollectionReference<ThreatDoc> {
  return db.collection(COLLECTIONS.threats).withConverter(threatConverter);
}
export function threatRef(db: Firestore, threatId: string): DocumentReference<ThreatDoc> {
  return threatsCollection(db).doc(threatId);
}

const sourceSightingConverter = zodConverter(SourceSightingDocSchema);

/** `sourceActivity/{hashed source IP}/sightings`: the threats seen from one source. */
export function sourceSightingsCollection(db: Firestore, sourceIp: string): CollectionReference<SourceSightingDoc> {
  return db
    .collection(COLLECTIONS.sourceActivity)
    .doc(hashedId(sourceIp))
    .collection(COLLECTIONS.sourceSightings)
    .withConverter(sourceSightingConverter);
}
export function sourceSightingRef(db: Firestore, sourceIp: string, threatId: string): DocumentReference<SourceSightingDoc> {
  return sourceSightingsCollection(db, sourceIp).doc(threatId);
}

export function alertsCollection(db: Firestore): CollectionReference<AlertDoc> {
  return db.collection(COLLECTIONS.alerts).withConverter(alertConverter);
}
export function alertRef(db: Firestore, alertId: string): DocumentReference<AlertDoc> {
  return alertsCollection(db).doc(alertId);
}

export function alertDedupRef(db: Firestore, dedupKey: string): DocumentReference<AlertDedupDoc> {
  return db.collection(COLLECTIONS.alertDedup).withConverter(alertDedupConverter).doc(dedupKey);
}

export function rejectedEventsCollection(db: Firestore): CollectionReference<RejectedEventDoc> {
  return db.collection(COLLECTIONS.rejectedEvents).withConverter(rejectedEventConverter);
}

const auditLogConverter = zodConverter(AuditLogDocSchema);
const rateLimitConverter = zodConverter(RateLimitDocSchema);

export function auditLogCollection(db: Firestore): CollectionReference<AuditLogDoc> {
  return db.collection(COLLECTIONS.auditLog).withConverter(auditLogConverter);
}

export function rateLimitRef(db: Firestore, id: string): DocumentReference<RateLimitDoc> {
  return db.collection(COLLECTIONS.rateLimits).withConverter(rateLimitConverter).doc(id);
}

// ---- Playbooks, responses, metrics and the risk index ----

const playbookConverter = zodConverter(PlaybookDocSchema);
const playbookRunConverter = zodConverter(PlaybookRunDocSchema);
const blocklistConverter = zodConverter(BlocklistDocSchema);
const mailConverter = zodConverter(MailDocSchema);
const metricsShardConverter = zodConverter(MetricsShardDocSchema);
const metricsLedgerConverter = zodConverter(MetricsLedgerDocSchema);
const riskIndexConverter = zodConverter(RiskIndexDocSchema);

export function playbooksCollection(db: Firestore): CollectionReference<PlaybookDoc> {
  return db.collection(COLLECTIONS.playbooks).withConverter(playbookConverter);
}
export function playbookRef(db: Firestore, playbookId: string): DocumentReference<PlaybookDoc> {
  return playbooksCollection(db).doc(playbookId);
}

export function playbookRunsCollection(db: Firestore): CollectionReference<PlaybookRunDoc> {
  return db.collection(COLLECTIONS.playbookRuns).withConverter(playbookRunConverter);
}
export function playbookRunRef(db: Firestore, runId: string): DocumentReference<PlaybookRunDoc> {
  return playbookRunsCollection(db).doc(runId);
}

const approvalConverter = zodConverter(ApprovalDocSchema);

export function approvalsCollection(db: Firestore): CollectionReference<ApprovalDoc> {
  return db.collection(COLLECTIONS.approvals).withConverter(approvalConverter);
}

export function approvalRef(db: Firestore, approvalId: string): DocumentReference<ApprovalDoc> {
  return approvalsCollection(db).doc(approvalId);
}

const neverBlockConverter = zodConverter(NeverBlockDocSchema);

export function neverBlockCollection(db: Firestore): CollectionReference<NeverBlockDoc> {
  return db.collection(COLLECTIONS.neverBlock).withConverter(neverBlockConverter);
}

/** One document per CIDR, named by its hash: adding the same CIDR twice leaves one. */
export function neverBlockRef(db: Firestore, cidr: string): DocumentReference<NeverBlockDoc> {
  return neverBlockCollection(db).doc(createHash('sha256').update(cidr).digest('hex').slice(0, 32));
}

export function blocklistCollection(db: Firestore): CollectionReference<BlocklistDoc> {
  return db.collection(COLLECTIONS.blocklist).withConverter(blocklistConverter);
}
/** One document per address (the id is the address as written; IPv6 colons are valid in ids). */
export function blocklistRef(db: Firestore, ip: string): DocumentReference<BlocklistDoc> {
  return blocklistCollection(db).doc(ip);
}

export function mailRef(db: Firestore, mailId: string): DocumentReference<MailDoc> {
  return db.collection(COLLECTIONS.mail).withConverter(mailConverter).doc(mailId);
}

/** `metrics/{granularity}_{bucketStart}/shards`: the shards of one time bucket. */
export function metricShardsCollection(db: Firestore, bucketId: string): CollectionReference<MetricsShardDoc> {
  return db
    .collection(COLLECTIONS.metrics)
    .doc(bucketId)
    .collection(COLLECTIONS.metricShards)
    .withConverter(metricsShardConverter);
}
export function metricShardRef(db: Firestore, bucketId: string, shard: number): DocumentReference<MetricsShardDoc> {
  return metricShardsCollection(db, bucketId).doc(String(shard));
}

export function metricsLedgerRef(db: Firestore, key: string): DocumentReference<MetricsLedgerDoc> {
  return db.collection(COLLECTIONS.metricsLedger).withConverter(metricsLedgerConverter).doc(key);
}

export const RISK_INDEX_CURRENT_ID = 'current';
export function riskIndexCollection(db: Firestore): CollectionReference<RiskIndexDoc> {
  return db.collection(COLLECTIONS.riskIndex).withConverter(riskIndexConverter);
}
/** `riskIndex/current` or `riskIndex/{minute}` (timeline). */
export function riskIndexRef(db: Firestore, id: string): DocumentReference<RiskIndexDoc> {
  return riskIndexCollection(db).doc(id);
}

// ---- Detection catalog (detection/catalog.ts shapes; detection/catalog-store.ts writes them) ----

const detectionRuleConverter = zodConverter(DetectionRuleDocSchema);
const detectionExceptionConverter = zodConverter(DetectionExceptionDocSchema);

export function detectionRulesCollection(db: Firestore): CollectionReference<DetectionRuleDoc> {
  return db.collection(COLLECTIONS.detectionRules).withConverter(detectionRuleConverter);
}
/** `detectionRules/{ruleId}`: the document id is the rule id. */
export function detectionRuleRef(db: Firestore, ruleId: string): DocumentReference<DetectionRuleDoc> {
  return detectionRulesCollection(db).doc(ruleId);
}
/** `detectionRules/{ruleId}/versions/{n}`: every earlier version, as it was stored. */
export function detectionRuleVersionsCollection(db: Firestore, ruleId: string): CollectionReference<DetectionRuleDoc> {
  return db
    .collection(COLLECTIONS.detectionRules)
    .doc(ruleId)
    .collection(COLLECTIONS.detectionRuleVersions)
    .withConverter(detectionRuleConverter);
}
export function detectionRuleVersionRef(db: Firestore, ruleId: string, version: number): DocumentReference<DetectionRuleDoc> {
  return detectionRuleVersionsCollection(db, ruleId).doc(String(version));
}

export function detectionExceptionsCollection(db: Firestore): CollectionReference<DetectionExceptionDoc> {
  return db.collection(COLLECTIONS.detectionExceptions).withConverter(detectionExceptionConverter);
}
export function detectionExceptionRef(db: Firestore, exceptionId: string): DocumentReference<DetectionExceptionDoc> {
  return detectionExceptionsCollection(db).doc(exceptionId);
}
