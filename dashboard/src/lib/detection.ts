import type {
  ConditionView,
  CoverageTactic,
  CoverageTechnique,
  DetectionBlock,
  DetectionExceptionView,
  FieldConditionView,
  SuppressionView,
  ThreatDoc,
} from './types';

// What the dashboard reads of detections, exceptions and coverage: pure functions over the threat
// documents and API answers, so the views stay thin and these are unit-tested without a browser.

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * The detection block of a threat made by the detection engine, or undefined for any other
 * threat. Checked lightly: a block missing what the view indexes into is not shown as one.
 */
export function detectionOf(threat: Pick<ThreatDoc, 'payload' | 'metadata'>): DetectionBlock | undefined {
  const block = (threat.payload as Record<string, unknown> | undefined)?.detection;
  if (!isRecord(block)) return undefined;
  if (typeof block.rule_id !== 'string' || typeof block.count !== 'number' || !isStringArray(block.sample_event_ids)) return undefined;
  return {
    rule_id: block.rule_id,
    rule_version: typeof block.rule_version === 'number' ? block.rule_version : 0,
    rule_title: typeof block.rule_title === 'string' ? block.rule_title : block.rule_id,
    rule_kind: typeof block.rule_kind === 'string' ? block.rule_kind : 'single',
    count: block.count,
    sample_event_ids: block.sample_event_ids,
    first_seen: typeof block.first_seen === 'string' ? block.first_seen : '',
    last_seen: typeof block.last_seen === 'string' ? block.last_seen : '',
    key: isRecord(block.key) ? Object.fromEntries(Object.entries(block.key).map(([field, value]) => [field, String(value)])) : {},
    measures: isRecord(block.measures)
      ? Object.fromEntries(Object.entries(block.measures).filter((entry): entry is [string, number] => typeof entry[1] === 'number'))
      : {},
    ...(isStringArray(block.values) && { values: block.values }),
    ...(isRecord(block.context) && { context: block.context as Record<string, string | number> }),
  };
}

/** The exception that suppressed this detection, if one did (the threat is kept and shown). */
export function suppressionOf(threat: object): SuppressionView | undefined {
  const suppression = (threat as { suppression?: unknown }).suppression;
  if (!isRecord(suppression) || typeof suppression.exceptionId !== 'string') return undefined;
  return {
    exceptionId: suppression.exceptionId,
    reason: typeof suppression.reason === 'string' ? suppression.reason : '',
    owner: typeof suppression.owner === 'string' ? suppression.owner : '',
    expiresAt: typeof suppression.expiresAt === 'string' ? suppression.expiresAt : '',
  };
}

/** Operators an analyst picks from when suppressing (the engine has more; these cover known noise). */
export const EXCEPTION_OPS = ['equals', 'cidr', 'startswith', 'endswith', 'contains'] as const;

export interface ExceptionFieldDraft {
  field: string;
  op: (typeof EXCEPTION_OPS)[number];
  /** Comma-separated values as typed. */
  values: string;
}

/** "Suppress like this": one equals-condition per field of the detection's group key. */
export function draftFromKey(key: Record<string, string>): ExceptionFieldDraft[] {
  return Object.entries(key).map(([field, value]) => ({ field, op: 'equals', values: value }));
}

/** The exception's `match`: one field condition, or all of them. Empty fields and values are dropped. */
export function matchFromDraft(fields: readonly ExceptionFieldDraft[]): ConditionView | undefined {
  const conditions: FieldConditionView[] = [];
  for (const draft of fields) {
    const values = draft.values
      .split(',')
      .map((value) => value.trim())
      .filter((value) => value.length > 0);
    if (draft.field.trim() === '' || values.length === 0) continue;
    conditions.push({ field: draft.field.trim(), op: draft.op, values });
  }
  if (conditions.length === 0) return undefined;
  return conditions.length === 1 ? conditions[0] : { all: conditions };
}

