import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { EVENT_TYPES, SEVERITIES, SecurityEventSchema, SeveritySchema } from '../domain/event';
import {
  ALERT_STATUSES,
  AlertDocSchema,
  ApprovalDocSchema,
  NeverBlockDocSchema,
  PlaybookRunDocSchema,
  RiskIndexDocSchema,
  ThreatDocSchema,
  TimestampSchema,
} from '../firestore/schema';
import { APPROVAL_STATUSES, PlaybookFieldsSchema } from '../domain/playbook';
import { DetectionExceptionDocSchema, ENVIRONMENTS, RULE_SOURCES, SigmaMetaSchema } from '../detection/catalog';
import { RULE_TEXT_FORMATS } from '../detection/catalog-changes';
import { MAX_RULE_TEXT, RULE_KINDS } from '../detection/rule';
import { ERROR_CODES } from './errors';
import { ROLES } from './roles';

// The API's request and response shapes. Stored documents are described once, in
// firestore/schema.ts; here they are reshaped for the wire (timestamps as ISO 8601 strings, the
// document id added) and named for the OpenAPI document, which is generated from these schemas.

// Adds `.openapi()` to zod schemas (names and parameter metadata for the generator).
extendZodWithOpenApi(z);

/** A Firestore Timestamp as the API sends it. */
export const IsoDateTime = z.iso.datetime({ offset: true }).openapi({ example: '2026-01-15T09:30:00.000Z' });

/**
 * A stored document's schema as the API sends it: every Firestore Timestamp, however deeply
 * nested, becomes an ISO 8601 string (see serialize.ts, which converts the values the same way).
 * Document schemas stay the single source of truth; fields added to them appear in the API.
 */
export function onTheWire(schema: z.ZodType): z.ZodType {
  if (schema === TimestampSchema) return IsoDateTime;
  if (schema instanceof z.ZodObject) return wireObject(schema);
  if (schema instanceof z.ZodOptional) return onTheWire(schema.unwrap() as z.ZodType).optional();
  if (schema instanceof z.ZodNullable) return onTheWire(schema.unwrap() as z.ZodType).nullable();
  if (schema instanceof z.ZodDefault) return onTheWire(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodArray) return z.array(onTheWire(schema.element as z.ZodType));
  if (schema instanceof z.ZodRecord) return z.record(schema.keyType as z.ZodString, onTheWire(schema.valueType as z.ZodType));
  if (schema instanceof z.ZodUnion) return z.union((schema.options as z.ZodType[]).map(onTheWire) as [z.ZodType, z.ZodType]);
  if (schema instanceof z.ZodCustom) throw new Error('onTheWire: a custom schema other than TimestampSchema has no wire form');
  return schema;
}

export function wireObject(schema: z.ZodObject): z.ZodObject {
  const shape = Object.fromEntries(Object.entries(schema.shape).map(([key, field]) => [key, onTheWire(field as z.ZodType)]));
  return z.object(shape);
}

/**
 * A registered (named) schema or null. Written as a union: the generator renders `.nullable()` on
 * a named schema as allOf [$ref, {type: [object, null]}], which no null satisfies.
 */
export function orNull<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.null()]);
}

// ---- errors ----

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error', {
    description: 'Every error: a stable machine-readable code, a message for people, and details where useful (for 400: the validation issues).',
  });

// ---- health ----

export const SERVICE_STATES = ['configured', 'reachable', 'not_configured', 'degraded'] as const;
export const ServiceStateSchema = z.enum(SERVICE_STATES);
export type ServiceState = z.infer<typeof ServiceStateSchema>;

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']).openapi({
      description: 'ok: every configured service answers; degraded: an optional one (kafka, gemini) does not; down: Firestore or Pub/Sub does not (HTTP 503).',
    }),
    timestamp: IsoDateTime,
    version: z.string(),
    environment: z.enum(['emulator', 'production']),
    services: z.object({
      kafka: ServiceStateSchema,
      gemini: ServiceStateSchema,
      firestore: ServiceStateSchema,
      pubsub: ServiceStateSchema,
    }),
  })
  .openapi('Health');
