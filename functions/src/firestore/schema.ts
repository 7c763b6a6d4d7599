import { Timestamp } from 'firebase-admin/firestore';
import { z } from 'zod';
import { EventTypeSchema, SeveritySchema } from '../domain/event';
import { AnalysisSchema, GeoSchema, MitreTechniqueSchema, RiskSchema } from '../domain/threat';

// One zod schema per stored document: the TypeScript type, the converter's validation on read
// and (later) the OpenAPI components all come from here.

export const TimestampSchema = z.instanceof(Timestamp);

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
  // What ThreatStream made of it.
  occurredAt: TimestampSchema,
  geo: GeoSchema,
  destinationGeo: GeoSchema.optional(),
  analysis: AnalysisSchema,
  /** The rules engine's analysis, kept when a model's analysis replaces `analysis`. */
  rulesAnalysis: AnalysisSchema.optional(),
  risk: RiskSchema,
  /** Events from the same source in the recent-activity window when this one was scored. */
  recentActivity: z.number().int().nonnegative(),
  alertId: z.string().optional(),
  /** Pub/Sub message id of the delivery that created this document. */
  messageId: z.string(),
  createdAt: TimestampSchema,
  expireAt: TimestampSchema,
});
export type ThreatDoc = z.infer<typeof ThreatDocSchema>;

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
