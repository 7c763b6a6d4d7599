import { NormalizedEventSchema } from '@threatstream/events';
import { Timestamp } from 'firebase-admin/firestore';
import { z } from 'zod';
import { EventTypeSchema, SeveritySchema } from '../domain/event';
import { AnalysisSchema, GeoSchema, MitreTechniqueSchema, NetworkZoneSchema, RiskSchema } from '../domain/threat';
import {
  ActionSchema,
  APPROVAL_STATUSES,
  ApprovalConditionSchema,
  OnFailureSchema,
  PlaybookFieldsSchema,
  RUN_BUDGET_MESSAGE,
  RUN_STATUSES,
  STEP_STATUSES,
  fitsRunBudget,
} from '../domain/playbook';

// One zod schema per stored document: the TypeScript type, the converter's validation on read
// and (later) the OpenAPI components all come from here.

export const TimestampSchema = z.instanceof(Timestamp);

export const MODEL_STATUSES = ['analysed', 'cached', 'skipped', 'failed'] as const;
export const ModelStatusSchema = z.enum(MODEL_STATUSES);
export type ModelStatus = z.infer<typeof ModelStatusSchema>;

/**
 * What the model (Gemini) did with a threat the policy selected for it. Absent when the policy
 * did not select the threat or no model is configured: the rules analysis is then all there is.
 */
export const ModelRecordSchema = z.object({
  /** analysed: a fresh answer; cached: an earlier answer for the same event signature;
   *  skipped: selected but over the per-minute budget; failed: see `reason`. */
  status: ModelStatusSchema,
  /** Why skipped or failed: budget_exhausted, timeout, rate_limited, server_error,
   *  malformed_json, schema_violation, breaker_open, ... */
  reason: z.string().optional(),
  detail: z.string().optional(),
  /** The model asked, e.g. gemini-3.5-flash-lite. */
  name: z.string(),
  /** Time the analysis function spent on the model path (cache, call, retry). */
  latencyMs: z.number().int().nonnegative(),
  /** The modelCache document the answer is cached under: a hash of the event's signature (type,
   *  source, destination port, payload shape), the model and the prompt version. */
  signature: z.string().optional(),
  /** Technique ids the model named that are not in our ATT&CK table (dropped). */
  droppedTechniques: z.array(z.string()).optional(),
  at: TimestampSchema,
});
export type ModelRecord = z.infer<typeof ModelRecordSchema>;

/** threats/{threatId}: an event as received, enriched, analysed and scored. */
export const ThreatDocSchema = z.object({
  // The event, as the producer sent it (snake_case, as on the wire).
  event_id: z.string(),
  timestamp: z.string(),
  event_type: EventTypeSchema,
  source_ip: z.string(),
  destination_ip: z.string().optional(),
  destination_port: z.number().int().optional(),
  protocol: z.string().optional(),
  payload: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()),
  /** A sensor alert's normalised event (@threatstream/events), as parsed where it entered. */
  normalized: NormalizedEventSchema.optional(),
  // What ThreatStream made of it.
  occurredAt: TimestampSchema,
  geo: GeoSchema,
  destinationGeo: GeoSchema.optional(),
  analysis: AnalysisSchema,
  /** The rules engine's analysis, kept when a model's analysis replaces `analysis`. */
  rulesAnalysis: AnalysisSchema.optional(),
  risk: RiskSchema,
  /** What the model did with this threat (see ModelRecordSchema); absent if it was not asked. */
  model: ModelRecordSchema.optional(),
  /**
   * Events from the same source in the recent-activity window when this one was scored, counted
   * up to RECENT_ACTIVITY_SATURATION (7), where the factor's points stop growing.
   */
  recentActivity: z.number().int().nonnegative(),
  /**
   * Set on a detection an analyst's exception covers: the threat is kept and counted, but opens
   * and joins no alert.
   */
  suppression: z.object({ exceptionId: z.string(), reason: z.string(), owner: z.string(), expiresAt: z.string() }).optional(),
  alertId: z.string().optional(),
  /** When this threat opened or joined its alert: time to alert is alertedAt − createdAt. */
  alertedAt: TimestampSchema.optional(),
  /** Pub/Sub message id of the delivery that created this document. */
  messageId: z.string(),
  createdAt: TimestampSchema,
  expireAt: TimestampSchema,
});
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

export const ALERT_STATUSES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED'] as const;
export const AlertStatusSchema = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof AlertStatusSchema>;

/** How many threat ids an alert keeps; `occurrences` counts them all. */
export const ALERT_THREAT_IDS_KEPT = 50;

