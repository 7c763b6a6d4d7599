import { z } from 'zod';
import { NormalizedEventSchema, SEVERITIES, SeveritySchema } from './schema.js';
import { EventTypeSchema } from './security-event.js';

// The shapes the functions store and the dashboard reads: threats, alerts, playbook runs,
// approvals, the risk index, and what they are made of. One zod source for both. The documents
// hold Firestore Timestamps, which are a different class in the Admin SDK (functions), the web
// SDK (browser) and an ISO string on the API's wire, so they are built by
// `storedDocumentSchemas(timestamp)` for whichever of those the caller has; the functions pass
// z.instanceof(Timestamp) and validate with it, the dashboard only takes the types
// (StoredDocuments<Timestamp>). Nothing here imports Firebase or Node (browser-safe.test.ts).

// ---- Roles (the API enforces them; the dashboard only hides what a role cannot do) ----

/** Roles, lowest first: each role may do everything the roles before it may. */
export const ROLES = ['viewer', 'analyst', 'responder', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

// ---- What a threat is made of ----

/** Where an address sits: the network zone decides how much a touch on it matters. */
export const NETWORK_ZONES = ['private', 'loopback', 'link_local', 'multicast', 'reserved', 'internal', 'public'] as const;
export const NetworkZoneSchema = z.enum(NETWORK_ZONES);
export type NetworkZone = z.infer<typeof NetworkZoneSchema>;

/** Enrichment of one IP address: location, network owner and zone. */
export const GeoSchema = z.object({
  ip: z.string(),
  zone: NetworkZoneSchema,
  country: z.string().length(2).optional(),
  city: z.string().optional(),
  asn: z.number().int().nonnegative().optional(),
  org: z.string().optional(),
  criticalAsset: z.boolean().optional(),
});
export type Geo = z.infer<typeof GeoSchema>;

export const MitreTechniqueSchema = z.object({
  id: z.string().regex(/^T\d{4}(\.\d{3})?$/),
  name: z.string(),
  tactic: z.string(),
});
export type MitreTechnique = z.infer<typeof MitreTechniqueSchema>;

export const ANALYSIS_ENGINES = ['rules', 'gemini'] as const;
export const AnalysisEngineSchema = z.enum(ANALYSIS_ENGINES);

/** What an engine concluded about an event, with the evidence it read. */
export const AnalysisSchema = z.object({
  engine: AnalysisEngineSchema,
  summary: z.string(),
  category: z.string(),
  /** 0..1: how sure the engine is that this is what it says. */
  confidence: z.number().min(0).max(1),
  mitre: z.array(MitreTechniqueSchema),
  /** Facts read from the payload that support the conclusion, e.g. {attempts: 150}. */
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** 0..1: how strong the evidence is for the category (drives the score's evidence factor). */
  evidenceStrength: z.number().min(0).max(1),
  recommendedActions: z.array(z.string()).default([]),
});
export type Analysis = z.infer<typeof AnalysisSchema>;

export const RiskFactorSchema = z.object({
  name: z.string(),
  /** Points this factor adds to (or, when negative, takes from) the 0..100 score. */
  contribution: z.number(),
  detail: z.string(),
});
export type RiskFactor = z.infer<typeof RiskFactorSchema>;

export const RiskSchema = z.object({
  score: z.number().int().min(0).max(100),
  severity: SeveritySchema,
  factors: z.array(RiskFactorSchema),
});
export type Risk = z.infer<typeof RiskSchema>;

// ---- Playbooks: the vocabulary runs and approvals are written in ----

export const ACTIONS = ['block_ip', 'notify_webhook', 'notify_email', 'isolate_host', 'create_ticket', 'escalate'] as const;
export const ActionSchema = z.enum(ACTIONS);
export type Action = z.infer<typeof ActionSchema>;

/**
 * What about an alert's threats makes automation untrustworthy: its severity came from the model
 * (whose input the attacker wrote), the rules were unsure, or the source may be spoofed.
 */
export const APPROVAL_CONDITIONS = ['model_raised', 'low_rules_confidence', 'spoofable_source'] as const;
export const ApprovalConditionSchema = z.enum(APPROVAL_CONDITIONS);
export type ApprovalCondition = z.infer<typeof ApprovalConditionSchema>;

export const ON_FAILURE = ['continue', 'stop'] as const;
export const OnFailureSchema = z.enum(ON_FAILURE);
export type OnFailure = z.infer<typeof OnFailureSchema>;

export const STEP_STATUSES = ['PENDING', 'RUNNING', 'AWAITING_APPROVAL', 'SUCCEEDED', 'FAILED', 'SKIPPED'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const RUN_STATUSES = ['PENDING', 'RUNNING', 'AWAITING_APPROVAL', 'SUCCEEDED', 'FAILED', 'PARTIAL'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const APPROVAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const PlaybookTriggerSchema = z.strictObject({
  /** The alert's severity must be one of these. */
  severities: z.array(SeveritySchema).min(1),
  /** The alert's event type must be one of these; empty matches every type. */
  eventTypes: z.array(EventTypeSchema).default([]),
  /** The alert must have grown to at least this many threats (checked again as threats join it). */
  minOccurrences: z.number().int().min(1).max(1_000_000).default(1),
});
export type PlaybookTrigger = z.output<typeof PlaybookTriggerSchema>;

export const PLAYBOOK_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/**
 * A playbook's fields other than its steps (whose typed parameters stay with the functions'
 * playbook domain): what a list of playbooks shows and matches alerts with.
 */
export const PlaybookHeadSchema = z.strictObject({
  id: z.string().regex(PLAYBOOK_ID_PATTERN, 'lower-case letters, digits and dashes, 2 to 63 characters'),
  /** Raised whenever the definition changes; runs record the version they followed. */
  version: z.number().int().positive(),
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000),
  trigger: PlaybookTriggerSchema,
  /** Runs by itself on matching alerts; otherwise only when a responder executes it. */
  auto: z.boolean(),
});
export type PlaybookHead = z.output<typeof PlaybookHeadSchema>;

// ---- Stored documents ----

export const MODEL_STATUSES = ['analysed', 'cached', 'skipped', 'failed'] as const;
export const ModelStatusSchema = z.enum(MODEL_STATUSES);
export type ModelStatus = z.infer<typeof ModelStatusSchema>;

export const ALERT_STATUSES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED'] as const;
export const AlertStatusSchema = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof AlertStatusSchema>;

/** How many threat ids an alert keeps; `occurrences` counts them all. */
export const ALERT_THREAT_IDS_KEPT = 50;

export const RISK_LEVELS = ['low', 'guarded', 'elevated', 'severe'] as const;

/** Who made a change: a person (through the API) or an automated actor. */
export const AuditActorSchema = z.object({
  type: z.enum(['user', 'playbook', 'system']),
  /** Firebase Auth uid, playbook id, or function name. */
  id: z.string(),
  email: z.string().optional(),
  role: z.string().optional(),
});
export type AuditActor = z.infer<typeof AuditActorSchema>;

/**
 * The stored documents' schemas, their timestamps of the given schema: z.instanceof(Timestamp)
 * of firebase-admin in the functions (functions/src/firestore/schema.ts re-exports these).
 */
export function storedDocumentSchemas<T extends z.ZodType>(timestamp: T) {
  /**
   * What the model (Gemini) did with a threat the policy selected for it. Absent when the policy
   * did not select the threat or no model is configured: the rules analysis is then all there is.
   */
  const ModelRecordSchema = z.object({
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
    at: timestamp,
  });

  /** threats/{threatId}: an event as received, enriched, analysed and scored. */
  const ThreatDocSchema = z.object({
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
    /** A sensor alert's normalised event, as parsed where it entered. */
    normalized: NormalizedEventSchema.optional(),
    // What ThreatStream made of it.
    occurredAt: timestamp,
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
    alertedAt: timestamp.optional(),
    /** Pub/Sub message id of the delivery that created this document. */
    messageId: z.string(),
    createdAt: timestamp,
    expireAt: timestamp,
  });

  /** alerts/{alertId}: one ongoing attack (same source and type) that an analyst should look at. */
  const AlertDocSchema = z.object({
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
    firstSeen: timestamp,
    lastSeen: timestamp,
    assignee: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    acknowledgedAt: timestamp.nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: timestamp.nullable(),
    resolutionNote: z.string().nullable(),
    /**
     * What its threats showed that makes automation wait for a person on destructive steps (the
     * union over every threat that opened or joined it): see functions/src/domain/alerting.ts.
     */
    approvalConditions: z.array(ApprovalConditionSchema).default([]),
    createdAt: timestamp,
    updatedAt: timestamp,
  });

  /** One step of a run: the playbook's step as it was when the run started, and what it did. */
  const PlaybookRunStepSchema = z.object({
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
        decidedAt: timestamp.nullable(),
      })
      .nullable()
      .default(null),
    status: z.enum(STEP_STATUSES),
    /** Executions of the step; above 1 after an instance died while it ran (see MAX_STEP_ATTEMPTS). */
    attempts: z.number().int().nonnegative(),
    /** What the action did (a dry run: what it would do), as plain JSON. */
    output: z.record(z.string(), z.unknown()).nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    durationMs: z.number().nonnegative().nullable(),
  });

  /**
   * playbookRuns/{runId}: one execution of a playbook against an alert. An automatic run's id is
   * hash(alert, playbook), so trigger redeliveries find it; the lease says which invocation is
   * working on it and until when, so a crashed run is resumed and a live one is left alone.
   */
  const PlaybookRunDocSchema = z.object({
    playbookId: z.string(),
    playbookVersion: z.number().int().positive(),
    playbookName: z.string(),
    alertId: z.string(),
    trigger: z.enum(['auto', 'manual']),
    /** Who started it: the playbook itself (auto) or a user (manual). */
    actor: AuditActorSchema,
    dryRun: z.boolean(),
    status: z.enum(RUN_STATUSES),
    steps: z.array(PlaybookRunStepSchema),
    leaseOwner: z.string().nullable(),
    /** Past this, another invocation may take the run over (set at creation too, for stalled PENDING runs). */
    leaseExpiresAt: timestamp.nullable(),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    updatedAt: timestamp,
    durationMs: z.number().nonnegative().nullable(),
    expireAt: timestamp,
  });

  /**
   * approvals/{runId}-{stepIndex}: a playbook step waiting for a responder's decision, with what it
   * will do (the step's dry-run output). PENDING until approved, rejected or expired.
   */
  const ApprovalDocSchema = z.object({
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
    requestedAt: timestamp,
    /** Still PENDING past this, it expires: the step is not done. */
    expiresAt: timestamp,
    decidedBy: AuditActorSchema.nullable(),
    decidedAt: timestamp.nullable(),
    note: z.string().nullable(),
    expireAt: timestamp,
  });

  /**
   * riskIndex/{minute} (timeline, kind "minute") and riskIndex/current (kind "current", which the
   * dashboard listens to): the estate's 0-100 risk index (functions/src/metrics/risk-index.ts).
   */
  const RiskIndexDocSchema = z.object({
    kind: z.enum(['current', 'minute']),
    /** The minute the index describes (the last complete one), e.g. "2026-01-01T12:34Z". */
    minute: z.string(),
    bucketStart: timestamp,
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
    computedAt: timestamp,
    /** The timeline expires (TTL); `current` never does (null). */
    expireAt: timestamp.nullable(),
  });

  return {
    ModelRecordSchema,
    ThreatDocSchema,
    AlertDocSchema,
    PlaybookRunStepSchema,
    PlaybookRunDocSchema,
    ApprovalDocSchema,
    RiskIndexDocSchema,
  };
}

type Schemas<Ts> = ReturnType<typeof storedDocumentSchemas<z.ZodType<Ts, Ts>>>;

/**
 * The stored documents with their timestamps as `Ts`: firebase-admin's Timestamp in the
 * functions, firebase/firestore's in the browser, `string` (ISO 8601) on the API's wire.
 */
export interface StoredDocuments<Ts> {
  ModelRecord: z.output<Schemas<Ts>['ModelRecordSchema']>;
  ThreatDoc: z.output<Schemas<Ts>['ThreatDocSchema']>;
  AlertDoc: z.output<Schemas<Ts>['AlertDocSchema']>;
  PlaybookRunStep: z.output<Schemas<Ts>['PlaybookRunStepSchema']>;
  PlaybookRunDoc: z.output<Schemas<Ts>['PlaybookRunDocSchema']>;
  ApprovalDoc: z.output<Schemas<Ts>['ApprovalDocSchema']>;
  RiskIndexDoc: z.output<Schemas<Ts>['RiskIndexDocSchema']>;
}

// ---- API answers the dashboard reads (the functions' api/schemas.ts annotates them for OpenAPI) ----

/** How each severity counted, keyed by severity. */
export function severityCountsSchema() {
  return z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number()])) as Record<(typeof SEVERITIES)[number], z.ZodNumber>);
}