export type Health = z.infer<typeof HealthSchema>;

// ---- threats ----

const DocumentId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^/]+$/, 'must not contain "/"');

/** An id that is also a valid Firestore document id (not "." or "..", not __reserved__). */
export const FirestoreId = DocumentId.refine((id) => id !== '.' && id !== '..' && !/^__.*__$/.test(id), {
  message: 'is not a valid document id',
});

export const ThreatSchema = wireObject(ThreatDocSchema)
  .extend({ id: z.string().openapi({ description: 'The document id: threats/{id} (a hash of event_id).' }) })
  .openapi('Threat');

/** Present when a page stopped before `limit` items because of its size in bytes. */
export const PageTruncatedSchema = z
  .object({
    reason: z.literal('max_bytes'),
    maxBytes: z.number().int(),
    requested: z.number().int(),
    returned: z.number().int(),
  })
  .openapi('PageTruncated', { description: 'The page was cut at maxBytes of JSON: fewer items than asked; continue with nextCursor.' });

export const ThreatPageSchema = z
  .object({
    threats: z.array(ThreatSchema),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next (older) page; null on the last page.' }),
    truncated: PageTruncatedSchema.optional(),
  })
  .openapi('ThreatPage');

export const LimitQuery = (max: number, fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(max)
    .default(fallback)
    .openapi({ description: `Page size, 1-${max} (default ${fallback}).` });

export const CursorQuery = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .openapi({ description: 'The `nextCursor` of the previous page.' });

export const RecentThreatsQuery = z.object({
  limit: LimitQuery(500, 50),
  severity: SeveritySchema.optional().openapi({ description: 'Only threats of this severity.' }),
  cursor: CursorQuery,
});

export const ThreatIdParams = z.object({
  id: DocumentId.openapi({
    description: 'The event_id as producers know it, or the threat document id.',
    example: 'test-001',
  }),
});

export const STATS_WINDOWS = ['1h', '24h', '7d', '30d', 'all'] as const;
export const ThreatStatsQuery = z.object({
  window: z.enum(STATS_WINDOWS).default('24h').openapi({ description: 'Threats created in this window before now.' }),
});

const CountsBySeverity = z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int()])) as Record<
  (typeof SEVERITIES)[number],
  z.ZodNumber
>);
const CountsByType = z.object(Object.fromEntries(EVENT_TYPES.map((t) => [t, z.number().int()])) as Record<
  (typeof EVENT_TYPES)[number],
  z.ZodNumber
>);

export const ThreatStatsSchema = z
  .object({
    window: z.enum(STATS_WINDOWS),
    since: IsoDateTime.nullable(),
    generatedAt: IsoDateTime,
    total: z.number().int(),
    bySeverity: CountsBySeverity,
    byEventType: CountsByType,
    riskScore: z.object({
      average: z.number().nullable(),
      sum: z.number(),
    }),
  })
  .openapi('ThreatStats', { description: 'Computed with Firestore aggregation queries (count, sum, average), never by reading the threats.' });
export type ThreatStats = z.infer<typeof ThreatStatsSchema>;

// ---- alerts ----

export const AlertSchema = wireObject(AlertDocSchema).extend({ id: z.string() }).openapi('Alert');

export const AlertListSchema = z.object({ alerts: z.array(AlertSchema) }).openapi('AlertList');

export const ActiveAlertsQuery = z.object({ limit: LimitQuery(500, 50) });

export const AlertIdParams = z.object({ id: FirestoreId.openapi({ description: 'The alert document id.' }) });

export const AlertTransitionBodySchema = z
  .strictObject({
    note: z.string().trim().max(2000).optional().openapi({ description: 'Why; kept on the alert (resolve) and in the audit log.' }),
  })
  .openapi('AlertTransition');

