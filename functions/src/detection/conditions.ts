import { RE2JS } from 're2js';
import { z } from 'zod';
import { CidrSet } from '../domain/enrich/cidr';
import { compileGetter, isEventPath, valuesOf, type EventPath, type PathValue } from './paths';
import type { NormalizedEvent } from '@threatstream/events';

/**
 * Field operators, the same ones Sigma's value modifiers compile to: `equals` (a list is "in"),
 * `contains`, `startswith`, `endswith`, `cidr`, `regex` (RE2: linear time, no backtracking),
 * `range` (gt/gte/lt/lte), `exists`, `fieldref` (equals the value of the field named in `values[0]`, Sigma's `|fieldref`),
 * `wildcard` (whole-value glob: `*` any run, `?` one character, `\\` escapes them; no regex engine).
 */
export const FIELD_OPS = ['equals', 'contains', 'startswith', 'endswith', 'cidr', 'regex', 'range', 'exists', 'fieldref', 'wildcard'] as const;
export type FieldOp = (typeof FIELD_OPS)[number];

/** Transforms applied to a field's text before it is compared (e.g. %27 → ' in a URL). */
export const DECODERS = ['url', 'html', 'plus_as_space'] as const;
export type Decoder = (typeof DECODERS)[number];

const Scalar = z.union([z.string().max(4096), z.number(), z.boolean()]);

export const RangeSchema = z
  .strictObject({ gt: z.number().optional(), gte: z.number().optional(), lt: z.number().optional(), lte: z.number().optional() })
  .refine((range) => Object.keys(range).length > 0, 'a range needs at least one of gt, gte, lt, lte');
export type Range = z.infer<typeof RangeSchema>;

export const FieldPathSchema = z.string().min(1).max(256).refine(isEventPath, { error: (issue) => `"${String(issue.input)}" is not a field of the normalised event` });

/** One field test. A list of values matches when any value does (or every value, with `all`). */
export const FieldConditionSchema = z
  .strictObject({
    field: FieldPathSchema,
    op: z.enum(FIELD_OPS),
    values: z.array(Scalar).max(1000).optional(),
    /** Every value must match (Sigma's `|all`), instead of any. */
    all: z.boolean().optional(),
    /** Text compares case-sensitively (Sigma's `|cased`); the default ignores case, as Sigma does. */
    cased: z.boolean().optional(),
    decode: z.array(z.enum(DECODERS)).optional(),
    range: RangeSchema.optional(),
    /** For `exists`: whether the field must be present (default) or absent. */
    present: z.boolean().optional(),
  })
  .superRefine((condition, context) => {
    const needsValues = condition.op !== 'range' && condition.op !== 'exists';
    if (needsValues && (condition.values === undefined || condition.values.length === 0)) {
      context.addIssue({ code: 'custom', message: `op "${condition.op}" needs a non-empty values list` });
    }
    if (condition.op === 'range' && condition.range === undefined) context.addIssue({ code: 'custom', message: 'op "range" needs range' });
    if (condition.op === 'cidr') {
      for (const value of condition.values ?? []) {
        try {
          CidrSet.parse([String(value)]);
        } catch (error) {
          context.addIssue({ code: 'custom', message: `invalid CIDR ${JSON.stringify(value)}: ${(error as Error).message}` });
        }
      }
    }
    if (condition.op === 'fieldref' && (condition.values?.length !== 1 || !isEventPath(String(condition.values[0])))) {
      context.addIssue({ code: 'custom', message: 'op "fieldref" needs one value naming a field of the normalised event' });
    }
    if (condition.op === 'regex') {
      for (const value of condition.values ?? []) {
        try {
          RE2JS.compile(String(value));
        } catch (error) {
          context.addIssue({ code: 'custom', message: `invalid RE2 regex ${JSON.stringify(value)}: ${(error as Error).message}` });
        }
      }
    }
  });