/**
 * GET /api/analytics/dashboard's answer; `dateTime` and `riskIndex` are the API's own
 * (OpenAPI-named) schemas of an ISO date-time and of riskIndex/current on the wire, or null.
 */
export function dashboardFiguresSchema<D extends z.ZodType<string>, R extends z.ZodType>(dateTime: D, riskIndex: R) {
  const ranked = z.array(z.object({ key: z.string(), count: z.number() }));
  return z.object({
    generatedAt: dateTime,
    riskIndex: riskIndex.describe('riskIndex/current; null until the scheduled function first ran.'),
    activeAlerts: z.number().int().describe('OPEN and ACKNOWLEDGED alerts (a count aggregation).'),
    currentHour: z.object({
      start: dateTime,
      events: z.number().int(),
      rejected: z.number().int(),
      alertsOpened: z.number().int(),
      alertsClosed: z.number().int(),
      bySeverity: severityCountsSchema(),
      topEventTypes: ranked,
      topCountries: ranked,
    }),
    lastMinutes: z
      .array(z.object({ start: dateTime, events: z.number().int() }))
      .describe('Events in each of the last 15 minute buckets, oldest first.'),
  });
}

/** GET /api/analytics/dashboard's answer as the browser reads it. */
export type DashboardFigures = z.output<ReturnType<typeof dashboardFiguresSchema<z.ZodType<string, string>, z.ZodType<StoredDocuments<string>['RiskIndexDoc'] | null>>>>;

/** POST /api/playbooks/execute's `outcome`: how far the run got in this request. */
export const EXECUTE_OUTCOMES = ['finished', 'already_finished', 'lease_lost', 'awaiting_approval'] as const;
export type ExecuteOutcome = (typeof EXECUTE_OUTCOMES)[number];