export const AlertStatusSchema = z.enum(ALERT_STATUSES);

// ---- simulate ----

/** The event schema ingest validates with, named for the OpenAPI document. */
export const SecurityEventBodySchema = SecurityEventSchema.meta({
  id: 'SecurityEvent',
  description:
    'A raw security event as producers send it (snake_case). Unknown top-level fields are kept in metadata; an unknown event_type is ingested as unknown.',
  example: {
    event_id: 'test-001',
    timestamp: '2025-12-27T19:00:00Z',
    event_type: 'brute_force',
    source_ip: '185.234.72.91',
    destination_ip: '10.0.0.100',
    destination_port: 22,
    protocol: 'TCP',
    payload: { attempts: 150 },
    metadata: {},
  },
});

export const SimulatedEventSchema = z
  .object({
    messageId: z.string().openapi({ description: 'Pub/Sub message id of the published event.' }),
    eventId: z.string(),
  })
  .openapi('SimulatedEvent');

// ---- playbooks ----

const IdLike = FirestoreId;

export const PlaybookViewSchema = PlaybookFieldsSchema.meta({ id: 'Playbook' });
export type Playbook = z.infer<typeof PlaybookViewSchema>;
export const PlaybookListSchema = z.object({ playbooks: z.array(PlaybookViewSchema) }).openapi('PlaybookList');

export const PlaybookRunViewSchema = wireObject(PlaybookRunDocSchema.omit({ leaseOwner: true, leaseExpiresAt: true }))
  .extend({ id: z.string() })
  .openapi('PlaybookRun');
export type PlaybookRunView = z.infer<typeof PlaybookRunViewSchema>;

export const ExecutePlaybookBodySchema = z
  .strictObject({
    alertId: IdLike,
    playbookId: IdLike,
    dryRun: z.boolean().default(false).openapi({ description: 'Record what each step would do, with no side effect.' }),
  })
  .openapi('ExecutePlaybook');

export const ExecutePlaybookResultSchema = z
  .object({
    runId: z.string(),
    outcome: z.enum(['finished', 'already_finished', 'lease_lost', 'awaiting_approval']).openapi({
      description:
        'finished: this request ran it; already_finished: the same Idempotency-Key ran it before; lease_lost: another invocation finished it; awaiting_approval: it paused at a step that waits for a responder (see /api/approvals).',
    }),
    run: PlaybookRunViewSchema,
  })
  .openapi('PlaybookExecution');

// ---- approvals ----

export const ApprovalSchema = wireObject(ApprovalDocSchema.omit({ expireAt: true })).extend({ id: z.string() }).openapi('Approval');
export type ApprovalView = z.infer<typeof ApprovalSchema>;

export const ApprovalListSchema = z.object({ approvals: z.array(ApprovalSchema) }).openapi('ApprovalList');

export const ApprovalsQuery = z.object({
  status: z.enum(APPROVAL_STATUSES).default('PENDING').openapi({ description: 'Which approvals: PENDING (default), APPROVED, REJECTED or EXPIRED.' }),
  limit: LimitQuery(200, 50),
});

export const ApprovalIdParams = z.object({ id: FirestoreId.openapi({ description: 'The approval id ({runId}-{stepIndex}).' }) });

export const ApprovalDecisionBodySchema = z
  .strictObject({
    note: z.string().trim().max(2000).optional().openapi({ description: 'Why; kept on the approval and in the audit log.' }),
  })
  .openapi('ApprovalDecision');

export const ApprovalDecisionResultSchema = z
  .object({
    approval: ApprovalSchema,
    run: orNull(PlaybookRunViewSchema).openapi({ description: 'The run as it stands after the decision (driven on to its end or its next approval).' }),
  })
  .openapi('ApprovalDecisionResult');

// ---- never-block list ----