export interface FieldCondition<P extends string = string> {
  readonly field: P;
  readonly op: FieldOp;
  readonly values?: readonly (string | number | boolean)[];
  readonly all?: boolean;
  readonly cased?: boolean;
  readonly decode?: readonly Decoder[];
  readonly range?: Range;
  readonly present?: boolean;
}

/** Boolean combinations, enough for Sigma conditions (`and`, `or`, `not`, `1 of`, `all of`). */
export type Condition<P extends string = string> =
  | FieldCondition<P>
  | { readonly all: readonly Condition<P>[] }
  | { readonly any: readonly Condition<P>[] }
  | { readonly not: Condition<P> };

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    FieldConditionSchema,
    z.strictObject({ all: z.array(ConditionSchema).min(1).max(100) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1).max(100) }),
    z.strictObject({ not: ConditionSchema }),
  ]),
) as z.ZodType<Condition>;

export type Predicate = (event: unknown) => boolean;

/** Compiles a condition once into a predicate over events. */
export function compileCondition(condition: Condition): Predicate {
  if ('all' in condition && Array.isArray(condition.all)) {
    const parts = condition.all.map(compileCondition);
    return (event) => {
      for (const part of parts) if (!part(event)) return false;
      return true;
    };
  }
  if ('any' in condition) {
    const parts = condition.any.map(compileCondition);
    return (event) => {
      for (const part of parts) if (part(event)) return true;
      return false;
    };
  }
  if ('not' in condition) {
    const inner = compileCondition(condition.not);
    return (event) => !inner(event);
  }
  return compileField(condition as FieldCondition);
}

function compileField(condition: FieldCondition): Predicate {
  const get = compileGetter(condition.field);
  if (condition.op === 'exists') {
    const present = condition.present ?? true;
    return (event) => (valuesOf(get(event)).length > 0) === present;
  }
  if (condition.op === 'fieldref') return compileFieldRef(get, condition);
  const test = compileValueTest(condition);
  const decoders = condition.decode ?? [];
  // A field holding a list matches when any of its elements does (ECS arrays, Sigma lists).
  return (event) => {
    const raw = get(event);
    if (raw === undefined || raw === null) return false;
    if (!Array.isArray(raw)) return test(decoders.length === 0 ? raw : decodeAll(raw, decoders));
    for (const item of raw) if (test(decoders.length === 0 ? item : decodeAll(item, decoders))) return true;
    return false;
  };
}

type ValueTest = (value: unknown) => boolean;