/** alerts/{alertId}: one ongoing attack (same source and type) that an analyst should look at. */
export const AlertDocSchema = z.object({
  title: z.string(),
  severity: SeveritySchema,
  status: AlertStatusSchema,
  dedupKey: z.string(),
  eventType: EventTypeSchema,
  sourceIp: z.string(),
  sourceCountry: z.string().optional(),
  /** The most recent threat ids (at most ALERT_THREAT_IDS_KEPT), oldest first. */
  threatIds: z.array(z.string()),
  /** event_id of each threat in `threatIds`, same order. */
  eventIds: z.array(z.string()),
  occurrences: z.number().int().positive(),
  maxRiskScore: z.number().int().min(0).max(100),
  mitre: z.array(MitreTechniqueSchema),
  firstSeen: TimestampSchema,
  lastSeen: TimestampSchema,
  assignee: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: TimestampSchema.nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: TimestampSchema.nullable(),
  resolutionNote: z.string().nullable(),
  /**
   * What its threats showed that makes automation wait for a person on destructive steps (the
   * union over every threat that opened or joined it): see domain/alerting.ts.
   */
  approvalConditions: z.array(ApprovalConditionSchema).default([]),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
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

/** Who made a change: a person (through the API) or an automated actor. */
export const AuditActorSchema = z.object({
  type: z.enum(['user', 'playbook', 'system']),
  /** Firebase Auth uid, playbook id, or function name. */
  id: z.string(),
  email: z.string().optional(),
  role: z.string().optional(),
});
export type AuditActor = z.infer<typeof AuditActorSchema>;

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
export const PlaybookRunStepSchema = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  action: ActionSchema,
  params: z.record(z.string(), z.unknown()),
  timeoutMs: z.number().int().positive(),
  onFailure: OnFailureSchema,
  requiresApproval: z.boolean().default(false),
  approvalWhen: z.array(ApprovalConditionSchema).default([]),
  /** The approval this step waited for, and how it was decided; null when it did not wait. */
  approval: z
    .object({
      id: z.string(),
      status: z.enum(APPROVAL_STATUSES),
      reasons: z.array(z.string()),
      decidedBy: AuditActorSchema.nullable(),
      decidedAt: TimestampSchema.nullable(),
    })
    .nullable()
    .default(null),
  status: StepStatusSchema,
  /** Executions of the step; above 1 after an instance died while it ran (see MAX_STEP_ATTEMPTS). */
  attempts: z.number().int().nonnegative(),
  /** What the action did (a dry run: what it would do), as plain JSON. */
  output: z.record(z.string(), z.unknown()).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  startedAt: TimestampSchema.nullable(),
  finishedAt: TimestampSchema.nullable(),
  durationMs: z.number().nonnegative().nullable(),
});
export type PlaybookRunStep = z.infer<typeof PlaybookRunStepSchema>;

/**
 * playbookRuns/{runId}: one execution of a playbook against an alert. An automatic run's id is
 * hash(alert, playbook), so trigger redeliveries find it; the lease says which invocation is
 * working on it and until when, so a crashed run is resumed and a live one is left alone.
 */
export const PlaybookRunDocSchema = z.object({
  playbookId: z.string(),
  playbookVersion: z.number().int().positive(),
  playbookName: z.string(),
  alertId: z.string(),
  trigger: z.enum(['auto', 'manual']),
  /** Who started it: the playbook itself (auto) or a user (manual). */
  actor: AuditActorSchema,
  dryRun: z.boolean(),
  status: RunStatusSchema,
  steps: z.array(PlaybookRunStepSchema),
  leaseOwner: z.string().nullable(),
  /** Past this, another invocation may take the run over (set at creation too, for stalled PENDING runs). */
  leaseExpiresAt: TimestampSchema.nullable(),
  createdAt: TimestampSchema,
  startedAt: TimestampSchema.nullable(),
  finishedAt: TimestampSchema.nullable(),
  updatedAt: TimestampSchema,
  durationMs: z.number().nonnegative().nullable(),
  expireAt: TimestampSchema,
});
export type PlaybookRunDoc = z.infer<typeof PlaybookRunDocSchema>;

/**
 * approvals/{runId}-{stepIndex}: a playbook step waiting for a responder's decision, with what it
 * will do (the step's dry-run output). PENDING until approved, rejected or expired.
 */
export const ApprovalDocSchema = z.object({
  runId: z.string(),
  stepIndex: z.number().int().nonnegative(),
  stepName: z.string(),
  action: ActionSchema,
  alertId: z.string(),
  alertTitle: z.string(),
  playbookId: z.string(),
  playbookName: z.string(),
  /** Why it waits: step_requires_approval, model_raised, low_rules_confidence, spoofable_source. */
  reasons: z.array(z.string()),
  /** What the step will do when approved: its dry-run output (address, host, URL, body...). */
  preview: z.record(z.string(), z.unknown()),
  status: z.enum(APPROVAL_STATUSES),
  requestedAt: TimestampSchema,
  /** Still PENDING past this, it expires: the step is not done. */
  expiresAt: TimestampSchema,
  decidedBy: AuditActorSchema.nullable(),
  decidedAt: TimestampSchema.nullable(),
  note: z.string().nullable(),
  expireAt: TimestampSchema,
});
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

export const RISK_LEVELS = ['low', 'guarded', 'elevated', 'severe'] as const;

/**
 * riskIndex/{minute} (timeline, kind "minute") and riskIndex/current (kind "current", which the
 * dashboard listens to): the estate's 0-100 risk index (metrics/risk-index.ts explains it).
 */
export const RiskIndexDocSchema = z.object({
  kind: z.enum(['current', 'minute']),
  /** The minute the index describes (the last complete one), e.g. "2026-01-01T12:34Z". */
  minute: z.string(),
  bucketStart: TimestampSchema,
  index: z.number().int().min(0).max(100),
  level: z.enum(RISK_LEVELS),
  /** Decayed severity-weighted threats per minute over the window. */
  load: z.number().nonnegative(),
  /** Mean severity-weighted threats per minute over the baseline day. */
  baseline: z.number().nonnegative(),
  /** max(baseline, floor): what `load` is compared with. */
  reference: z.number().positive(),
  /** Threats per severity over the window (not decayed). */
  recent: z.record(z.string(), z.number()),
  /** Each severity's share of `load`, largest first: the explanation of the index. */
  contributions: z.array(z.object({ severity: SeveritySchema, weight: z.number(), load: z.number() })),
  windowMinutes: z.number().int().positive(),
  halfLifeMinutes: z.number().positive(),
  computedAt: TimestampSchema,
  /** The timeline expires (TTL); `current` never does (null). */
  expireAt: TimestampSchema.nullable(),
});
export type RiskIndexDoc = z.infer<typeof RiskIndexDocSchema>;
