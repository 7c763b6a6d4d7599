import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EventTypeSchema, type EventType } from '@threatstream/events';
import { SeveritySchema, type Severity } from '../domain/event';
import { ConditionSchema, FieldPathSchema, type Condition } from './conditions';
import type { EventPath } from './paths';

/**
 * The rule model. Declarative rules (YAML/JSON in `detectionRules/{id}`) are validated with
 * `DetectionRuleSchema`; TypeScript rules are the same shapes with typed field paths
 * (`DetectionRule<EventPath>`), so both run in one engine.
 */
export const RULE_KINDS = ['single', 'threshold', 'distinct', 'sequence', 'rate', 'beacon'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** Longest window a rule may keep state for: a day. */
export const MAX_WINDOW_SECONDS = 24 * 60 * 60;
/** A group key has at most this many parts (e.g. source.ip + destination.ip + destination.port). */
export const MAX_GROUP_FIELDS = 4;

const RuleId = z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'lower-case letters, digits, ".", "_" and "-", 3 to 64 characters');
const TechniqueId = z.string().regex(/^T\d{4}(\.\d{3})?$/, 'an ATT&CK technique id such as T1110 or T1110.001');
const Window = z.number().int().min(1).max(MAX_WINDOW_SECONDS);
const GroupBy = z.array(FieldPathSchema).min(1).max(MAX_GROUP_FIELDS);

const base = {
  id: RuleId,
  title: z.string().min(5).max(120),
  description: z.string().min(20).max(2000),
  severity: SeveritySchema,
  /** The design.md event type of the threat a detection becomes. */
  eventType: EventTypeSchema,
  techniques: z.array(TechniqueId).max(20).default([]),
  enabled: z.boolean().default(true),
  version: z.number().int().min(1).default(1),
  tags: z.array(z.string().max(64)).max(32).optional(),
  references: z.array(z.string().max(512)).max(20).optional(),
};

export const SequenceStepSchema = z.strictObject({
  name: z.string().min(1).max(64),
  match: ConditionSchema,
  /** Matching events this step needs before the next step may start (e.g. 5 failures). */
  minCount: z.number().int().min(1).max(10_000).default(1),
  /** The key read from this step's events when it differs from the rule's (Sigma's aliases). */
  groupBy: GroupBy.optional(),
});

export const DetectionRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...base, kind: z.literal('single'), match: ConditionSchema }),
  z.strictObject({
    ...base,
    kind: z.literal('threshold'),
    match: ConditionSchema,
    groupBy: GroupBy,
    windowSeconds: Window,
    threshold: z.number().positive(),
    /** Sum this numeric field instead of counting events (bytes out per host). */
    sumOf: FieldPathSchema.optional(),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('distinct'),
    match: ConditionSchema,
    groupBy: GroupBy,
    /** Count distinct values of this field (ports per source, users per source). */
    field: FieldPathSchema,
    windowSeconds: Window,
    threshold: z.number().int().min(2).max(10_000),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('sequence'),
    groupBy: GroupBy,
    windowSeconds: Window,
    steps: z.array(SequenceStepSchema).min(2).max(5),
    /** False: the steps may complete in any order within the window (Sigma's `temporal`). */
    ordered: z.boolean().default(true),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('rate'),
    match: ConditionSchema,
    groupBy: GroupBy,
    /** Events are counted per bucket of this length. */
    bucketSeconds: z.number().int().min(1).max(3600),
    /** Buckets before the current one whose mean is the baseline. */
    baselineBuckets: z.number().int().min(1).max(60),
    /** The current bucket needs at least this many events... */
    minCount: z.number().int().min(1),
    /** ...and this many times the baseline's mean. */
    factor: z.number().min(1),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('beacon'),
    match: ConditionSchema,
    groupBy: GroupBy,
    windowSeconds: Window,
    /** Events needed before regularity is judged. */
    minEvents: z.number().int().min(4).max(256),
    /** Highest coefficient of variation of the intervals (stddev / mean) that still reads as a timer. */
    maxJitter: z.number().min(0).max(1),
    minIntervalSeconds: z.number().min(0).default(1),
  }),
]);

/** A validated declarative rule. */
export type DetectionRule = z.infer<typeof DetectionRuleSchema>;

type WithPaths<R, P extends string> = R extends unknown
  ? {
      [K in keyof R]: K extends 'match'
        ? Condition<P>
        : K extends 'groupBy'
          ? readonly P[]
          : K extends 'field' | 'sumOf'
            ? P
            : K extends 'steps'
              ? readonly { name: string; match: Condition<P>; minCount?: number; groupBy?: readonly P[] }[]
              : R[K];
    }
  : never;

/** A TypeScript rule: the same model, field paths checked against the normalised event. */
export type TypedRule = WithPaths<z.input<typeof DetectionRuleSchema>, EventPath>;

/** Declares a TypeScript rule (identity at run time: the type is the point). */
export function defineRule<const R extends TypedRule>(rule: R): R {
  return rule;
}

/** Parses a declarative rule; the error names every problem found. */
export function parseRule(input: unknown): { ok: true; rule: DetectionRule } | { ok: false; errors: string[] } {
  const parsed = DetectionRuleSchema.safeParse(input);
  if (parsed.success) return { ok: true, rule: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(rule)'}: ${issue.message}`) };
}

/** Largest rule text accepted (a rule is a few hundred bytes; a Sigma rule a few kilobytes). */
export const MAX_RULE_TEXT = 64 * 1024;

/** Parses a declarative rule written as YAML or JSON (JSON is YAML), then validates it. */
export function parseRuleText(text: string): { ok: true; rule: DetectionRule } | { ok: false; errors: string[] } {
  if (text.length > MAX_RULE_TEXT) return { ok: false, errors: [`(rule): longer than ${MAX_RULE_TEXT} characters`] };
  let input: unknown;
  try {
    // maxAliasCount guards against alias bombs ("billion laughs") in YAML from the API.
    input = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    return { ok: false, errors: [`(rule): not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`] };
  }
  return parseRule(input);
}

export type { Condition, EventType, Severity };