function compileValueTest(condition: FieldCondition): ValueTest {
  const cased = condition.cased ?? false;
  const values = condition.values ?? [];
  const combine = (tests: ValueTest[]): ValueTest => {
    if (tests.length === 1) return tests[0]!;
    return condition.all
      ? (value) => tests.every((test) => test(value))
      : (value) => {
          for (const test of tests) if (test(value)) return true;
          return false;
        };
  };
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' ? (cased ? value : value.toLowerCase()) : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  const needles = values.map((value) => (typeof value === 'string' && !cased ? value.toLowerCase() : String(value)));

  switch (condition.op) {
    case 'equals': {
      if (!condition.all) {
        // "in": one set lookup, numbers and their text alike.
        const set = new Set(needles);
        return (value) => {
          // Most values already match as they are (lower-case categories, outcomes): no copy then.
          if (typeof value === 'string' && set.has(value)) return true;
          const shown = text(value);
          return shown !== undefined && set.has(shown);
        };
      }
      return combine(needles.map((needle) => (value) => text(value) === needle));
    }
    case 'contains':
    case 'startswith':
    case 'endswith': {
      const has =
        condition.op === 'contains'
          ? (shown: string, needle: string) => shown.includes(needle)
          : condition.op === 'startswith'
            ? (shown: string, needle: string) => shown.startsWith(needle)
            : (shown: string, needle: string) => shown.endsWith(needle);
      // The field's text is lower-cased once, not once per needle (Sigma lists run to hundreds).
      return (value) => {
        const shown = text(value);
        if (shown === undefined) return false;
        if (condition.all) {
          for (const needle of needles) if (!has(shown, needle)) return false;
          return true;
        }
        for (const needle of needles) if (has(shown, needle)) return true;
        return false;
      };
    }
    case 'wildcard': {
      const globs = needles.map(compileGlob);
      return combine(
        globs.map((glob) => (value) => {
          const shown = text(value);
          return shown !== undefined && glob(shown);
        }),
      );
    }
    case 'cidr': {
      const set = CidrSet.parse(values.map(String));
      return (value) => typeof value === 'string' && set.containsIp(value);
    }
    case 'regex': {
      const flags = cased ? 0 : RE2JS.CASE_INSENSITIVE;
      // "Any of" these patterns is one alternation: RE2 scans the text once for all of them.
      const sources = condition.all ? values.map(String) : [values.map((value) => `(?:${String(value)})`).join('|')];
      const patterns = sources.map((source) => RE2JS.compile(source, flags));
      // Text as it is: RE2 handles case itself.
      const raw = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined);
      return combine(
        patterns.map((pattern) => {
          const memo = new TextMemo();
          return (value) => {
            const shown = raw(value);
            if (shown === undefined) return false;
            const known = memo.get(shown);
            if (known !== undefined) return known;
            const found = pattern.test(shown);
            memo.set(shown, found);
            return found;
          };
        }),
      );
    }
    case 'range': {
      const { gt, gte, lt, lte } = condition.range ?? {};
      return (value) => {
        const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
        if (!Number.isFinite(number)) return false;
        return (gt === undefined || number > gt) && (gte === undefined || number >= gte) && (lt === undefined || number < lt) && (lte === undefined || number <= lte);
      };
    }
    case 'exists':
    case 'fieldref':
      throw new Error(`${condition.op} is compiled by compileField`);
  }
}

/**
 * A glob over the whole text: the pattern splits at `*` into segments; the first must start the
 * text, the last end it, the middle ones are found left to right (leftmost is always safe for
 * `*`), so time is bounded by text × pattern length, with no backtracking blow-up.
 */
export function compileGlob(pattern: string): (text: string) => boolean {
  const segments: string[][] = [[]];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\' && i + 1 < pattern.length && '*?\\'.includes(pattern[i + 1]!)) segments[segments.length - 1]!.push(pattern[++i]!);
    else if (char === '*') segments.push([]);
    else segments[segments.length - 1]!.push(char === '?' ? '\u0000?' : char);
  }
  // Each segment: a list of units, '\u0000?' standing for any one character.
  const at = (text: string, units: string[], from: number) => {
    if (from + units.length > text.length) return false;
    for (let k = 0; k < units.length; k++) if (units[k] !== '\u0000?' && units[k] !== text[from + k]) return false;
    return true;
  };
  const find = (text: string, units: string[], from: number) => {
    for (let i = from; i + units.length <= text.length; i++) if (at(text, units, i)) return i;
    return -1;
  };
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  return (text) => {
    if (segments.length === 1) return text.length === first.length && at(text, first, 0);
    if (!at(text, first, 0)) return false;
    const tailStart = text.length - last.length;
    if (tailStart < first.length || !at(text, last, tailStart)) return false;
    let position = first.length;
    for (let s = 1; s < segments.length - 1; s++) {
      const found = find(text, segments[s]!, position);
      if (found < 0 || found + segments[s]!.length > tailStart) return false;
      position = found + segments[s]!.length;
    }
    return true;
  };
}

function compileFieldRef(get: (event: unknown) => unknown, condition: FieldCondition): Predicate {
  const other = compileGetter(String(condition.values?.[0]));
  const show = (value: unknown) => (typeof value === 'string' ? (condition.cased ? value : value.toLowerCase()) : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined);
  return (event) => {
    const mine = valuesOf(get(event)).map(show);
    const theirs = new Set(valuesOf(other(event)).map(show));
    return mine.some((value) => value !== undefined && theirs.has(value));
  };
}