export const NeverBlockEntrySchema = wireObject(NeverBlockDocSchema).extend({ id: z.string() }).openapi('NeverBlockEntry');
export const NeverBlockListSchema = z
  .object({
    entries: z.array(NeverBlockEntrySchema),
    param: z.array(z.string()).openapi({ description: 'The NEVER_BLOCK_CIDRS param\'s entries (set at deploy).' }),
  })
  .openapi('NeverBlockList');
export const NeverBlockAddBodySchema = z
  .strictObject({
    cidr: z.string().trim().min(1).max(64).openapi({ description: 'An IP address or CIDR, IPv4 or IPv6.', example: '8.8.8.0/24' }),
    reason: z.string().trim().min(1).max(500).openapi({ example: 'our DNS resolvers' }),
  })
  .openapi('NeverBlockAdd');
export const NeverBlockRemoveBodySchema = z.strictObject({ cidr: z.string().trim().min(1).max(64) }).openapi('NeverBlockRemove');
export const NeverBlockChangeSchema = z
  .object({ id: z.string(), cidr: z.string(), changed: z.boolean() })
  .openapi('NeverBlockChange');

export const PlaybookHistoryQuery = z.object({
  limit: LimitQuery(200, 50),
  cursor: CursorQuery,
  alertId: IdLike.optional().openapi({ description: 'Only the runs for this alert.' }),
});

export const PlaybookRunPageSchema = z
  .object({ runs: z.array(PlaybookRunViewSchema), nextCursor: z.string().nullable() })
  .openapi('PlaybookRunPage');

// ---- analytics ----

export const TIMELINE_WINDOWS = ['15m', '1h', '6h', '24h', '7d'] as const;
export const TIMELINE_BUCKETS = ['minute', 'hour'] as const;
export const RISK_WINDOWS = ['1h', '6h', '24h'] as const;

const SeverityCountsSchema = z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number()])) as Record<
  (typeof SEVERITIES)[number],
  z.ZodNumber
>);

export const RiskIndexSchema = wireObject(RiskIndexDocSchema).openapi('RiskIndex');

export const TimelineBucketSchema = z
  .object({ start: IsoDateTime, events: z.number().int(), bySeverity: SeverityCountsSchema })
  .openapi('TimelineBucket');
export type TimelineBucket = z.infer<typeof TimelineBucketSchema>;

const Ranked = z.array(z.object({ key: z.string(), count: z.number() }));

export const DashboardSchema = z
  .object({
    generatedAt: IsoDateTime,
    riskIndex: orNull(RiskIndexSchema).openapi({ description: 'riskIndex/current; null until the scheduled function first ran.' }),
    activeAlerts: z.number().int().openapi({ description: 'OPEN and ACKNOWLEDGED alerts (a count aggregation).' }),
    currentHour: z.object({
      start: IsoDateTime,
      events: z.number().int(),
      rejected: z.number().int(),
      alertsOpened: z.number().int(),
      alertsClosed: z.number().int(),
      bySeverity: SeverityCountsSchema,
      topEventTypes: Ranked,
      topCountries: Ranked,
    }),
    lastMinutes: z
      .array(z.object({ start: IsoDateTime, events: z.number().int() }))
      .openapi({ description: 'Events in each of the last 15 minute buckets, oldest first.' }),
  })
  .openapi('Dashboard');
export type Dashboard = z.infer<typeof DashboardSchema>;

export const RiskIndexViewSchema = z
  .object({
    window: z.enum(RISK_WINDOWS),
    current: orNull(RiskIndexSchema),
    timeline: z.array(
      z.object({ minute: z.string(), bucketStart: IsoDateTime, index: z.number().int(), level: z.string() }),
    ).openapi({ description: 'Per-minute index, newest first.' }),
  })
  .openapi('RiskIndexView');
export type RiskIndexView = z.infer<typeof RiskIndexViewSchema>;

