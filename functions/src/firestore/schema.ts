import {
  ALERT_STATUSES,
  ALERT_THREAT_IDS_KEPT,
  AlertStatusSchema,
  AuditActorSchema,
  MODEL_STATUSES,
  ModelStatusSchema,
  RISK_LEVELS,
  storedDocumentSchemas,
  type AlertStatus,
  type AuditActor,
  type ModelStatus,
} from '@threatstream/events';
import { Timestamp } from 'firebase-admin/firestore';
import { z } from 'zod';
import { NetworkZoneSchema } from '../domain/threat';
import { PlaybookFieldsSchema, RUN_BUDGET_MESSAGE, RUN_STATUSES, STEP_STATUSES, fitsRunBudget } from '../domain/playbook';

// One zod schema per stored document: the TypeScript type, the converter's validation on read
// and the OpenAPI components all come from here. The documents the dashboard reads too (threats,
// alerts, runs, approvals, the risk index) are defined once in @threatstream/events, over a
// timestamp schema: here it is firebase-admin's Timestamp.

export const TimestampSchema = z.instanceof(Timestamp);

const stored = storedDocumentSchemas(TimestampSchema);

export { MODEL_STATUSES, ModelStatusSchema, type ModelStatus };

/** What the model (Gemini) did with a threat the policy selected for it (see the events package). */
export const ModelRecordSchema = stored.ModelRecordSchema;
export type ModelRecord = z.infer<typeof ModelRecordSchema>;

/** threats/{threatId}: an event as received, enriched, analysed and scored. */
export const ThreatDocSchema = stored.ThreatDocSchema;
export type ThreatDoc = z.infer<typeof ThreatDocSchema>;

/**
 * sourceActivity/{sourceKey}/sightings/{threatId}: one per threat, under its source, written in
 * the batch that creates the threat. The recent-activity factor counts a source's sightings in
 * its window, a query that reads only that source's documents.
 */
export const SourceSightingDocSchema = z.object({
  occurredAt: TimestampSchema,
  expireAt: TimestampSchema,
});
export type SourceSightingDoc = z.infer<typeof SourceSightingDocSchema>;

export { ALERT_STATUSES, ALERT_THREAT_IDS_KEPT, AlertStatusSchema, type AlertStatus };

/** alerts/{alertId}: one ongoing attack (same source and type) that an analyst should look at. */
export const AlertDocSchema = stored.AlertDocSchema;
export type AlertDoc = z.infer<typeof AlertDocSchema>;

/**
 * alertDedup/{dedupKey}: which alert new threats of one source and type join. Transactions read
 * it, so two threats racing to open an alert for the same attack open exactly one.
 */
export const AlertDedupDocSchema = z.object({
  alertId: z.string(),
  updatedAt: TimestampSchema,
});
export type AlertDedupDoc = z.infer<typeof AlertDedupDocSchema>;

/** rejectedEvents/{id}: a message that is not a valid event, kept with its bytes for replay. */
export const RejectedEventDocSchema = z.object({
  reason: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
  /** The message data, base64, truncated to MAX_REJECTED_RAW_BYTES. */
  rawBase64: z.string(),
  rawBytes: z.number().int().nonnegative(),
  truncated: z.boolean(),
  eventId: z.string().optional(),
  messageId: z.string(),
  attributes: z.record(z.string(), z.string()),
  receivedAt: TimestampSchema,
  expireAt: TimestampSchema,
});
export type RejectedEventDoc = z.infer<typeof RejectedEventDocSchema>;

/** Firestore documents are limited to 1 MiB; an over-size message is kept in part. */
export const MAX_REJECTED_RAW_BYTES = 256 * 1024;

export { AuditActorSchema, type AuditActor };

/** auditLog/{id}: one state change made by a person or a playbook, never updated afterwards. */
export const AuditLogDocSchema = z.object({
  /** What happened, dotted: 'alert.acknowledge', 'alert.resolve', 'playbook.execute', ... */
  action: z.string(),
  actor: AuditActorSchema,
  target: z.object({ collection: z.string(), id: z.string() }),
  /** The fields the change set, with their new values (plain JSON, timestamps as ISO strings). */
  changes: z.record(z.string(), z.unknown()),
  note: z.string().nullable(),
  at: TimestampSchema,
});
export type AuditLogDoc = z.infer<typeof AuditLogDocSchema>;

/**
 * rateLimits/{hash(scope, uid)}: a per-user sliding-window counter (the current and previous
 * fixed windows), updated in a transaction by every API instance alike.
 */
export const RateLimitDocSchema = z.object({
  scope: z.string(),
  /** Start of the current window, in milliseconds since the epoch. */
  windowStartMs: z.number().int(),
  windowMs: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  previousCount: z.number().int().nonnegative(),
  expireAt: TimestampSchema,
});
export type RateLimitDoc = z.infer<typeof RateLimitDocSchema>;

// ---- Playbooks, responses, metrics and the risk index (functions/src/playbooks, metrics) ----

