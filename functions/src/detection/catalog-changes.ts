import { Timestamp } from 'firebase-admin/firestore';
import { z } from 'zod';
import {
  DetectionExceptionDocSchema,
  DetectionRuleDocSchema,
  EXCEPTION_RETENTION_DAYS,
  MAX_EXCEPTION_DAYS,
  type DetectionExceptionDoc,
  type DetectionRuleDoc,
  type Environment,
  type SigmaMetaSchema,
} from './catalog';
import { ConditionSchema } from './conditions';
import { lintRule } from './lint';
import { parseRuleText, MAX_RULE_TEXT, type DetectionRule } from './rule';
import { compileSigma, parseSigmaDocuments, type CompiledSigma, type SigmaOptions } from './sigma/compile';

// The catalog's transitions, pure: text → rule (every reason when refused), a new rule document,
// the next version of one, a new exception, an expired one. catalog-store.ts runs them in
// transactions with the audit entry; the API and `npm run sigma -- import` call the store.

export const RULE_TEXT_FORMATS = ['rule', 'sigma'] as const;
export type RuleTextFormat = (typeof RULE_TEXT_FORMATS)[number];

type SigmaMeta = z.infer<typeof SigmaMetaSchema>;

export interface CompiledRuleText {
  rule: DetectionRule;
  source: 'declarative' | 'sigma';
  sigma?: SigmaMeta;
}

export type CompileResult = { ok: true; compiled: CompiledRuleText } | { ok: false; errors: string[] };

/** The analyst-facing meta of a compiled Sigma rule. */
export function sigmaMeta(compiled: CompiledSigma): SigmaMeta {
  return {
    id: compiled.sigmaId,
    title: compiled.title,
    ...(compiled.status !== undefined ? { status: compiled.status } : {}),
    ...(compiled.level !== undefined ? { level: compiled.level } : {}),
    falsepositives: compiled.falsepositives,
    references: compiled.references,
    warnings: compiled.warnings,
  };
}

/**
 * A rule as an admin submits it. `rule`: YAML or JSON of the rule model, then the lint (ATT&CK
 * ids, description); `sigma`: one Sigma rule (and the filters/correlations in the same text that
 * make it one rule), compiled exactly as the import does, refused unless honoured in full.
 */
export function compileRuleText(text: string, format: RuleTextFormat, options: SigmaOptions = {}): CompileResult {
  if (text.length > MAX_RULE_TEXT) return { ok: false, errors: [`(rule): longer than ${MAX_RULE_TEXT} characters`] };
  if (format === 'rule') {
    const parsed = parseRuleText(text);
    if (!parsed.ok) return parsed;
    const problems = lintRule(parsed.rule).map((problem) => `(lint): ${problem.problem}`);
    if (problems.length > 0) return { ok: false, errors: problems };
    return { ok: true, compiled: { rule: parsed.rule, source: 'declarative' } };
  }
  const documents = parseSigmaDocuments(text, '(text)');
  const result = compileSigma(documents.documents, options);
  const errors = [...documents.refused, ...result.refused].map((refusal) => `${refusal.sigmaId ?? refusal.title ?? '(sigma)'}: ${refusal.reason}`);
  if (errors.length > 0) return { ok: false, errors };
  if (result.loaded.length === 0) return { ok: false, errors: ['(sigma): the text holds no Sigma rule'] };
  if (result.loaded.length > 1) {
    return { ok: false, errors: [`(sigma): the text compiles to ${result.loaded.length} rules (${result.loaded.map((c) => c.rule.id).join(', ')}); submit one at a time, or use npm run sigma -- import`] };
  }
  const compiled = result.loaded[0]!;
  return { ok: true, compiled: { rule: compiled.rule, source: 'sigma', sigma: sigmaMeta(compiled) } };
}

/** Version 1 of a stored rule. */
export function newRuleDoc(compiled: CompiledRuleText, text: string | undefined, enabledIn: readonly Environment[], by: string, now: Date): DetectionRuleDoc {
  return plain(DetectionRuleDocSchema.parse({
    rule: { ...compiled.rule, version: 1 },
    source: compiled.source,
    ...(text !== undefined ? { text } : {}),
    ...(compiled.sigma !== undefined ? { sigma: compiled.sigma } : {}),
    enabledIn: uniqueEnvironments(enabledIn),
    version: 1,
    updatedAt: now.toISOString(),
    updatedBy: by,
  }));
}

export interface RuleChange {
  /** The new rule (compiled from `text`), if the rule itself changes. */
  compiled?: CompiledRuleText;
  text?: string;
  enabledIn?: readonly Environment[];
}