export const TimelineQuery = z.object({
  window: z.enum(TIMELINE_WINDOWS).default('24h').openapi({ description: 'How far back.' }),
  bucket: z.enum(TIMELINE_BUCKETS).default('hour').openapi({
    description: 'Bucket size. A window of more than 180 minutes is answered in hour buckets (the answer says which).',
  }),
});

export const TimelineSchema = z
  .object({ window: z.enum(TIMELINE_WINDOWS), bucket: z.enum(TIMELINE_BUCKETS), buckets: z.array(TimelineBucketSchema) })
  .openapi('Timeline');
export type Timeline = z.infer<typeof TimelineSchema>;

export const AnalyticsSummarySchema = z
  .object({
    window: z.literal('24h'),
    since: IsoDateTime,
    generatedAt: IsoDateTime,
    events: z.number().int(),
    bySeverity: SeverityCountsSchema,
    peakHour: orNull(TimelineBucketSchema),
    riskIndex: z.object({
      current: z.number().int().nullable(),
      level: z.string().nullable(),
      min: z.number().nullable(),
      max: z.number().nullable(),
      average: z.number().nullable(),
      points: z.number().int(),
    }),
  })
  .openapi('AnalyticsSummary');
export type AnalyticsSummary = z.infer<typeof AnalyticsSummarySchema>;

// ---- caller ----

export const RoleEnum = z.enum(ROLES);

// ---- detection catalog (detection/catalog.ts, catalog-store.ts) ----

export const EnvironmentEnum = z.enum(ENVIRONMENTS).openapi({ description: `A deployment environment: ${ENVIRONMENTS.join(', ')}.` });

/** The engine's rule as JSON (detection/rule.ts DetectionRuleSchema; validated where it is written). */
const EngineRuleJson = z.record(z.string(), z.unknown()).openapi({ description: 'The engine rule (functions/src/detection/rule.ts): id, kind, match/steps, window…' });

export const SigmaMetaViewSchema = SigmaMetaSchema.meta({ id: 'SigmaMeta', description: 'What an analyst needs to judge a Sigma detection.' });

export const DetectionRuleSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    source: z.enum(RULE_SOURCES).openapi({ description: 'builtin: TypeScript in the code (a stored document may override it); declarative or sigma: stored.' }),
    kind: z.enum(RULE_KINDS),
    severity: SeveritySchema,
    eventType: z.string(),
    techniques: z.array(z.string()),
    version: z.number().int(),
    enabledIn: z.array(EnvironmentEnum).openapi({ description: 'Environments the rule runs in; empty: disabled everywhere.' }),
    sigma: SigmaMetaViewSchema.optional(),
    updatedAt: z.string().nullable().openapi({ description: 'Null for a built-in rule never changed here.' }),
    updatedBy: z.string().nullable(),
  })
  .openapi('DetectionRuleSummary');

export const DetectionRuleListQuery = z.object({
  limit: LimitQuery(5000, 1000),
  cursor: CursorQuery.openapi({ description: 'The `nextCursor` of the previous page (rules are ordered by id).' }),
});

export const DetectionRuleListSchema = z
  .object({
    rules: z.array(DetectionRuleSummarySchema),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
    truncated: PageTruncatedSchema.optional(),
  })
  .openapi('DetectionRuleList');

