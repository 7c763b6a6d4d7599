import { z } from 'zod';
import { TimestampSchema } from '../firestore/schema';
import { ConditionSchema } from './conditions';
import { DetectionRuleSchema, MAX_RULE_TEXT } from './rule';

/**
 * The shapes of the detection catalog in Firestore: declarative and Sigma rules
 * (`detectionRules/{id}`, each version kept under `versions/{n}`) and exceptions
 * (`detectionExceptions/{id}`). The runtime reads them; the API and `npm run sigma -- import`
 * write them, always with an audit entry.
 */

/** Where a stored rule came from. `builtin` documents override a TypeScript rule of the same id (change or disable it). */
export const RULE_SOURCES = ['declarative', 'sigma', 'builtin'] as const;
export const RuleSourceSchema = z.enum(RULE_SOURCES);
export type RuleSource = z.infer<typeof RuleSourceSchema>;

/** Deployment environments a rule can be enabled in (param THREATSTREAM_ENVIRONMENT names the current one). */
export const ENVIRONMENTS = ['local', 'staging', 'production'] as const;
export const EnvironmentSchema = z.enum(ENVIRONMENTS);
export type Environment = z.infer<typeof EnvironmentSchema>;

/** What an analyst needs to judge a Sigma detection; absent for other sources. */
export const SigmaMetaSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  status: z.string().optional(),
  level: z.string().optional(),
  falsepositives: z.array(z.string()),
  references: z.array(z.string()).default([]),
  warnings: z.array(z.string()),
});

export const DetectionRuleDocSchema = z.strictObject({
  /** The engine's rule; its `version` equals the document's. */
  rule: DetectionRuleSchema,
  source: RuleSourceSchema,
  /** The text as submitted (YAML, JSON or Sigma), for review and re-editing. */
  text: z.string().max(MAX_RULE_TEXT).optional(),
  sigma: SigmaMetaSchema.optional(),
  /** Environments this rule runs in; empty means disabled everywhere. */
  enabledIn: z.array(EnvironmentSchema),
  /** Bumped on every change; the previous versions stay under `versions/{n}`. */
  version: z.number().int().min(1),
  updatedAt: z.string(),
  /** uid or e-mail of the admin, or `sigma-import`. */
  updatedBy: z.string(),
});
export type DetectionRuleDoc = z.infer<typeof DetectionRuleDocSchema>;

/** Longest an exception may live: exceptions are for known noise, not for forgetting a rule. */
export const MAX_EXCEPTION_DAYS = 365;

/** An ended exception stays listed (with its hits) this long, then TTL deletes it; the audit log keeps its history. */
export const EXCEPTION_RETENTION_DAYS = 365;

export const DetectionExceptionDocSchema = z.strictObject({
  /** The rule it suppresses, or `*` for every rule. */
  ruleId: z.string().min(1).max(64),
  /** Evaluated on the detection as an event (source.ip, destination.ip, user.name, rule.id…). */
  match: ConditionSchema,
  reason: z.string().min(5).max(500),
  /** Who answers for it (e-mail). */
  owner: z.string().min(3).max(256),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** Detections it has suppressed so far (counted, never dropped silently). */
  hits: z.number().int().min(0).default(0),
  /** Firestore TTL: the document is deleted EXCEPTION_RETENTION_DAYS after it ends (firestore/retention.ts). */
  expireAt: TimestampSchema.optional(),
});
export type DetectionExceptionDoc = z.infer<typeof DetectionExceptionDocSchema>;