/** A condition in a line: `source.ip cidr 10.0.0.0/24 and user.name equals scanner`. */
export function conditionText(condition: ConditionView): string {
  if ('all' in condition) return condition.all.map(conditionText).join(' and ');
  if ('any' in condition) return `(${condition.any.map(conditionText).join(' or ')})`;
  if ('not' in condition) return `not ${conditionText(condition.not)}`;
  return `${condition.field} ${condition.op}${condition.values ? ` ${condition.values.join(', ')}` : ''}`;
}

export function isActive(exception: Pick<DetectionExceptionView, 'expiresAt'>, now: number = Date.now()): boolean {
  return Date.parse(exception.expiresAt) > now;
}

/** Active exceptions first (soonest to expire first), then expired ones (most recent first). */
export function sortExceptions<T extends Pick<DetectionExceptionView, 'expiresAt'>>(exceptions: readonly T[], now: number = Date.now()): T[] {
  const at = (exception: T) => Date.parse(exception.expiresAt);
  const active = exceptions.filter((exception) => isActive(exception, now)).sort((a, b) => at(a) - at(b));
  const expired = exceptions.filter((exception) => !isActive(exception, now)).sort((a, b) => at(b) - at(a));
  return [...active, ...expired];
}

/**
 * GET /api/detection-coverage's answer as tactics × techniques. Accepts the tactics listed with
 * their techniques, or a flat technique list naming each technique's tactics, so the matrix does
 * not depend on which of the two the API chose.
 */
export function coverageMatrix(body: unknown): CoverageTactic[] {
  if (!isRecord(body)) return [];
  const rulesOf = (value: unknown): CoverageTechnique['rules'] =>
    Array.isArray(value)
      ? value.flatMap((rule) =>
          typeof rule === 'string' ? [{ id: rule, title: rule }]
          : isRecord(rule) && typeof rule.id === 'string' ? [{ id: rule.id, title: typeof rule.title === 'string' ? rule.title : rule.id }]
          : [],
        )
      : [];
  const technique = (value: unknown): CoverageTechnique | undefined =>
    isRecord(value) && typeof value.id === 'string'
      ? { id: value.id, name: typeof value.name === 'string' ? value.name : value.id, rules: rulesOf(value.rules) }
      : undefined;

  if (Array.isArray(body.tactics)) {
    return body.tactics.flatMap((tactic) => {
      if (!isRecord(tactic)) return [];
      const id = typeof tactic.id === 'string' ? tactic.id : typeof tactic.name === 'string' ? tactic.name : '';
      const techniques = Array.isArray(tactic.techniques) ? tactic.techniques.map(technique).filter((t): t is CoverageTechnique => t !== undefined) : [];
      return id ? [{ id, name: typeof tactic.name === 'string' ? tactic.name : id, techniques }] : [];
    });
  }
  if (Array.isArray(body.techniques)) {
    const tactics = new Map<string, CoverageTactic>();
    for (const value of body.techniques) {
      const parsed = technique(value);
      if (!parsed || !isRecord(value)) continue;
      const names = isStringArray(value.tactics) ? value.tactics : typeof value.tactic === 'string' ? [value.tactic] : ['unknown'];
      for (const name of names) {
        const tactic = tactics.get(name) ?? { id: name, name, techniques: [] };
        tactic.techniques.push(parsed);
        tactics.set(name, tactic);
      }
    }
    return [...tactics.values()];
  }
  return [];
}

/** The covered techniques' count, over distinct ids (a technique can sit under two tactics). */
export function coveredCount(tactics: readonly CoverageTactic[]): { covered: number; total: number } {
  const all = new Map<string, boolean>();
  for (const tactic of tactics) for (const technique of tactic.techniques) all.set(technique.id, (all.get(technique.id) ?? false) || technique.rules.length > 0);
  return { covered: [...all.values()].filter(Boolean).length, total: all.size };
}

/** The ISO time `days` days from now, for the expiry field's default and bounds. */
export function daysFromNow(days: number, now: number = Date.now()): string {
  return new Date(now + days * 86_400_000).toISOString();
}