/**
 * playbooks/{id}: a playbook definition (see playbooks/definition.ts). Built-ins are seeded from
 * code, and replaced when the code's version is higher than the stored one.
 */
export const PlaybookDocSchema = z
  .object({
    ...PlaybookFieldsSchema.shape,
    source: z.enum(['builtin', 'custom']),
    updatedAt: TimestampSchema,
  })
  .refine(fitsRunBudget, { message: RUN_BUDGET_MESSAGE, path: ['steps'] });
export type PlaybookDoc = z.infer<typeof PlaybookDocSchema>;

export const StepStatusSchema = z.enum(STEP_STATUSES);
export const RunStatusSchema = z.enum(RUN_STATUSES);

/** One step of a run: the playbook's step as it was when the run started, and what it did. */
export const PlaybookRunStepSchema = stored.PlaybookRunStepSchema;
export type PlaybookRunStep = z.infer<typeof PlaybookRunStepSchema>;

/** playbookRuns/{runId}: one execution of a playbook against an alert (lease, steps, outcome). */
export const PlaybookRunDocSchema = stored.PlaybookRunDocSchema;
export type PlaybookRunDoc = z.infer<typeof PlaybookRunDocSchema>;

/** approvals/{runId}-{stepIndex}: a playbook step waiting for a responder's decision. */
export const ApprovalDocSchema = stored.ApprovalDocSchema;
export type ApprovalDoc = z.infer<typeof ApprovalDocSchema>;

/**
 * blocklist/{ip}: an address an edge firewall or Cloud Armor sync should drop until `expireAt`
 * (Firestore TTL deletes the document some time after; readers compare `expireAt` themselves).
 */
export const BlocklistDocSchema = z.object({
  ip: z.string(),
  zone: NetworkZoneSchema,
  reason: z.string(),
  alertId: z.string(),
  runId: z.string(),
  playbookId: z.string(),
  blockedBy: AuditActorSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  expireAt: TimestampSchema,
});
export type BlocklistDoc = z.infer<typeof BlocklistDocSchema>;

/**
 * neverBlock/{hash(cidr)}: an address or network no playbook may block (admin-managed through the
 * API, audited); the NEVER_BLOCK_CIDRS param adds more. See domain/never-block.ts.
 */
export const NeverBlockDocSchema = z.object({
  cidr: z.string(),
  reason: z.string(),
  addedBy: AuditActorSchema,
  createdAt: TimestampSchema,
});
export type NeverBlockDoc = z.infer<typeof NeverBlockDocSchema>;

/** mail/{id}: a message for the Firebase "Trigger Email" extension, which adds `delivery`. */
export const MailDocSchema = z.object({
  to: z.union([z.string(), z.array(z.string())]),
  message: z.object({ subject: z.string(), text: z.string(), html: z.string() }),
  delivery: z.record(z.string(), z.unknown()).optional(),
});
export type MailDoc = z.infer<typeof MailDocSchema>;

export const METRIC_GRANULARITIES = ['minute', 'hour'] as const;
export const MetricGranularitySchema = z.enum(METRIC_GRANULARITIES);

/**
 * metrics/{granularity}_{bucketStart}/shards/{n}: one shard of a time bucket's counters, written
 * only with FieldValue.increment (see metrics/buckets.ts for the shard count). The bucket's figures
 * are the sum over its shards; the parent document is never written.
 */
export const MetricsShardDocSchema = z.object({
  bucket: z.string(),
  granularity: MetricGranularitySchema,
  bucketStart: TimestampSchema,
  /** Increments applied to this shard: what the write-rate test and benchmark count. */
  writes: z.number().int().nonnegative(),
  events: z.number().int().nonnegative().default(0),
  rejected: z.number().int().nonnegative().default(0),
  alertsOpened: z.number().int().nonnegative().default(0),
  alertsClosed: z.number().int().nonnegative().default(0),
  bySeverity: z.record(z.string(), z.number()).default({}),
  byType: z.record(z.string(), z.number()).default({}),
  byCountry: z.record(z.string(), z.number()).default({}),
  expireAt: TimestampSchema,
});
export type MetricsShardDoc = z.infer<typeof MetricsShardDocSchema>;

/**
 * metricsLedger/{key}: created in the same batch as a counted fact's increments, so a trigger
 * delivered twice counts once (the second batch fails on the existing ledger entry).
 */
export const MetricsLedgerDocSchema = z.object({
  countedAt: TimestampSchema,
  /** The shard the fact went to, in its minute and hour buckets (for audits and the write-rate test). */
  shard: z.number().int().nonnegative(),
  /** Its minute bucket's id. */
  bucket: z.string(),
  expireAt: TimestampSchema,
});
export type MetricsLedgerDoc = z.infer<typeof MetricsLedgerDocSchema>;

export { RISK_LEVELS };

/** riskIndex/{minute} and riskIndex/current: the estate's 0-100 risk index (metrics/risk-index.ts). */
export const RiskIndexDocSchema = stored.RiskIndexDocSchema;
export type RiskIndexDoc = z.infer<typeof RiskIndexDocSchema>;