/**
 * Recent answers of one regex, by text: logs repeat the same URLs and names, and RE2 in
 * JavaScript costs microseconds a scan. Bounded; cleared whole when full (no per-hit upkeep).
 */
class TextMemo {
  static readonly MAX_ENTRIES = 4096;
  static readonly MAX_TEXT = 512;
  private readonly answers = new Map<string, boolean>();
  get(text: string): boolean | undefined {
    return text.length > TextMemo.MAX_TEXT ? undefined : this.answers.get(text);
  }
  set(text: string, answer: boolean): void {
    if (text.length > TextMemo.MAX_TEXT) return;
    if (this.answers.size >= TextMemo.MAX_ENTRIES) this.answers.clear();
    this.answers.set(text, answer);
  }
}

function decodeAll(value: unknown, decoders: readonly Decoder[]): unknown {
  if (typeof value !== 'string') return value;
  let text = value;
  for (const decoder of decoders) text = decode(text, decoder);
  return text;
}

function decode(text: string, decoder: Decoder): string {
  switch (decoder) {
    case 'plus_as_space':
      return text.includes('+') ? text.replaceAll('+', ' ') : text;
    case 'url': {
      if (!text.includes('%')) return text;
      // Twice: attackers double-encode (%2527) to slip past a single decode.
      return percentDecode(percentDecode(text));
    }
    case 'html':
      return text.includes('&') ? text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|quot|apos|amp);/gi, htmlEntity) : text;
  }
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Malformed sequences (a lone %) are decoded byte by byte where they are valid.
    return text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
function htmlEntity(_: string, body: string): string {
  const lower = body.toLowerCase();
  if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16) % 0x110000);
  if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10) % 0x110000);
  return NAMED_ENTITIES[lower] ?? _;
}

// Typed builders for TypeScript rules: the path must exist on the normalised event and the
// values must have its type, so `is.equals('destination.prot', 22)` does not compile.
type Values<P extends EventPath> = PathValue<NormalizedEvent, P> extends infer V ? (V extends string | number | boolean ? V : string | number | boolean) : never;
type Options = Pick<FieldCondition, 'all' | 'cased' | 'decode'>;
type OneOrMany<V> = V | readonly V[];
const list = <V>(value: OneOrMany<V>): readonly V[] => (Array.isArray(value) ? value : [value as V]);

export const is = {
  equals: <P extends EventPath>(field: P, values: OneOrMany<Values<P>>, options: Options = {}): FieldCondition<P> => ({ field, op: 'equals', values: list(values), ...options }),
  contains: <P extends EventPath>(field: P, values: OneOrMany<string>, options: Options = {}): FieldCondition<P> => ({ field, op: 'contains', values: list(values), ...options }),
  startsWith: <P extends EventPath>(field: P, values: OneOrMany<string>, options: Options = {}): FieldCondition<P> => ({ field, op: 'startswith', values: list(values), ...options }),
  endsWith: <P extends EventPath>(field: P, values: OneOrMany<string>, options: Options = {}): FieldCondition<P> => ({ field, op: 'endswith', values: list(values), ...options }),
  cidr: <P extends EventPath>(field: P, cidrs: OneOrMany<string>): FieldCondition<P> => ({ field, op: 'cidr', values: list(cidrs) }),
  regex: <P extends EventPath>(field: P, patterns: OneOrMany<string>, options: Options = {}): FieldCondition<P> => ({ field, op: 'regex', values: list(patterns), ...options }),
  range: <P extends EventPath>(field: P, range: Range): FieldCondition<P> => ({ field, op: 'range', range }),
  exists: <P extends EventPath>(field: P, present = true): FieldCondition<P> => ({ field, op: 'exists', present }),
  all: <P extends string>(...conditions: Condition<P>[]): Condition<P> => ({ all: conditions }),
  any: <P extends string>(...conditions: Condition<P>[]): Condition<P> => ({ any: conditions }),
  not: <P extends string>(condition: Condition<P>): Condition<P> => ({ not: condition }),
};