/**
 * The next version of a stored rule, or `changed: false` when the change changes nothing (an
 * unchanged Sigma re-import keeps its version). The rule id and source never change.
 */
export function changedRuleDoc(previous: DetectionRuleDoc, change: RuleChange, by: string, now: Date): { doc: DetectionRuleDoc; changed: boolean } {
  const version = previous.version + 1;
  const rule = change.compiled?.rule ?? previous.rule;
  const next = {
    rule: { ...rule, version },
    source: previous.source,
    ...((change.text ?? previous.text) !== undefined ? { text: change.text ?? previous.text } : {}),
    ...((change.compiled?.sigma ?? previous.sigma) !== undefined ? { sigma: change.compiled?.sigma ?? previous.sigma } : {}),
    enabledIn: change.enabledIn !== undefined ? uniqueEnvironments(change.enabledIn) : previous.enabledIn,
  };
  const same =
    JSON.stringify({ ...next.rule, version: previous.version }) === JSON.stringify(previous.rule) &&
    next.text === previous.text &&
    JSON.stringify(next.sigma) === JSON.stringify(previous.sigma) &&
    JSON.stringify([...next.enabledIn].sort()) === JSON.stringify([...previous.enabledIn].sort());
  if (same) return { doc: previous, changed: false };
  return { doc: plain(DetectionRuleDocSchema.parse({ ...next, version, updatedAt: now.toISOString(), updatedBy: by })), changed: true };
}

/** The first override document of a built-in rule: its rule as deployed, only `enabledIn` set. */
export function builtinOverrideDoc(builtin: DetectionRule, enabledIn: readonly Environment[], by: string, now: Date): DetectionRuleDoc {
  return plain(DetectionRuleDocSchema.parse({
    rule: { ...builtin, version: 1 },
    source: 'builtin',
    enabledIn: uniqueEnvironments(enabledIn),
    version: 1,
    updatedAt: now.toISOString(),
    updatedBy: by,
  }));
}

/**
 * The document as Firestore stores it: optional fields left unset are dropped, not written as
 * undefined (which the Admin SDK refuses unless ignoreUndefinedProperties is on, as it is not in
 * `npm run sigma -- import`). Rules and exceptions are plain JSON data.
 */
function plain<T>(doc: T): T {
  return JSON.parse(JSON.stringify(doc)) as T;
}

function uniqueEnvironments(environments: readonly Environment[]): Environment[] {
  return [...new Set(environments)];
}

// ---- exceptions ----

const DAY_MS = 24 * 60 * 60 * 1000;

export const ExceptionInputSchema = z.strictObject({
  ruleId: z.string().min(1).max(64),
  match: ConditionSchema,
  reason: z.string().trim().min(5).max(500),
  owner: z.string().trim().min(3).max(256).optional(),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type ExceptionInput = z.infer<typeof ExceptionInputSchema>;

/** A new exception, or every reason it is refused (expiry in the past or beyond MAX_EXCEPTION_DAYS). */
export function newExceptionDoc(input: ExceptionInput, by: string, now: Date): { ok: true; doc: DetectionExceptionDoc } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const expires = Date.parse(input.expiresAt);
  if (!(expires > now.getTime())) errors.push('expiresAt: must be in the future');
  if (expires > now.getTime() + MAX_EXCEPTION_DAYS * DAY_MS) errors.push(`expiresAt: at most ${MAX_EXCEPTION_DAYS} days ahead`);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    doc: withRetention(plain(DetectionExceptionDocSchema.parse({
      ruleId: input.ruleId,
      match: input.match,
      reason: input.reason,
      owner: input.owner ?? by,
      createdBy: by,
      createdAt: now.toISOString(),
      // Normalised to UTC so the runtime's `expiresAt > now` string query orders correctly.
      expiresAt: new Date(expires).toISOString(),
      hits: 0,
    }))),
  };
}

/** The exception ended now; `changed: false` when it had already expired. */
export function expiredExceptionDoc(previous: DetectionExceptionDoc, now: Date): { doc: DetectionExceptionDoc; changed: boolean } {
  if (!(Date.parse(previous.expiresAt) > now.getTime())) return { doc: previous, changed: false };
  return { doc: withRetention({ ...previous, expiresAt: now.toISOString() }), changed: true };
}

/** Sets the TTL field: EXCEPTION_RETENTION_DAYS after the exception ends. */
function withRetention(doc: DetectionExceptionDoc): DetectionExceptionDoc {
  return { ...doc, expireAt: Timestamp.fromMillis(Date.parse(doc.expiresAt) + EXCEPTION_RETENTION_DAYS * DAY_MS) };
}