export const DetectionRuleVersionSchema = z
  .object({
    version: z.number().int(),
    enabledIn: z.array(EnvironmentEnum),
    text: z.string().nullable(),
    rule: EngineRuleJson,
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('DetectionRuleVersion');

export const DetectionRuleDetailSchema = DetectionRuleSummarySchema.extend({
  text: z.string().nullable().openapi({ description: 'The text as submitted (YAML, JSON or Sigma); null for built-in rules.' }),
  rule: EngineRuleJson,
  versions: z.array(DetectionRuleVersionSchema).openapi({ description: 'Earlier versions, newest first (at most 100).' }),
}).openapi('DetectionRule');

export const DetectionRuleChangeSchema = DetectionRuleDetailSchema.extend({
  changed: z.boolean().openapi({ description: 'False when the request changed nothing (no new version, no audit entry).' }),
}).openapi('DetectionRuleChange');

export const DetectionRuleIdParams = z.object({ id: FirestoreId.openapi({ description: 'The rule id.' }) });

const RuleText = z.string().min(1).openapi({ description: `The rule: YAML or JSON of the rule model (format rule), or one Sigma rule (format sigma); at most ${MAX_RULE_TEXT} characters.` });

export const CreateDetectionRuleBodySchema = z
  .strictObject({
    text: RuleText,
    format: z.enum(RULE_TEXT_FORMATS),
    enabledIn: z.array(EnvironmentEnum).max(ENVIRONMENTS.length).optional().openapi({ description: 'Default: the environment this API runs in (THREATSTREAM_ENVIRONMENT).' }),
  })
  .openapi('CreateDetectionRule');

export const ChangeDetectionRuleBodySchema = z
  .strictObject({
    text: RuleText.optional().openapi({ description: 'The new text, in the rule\'s own format; not for built-in rules.' }),
    enabledIn: z.array(EnvironmentEnum).max(ENVIRONMENTS.length).optional(),
  })
  .refine((body) => body.text !== undefined || body.enabledIn !== undefined, { message: 'give text, enabledIn or both' })
  .openapi('ChangeDetectionRule');

export const CoverageQuery = z.object({
  environment: EnvironmentEnum.optional().openapi({ description: 'Default: the environment this API runs in.' }),
});

export const CoverageSchema = z
  .object({
    attackRelease: z.string(),
    environment: EnvironmentEnum,
    tactics: z.array(
      z.object({
        id: z.string().openapi({ example: 'credential-access' }),
        name: z.string(),
        techniques: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            /** Sub-techniques carry their parent's id. */
            parent: z.string().nullable(),
            rules: z.array(z.object({ id: z.string(), title: z.string(), severity: SeveritySchema, source: z.enum(RULE_SOURCES) })),
          }),
        ),
        covered: z.number().int().openapi({ description: 'Techniques and sub-techniques of this tactic named by at least one enabled rule.' }),
        total: z.number().int(),
      }),
    ),
    rulesWithoutTechniques: z.array(z.string()).openapi({ description: 'Enabled rules that name no ATT&CK technique.' }),
  })
  .openapi('DetectionCoverage');

export const DetectionExceptionSchema = wireObject(DetectionExceptionDocSchema.omit({ expireAt: true }))
  .extend({
    id: z.string(),
    match: EngineRuleJson.openapi({ description: 'The condition on the detection as an event (detection/conditions.ts).' }),
    active: z.boolean().openapi({ description: 'Unexpired now.' }),
  })
  .openapi('DetectionException');

export const DetectionExceptionListSchema = z
  .object({
    exceptions: z.array(DetectionExceptionSchema),
    truncated: PageTruncatedSchema.optional(),
  })
  .openapi('DetectionExceptionList');

export const CreateDetectionExceptionBodySchema = z
  .strictObject({
    ruleId: z.string().min(1).max(64).openapi({ description: 'The rule it suppresses, or * for every rule.' }),
    match: z.record(z.string(), z.unknown()).openapi({
      description: 'A condition on the detection as an event: { field, op, values } or { all | any | not }.',
      example: { field: 'source.ip', op: 'cidr', values: ['10.0.0.0/24'] },
    }),
    reason: z.string().trim().min(5).max(500),
    owner: z.string().trim().min(3).max(256).optional().openapi({ description: 'Who answers for it (e-mail); default the caller.' }),
    expiresAt: z.iso.datetime({ offset: true }).openapi({ description: 'Required; in the future and at most MAX_EXCEPTION_DAYS (365) ahead.' }),
  })
  .openapi('CreateDetectionException');

export const DetectionExceptionIdParams = z.object({ id: FirestoreId.openapi({ description: 'The exception id.' }) });
