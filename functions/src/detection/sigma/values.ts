import { RE2JS } from 're2js';
import type { Condition, FieldCondition } from '../conditions';

/**
 * Sigma values with their modifiers → field conditions of the rule model. Throws
 * `SigmaRefusal` for anything the engine cannot honour exactly.
 */
export class SigmaRefusal extends Error {}

type Token = string | { wild: '*' | '?' };
/** A value on its way through the modifier chain: a wildcard pattern, or bytes (after utf16). */
type Work = { kind: 'pattern'; tokens: Token[] } | { kind: 'bytes'; bytes: Uint8Array };

const TRANSFORMS = new Set(['base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'windash', 'expand']);
const MATCHERS = new Set(['contains', 'startswith', 'endswith', 're', 'cidr', 'gt', 'gte', 'lt', 'lte', 'exists', 'fieldref']);
const RE_FLAGS: Record<string, string> = { i: 'i', ignorecase: 'i', m: 'm', multiline: 'm', s: 's', dotall: 's' };

export interface ValueOptions {
  /** Values for `%name%` placeholders of the `expand` modifier. */
  placeholders?: Readonly<Record<string, readonly string[]>>;
  /** Maps a Sigma field name (for `fieldref`) to a path. */
  mapField: (field: string) => string;
}

/** Parses Sigma's string escapes: `\*`, `\?`, `\\` are literal; `*` and `?` are wildcards. */
export function tokenize(value: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === '\\' && (value[i + 1] === '*' || value[i + 1] === '?' || value[i + 1] === '\\')) {
      literal += value[++i];
    } else if (char === '*' || char === '?') {
      if (literal) tokens.push(literal);
      literal = '';
      tokens.push({ wild: char });
    } else literal += char;
  }
  if (literal) tokens.push(literal);
  return tokens;
}

const plain = (tokens: Token[]): string | undefined => (tokens.every((token) => typeof token === 'string') ? tokens.join('') : undefined);

/** One Sigma `field|modifiers: value(s)` → a condition on `path`. */
export function compileFieldValues(path: string, modifiers: readonly string[], rawValues: readonly unknown[], options: ValueOptions): Condition {
  const transforms: string[] = [];
  let matcher: string | undefined;
  let all = false;
  let cased = false;
  const reFlags = new Set<string>();
  for (const modifier of modifiers) {
    if (TRANSFORMS.has(modifier)) {
      if (matcher !== undefined && matcher !== 'contains' && matcher !== 'startswith' && matcher !== 'endswith') throw new SigmaRefusal(`modifier "${modifier}" after "${matcher}"`);
      transforms.push(modifier);
    } else if (MATCHERS.has(modifier)) {
      if (matcher !== undefined) throw new SigmaRefusal(`two matching modifiers "${matcher}" and "${modifier}"`);
      matcher = modifier;
    } else if (modifier === 'all') all = true;
    else if (modifier === 'cased') cased = true;
    else if (modifier in RE_FLAGS && matcher === 're') reFlags.add(RE_FLAGS[modifier]!);
    else throw new SigmaRefusal(`unknown modifier "${modifier}"`);
  }

  if (rawValues.length === 0) throw new SigmaRefusal(`field "${path}" has an empty list of values`);
  if (matcher === 'exists') {
    if (rawValues.length !== 1 || typeof rawValues[0] !== 'boolean') throw new SigmaRefusal('"exists" takes true or false');
    return { field: path, op: 'exists', present: rawValues[0] };
  }
  const nullValues = rawValues.filter((value) => value === null);
  const values = rawValues.filter((value) => value !== null);
  const parts: Condition[] = [];
  if (nullValues.length > 0) {
    if (matcher !== undefined || transforms.length > 0) throw new SigmaRefusal(`null value with modifiers on "${path}"`);
    parts.push({ field: path, op: 'exists', present: false });
  }
  if (values.length > 0) parts.push(compileNonNull(path, matcher, transforms, values, { all, cased, reFlags }, options));
  if (parts.length === 1) return parts[0]!;
  return all ? { all: parts } : { any: parts };
}

interface Flags {
  all: boolean;
  cased: boolean;
  reFlags: Set<string>;
}

function compileNonNull(path: string, matcher: string | undefined, transforms: string[], values: unknown[], flags: Flags, options: ValueOptions): Condition {
  for (const value of values) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new SigmaRefusal(`value of "${path}" is not a string, number, boolean or null`);
  }
  switch (matcher) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (transforms.length > 0) throw new SigmaRefusal(`"${matcher}" with transformations`);
      const conditions: Condition[] = values.map((value) => {
        const number = typeof value === 'number' ? value : Number(value);
        if (!Number.isFinite(number)) throw new SigmaRefusal(`"${matcher}" needs a number, got ${JSON.stringify(value)}`);
        return { field: path, op: 'range', range: { [matcher]: number } } as FieldCondition;
      });
      return combine(conditions, flags.all);
    }
    case 'cidr':
      if (transforms.length > 0) throw new SigmaRefusal('"cidr" with transformations');
      return flags.all ? combine(values.map((value) => ({ field: path, op: 'cidr', values: [String(value)] })), true) : { field: path, op: 'cidr', values: values.map(String) };
    case 'fieldref':
      if (transforms.length > 0) throw new SigmaRefusal('"fieldref" with transformations');
      return combine(
        values.map((value) => ({ field: path, op: 'fieldref', values: [options.mapField(String(value))], ...(flags.cased ? { cased: true } : {}) }) as unknown as FieldCondition),
        flags.all,
      );
    case 're': {
      if (transforms.length > 0) throw new SigmaRefusal('"re" with transformations');
      const prefix = flags.reFlags.size > 0 ? `(?${[...flags.reFlags].sort().join('')})` : '';
      const patterns = values.map((value) => {
        const pattern = prefix + String(value);
        try {
          RE2JS.compile(pattern);
        } catch (error) {
          throw new SigmaRefusal(`regex ${JSON.stringify(String(value))} is not RE2 (linear time): ${(error as Error).message}`);
        }
        return pattern;
      });
      // Sigma's regexes are case-sensitive unless flagged `i`.
      return flags.all ? combine(patterns.map((pattern) => ({ field: path, op: 'regex', values: [pattern], cased: true })), true) : { field: path, op: 'regex', values: patterns, cased: true };
    }
  }
  // Plain, contains, startswith, endswith: wildcard patterns after the transformations.
  const conditions: Condition[] = [];
  for (const value of values) {
    let works: Work[] = [{ kind: 'pattern', tokens: typeof value === 'string' ? tokenize(value) : [String(value)] }];
    for (const transform of transforms) works = works.flatMap((work) => applyTransform(transform, work, options));
    const variants: Condition[] = works.map((work) => {
      if (work.kind === 'bytes') throw new SigmaRefusal('a utf16 value must be followed by base64 or base64offset');
      let tokens = work.tokens;
      if (matcher === 'contains' || matcher === 'endswith') tokens = [{ wild: '*' }, ...tokens];
      if (matcher === 'contains' || matcher === 'startswith') tokens = [...tokens, { wild: '*' }];
      return patternCondition(path, tokens, flags.cased, typeof value !== 'string');
    });
    // A value's variants (windash, base64offset) are alternatives; `all` applies across values.
    conditions.push(variants.length === 1 ? variants[0]! : { any: variants });
  }
  if (!flags.all) return mergeAny(conditions);
  return combine(conditions, true);
}

function combine(conditions: Condition[], all: boolean): Condition {
  if (conditions.length === 1) return conditions[0]!;
  return all ? { all: conditions } : mergeAny(conditions);
}

/** `any` of simple field conditions with the same op merge into one (a set lookup for equals). */
function mergeAny(conditions: Condition[]): Condition {
  const merged = new Map<string, FieldCondition>();
  const rest: Condition[] = [];
  for (const condition of conditions) {
    if ('op' in condition && condition.values !== undefined && (condition.op === 'equals' || condition.op === 'contains' || condition.op === 'startswith' || condition.op === 'endswith' || condition.op === 'regex' || condition.op === 'wildcard')) {
      const key = `${condition.field}\u0000${condition.op}\u0000${condition.cased ? 1 : 0}`;
      const existing = merged.get(key);
      merged.set(key, existing === undefined ? { ...condition } : { ...existing, values: [...existing.values!, ...condition.values] });
    } else rest.push(condition);
  }
  const out = [...merged.values(), ...rest];
  return out.length === 1 ? out[0]! : { any: out };
}

/** A wildcard pattern → equals / startswith / endswith / contains, or an anchored RE2 regex. */
function patternCondition(path: string, tokens: Token[], cased: boolean, numeric: boolean): Condition {
  const casedFlag = cased ? { cased: true } : {};
  const literal = plain(tokens);
  if (literal !== undefined) return { field: path, op: 'equals', values: [numeric && Number.isFinite(Number(literal)) ? Number(literal) : literal], ...casedFlag };
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  const star = (token: Token | undefined) => typeof token === 'object' && token.wild === '*';
  const inner = tokens.slice(star(first) ? 1 : 0, star(last) && tokens.length > 1 ? -1 : undefined);
  const innerText = plain(inner);
  if (innerText !== undefined && innerText !== '') {
    if (star(first) && star(last) && tokens.length > 1) return { field: path, op: 'contains', values: [innerText], ...casedFlag };
    if (star(first)) return { field: path, op: 'endswith', values: [innerText], ...casedFlag };
    if (star(last)) return { field: path, op: 'startswith', values: [innerText], ...casedFlag };
  }
  if (tokens.every((token) => typeof token === 'object' && token.wild === '*')) return { field: path, op: 'exists', present: true };
  // Wildcards inside the value: a glob (linear, no regex engine), escaped as Sigma writes it.
  const glob = tokens.map((token) => (typeof token === 'string' ? token.replace(/[\\*?]/g, '\\$&') : token.wild)).join('');
  return { field: path, op: 'wildcard', values: [glob], ...casedFlag };
}

const WINDASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'];
const MAX_VARIANTS = 64;

function applyTransform(transform: string, work: Work, options: ValueOptions): Work[] {
  switch (transform) {
    case 'windash': {
      if (work.kind !== 'pattern') throw new SigmaRefusal('"windash" on bytes');
      // Every dash or slash that starts a word (an option) may be any of the dashes Windows accepts.
      let variants: Token[][] = [[]];
      for (const token of work.tokens) {
        if (typeof token !== 'string') {
          variants = variants.map((variant) => [...variant, token]);
          continue;
        }
        const pieces = token.split(/(?<![\w])([-/])(?=\w)/);
        for (let i = 0; i < pieces.length; i++) {
          const piece = pieces[i]!;
          if (i % 2 === 1) variants = variants.flatMap((variant) => WINDASH_CHARS.map((dash) => [...variant, dash]));
          else if (piece) variants = variants.map((variant) => [...variant, piece]);
          if (variants.length > MAX_VARIANTS) throw new SigmaRefusal(`"windash" makes more than ${MAX_VARIANTS} variants`);
        }
      }
      return variants.map((tokens) => ({ kind: 'pattern', tokens: joinLiterals(tokens) }));
    }
    case 'expand': {
      if (work.kind !== 'pattern') throw new SigmaRefusal('"expand" on bytes');
      const text = plain(work.tokens);
      if (text === undefined) throw new SigmaRefusal('"expand" with wildcards');
      const names = [...text.matchAll(/%(\w+)%/g)].map((match) => match[1]!);
      let variants = [text];
      for (const name of new Set(names)) {
        const replacements = options.placeholders?.[name];
        if (replacements === undefined || replacements.length === 0) throw new SigmaRefusal(`placeholder %${name}% has no values configured`);
        variants = variants.flatMap((variant) => replacements.map((replacement) => variant.replaceAll(`%${name}%`, replacement)));
      }
      return variants.map((variant) => ({ kind: 'pattern', tokens: tokenize(variant) }));
    }
    case 'utf16le':
    case 'wide':
    case 'utf16be':
    case 'utf16': {
      if (work.kind !== 'pattern') throw new SigmaRefusal(`"${transform}" on bytes`);
      const text = plain(work.tokens);
      if (text === undefined) throw new SigmaRefusal(`"${transform}" with wildcards`);
      return [{ kind: 'bytes', bytes: utf16(text, transform) }];
    }
    case 'base64':
    case 'base64offset': {
      const bytes = work.kind === 'bytes' ? work.bytes : textBytes(work.tokens, transform);
      if (transform === 'base64') return [{ kind: 'pattern', tokens: [Buffer.from(bytes).toString('base64')] }];
      return base64Offsets(bytes).map((text) => ({ kind: 'pattern', tokens: [text] }));
    }
  }
  throw new SigmaRefusal(`unknown transformation "${transform}"`);
}

function textBytes(tokens: Token[], transform: string): Uint8Array {
  const text = plain(tokens);
  if (text === undefined) throw new SigmaRefusal(`"${transform}" with wildcards`);
  return new TextEncoder().encode(text);
}

function joinLiterals(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const token of tokens) {
    if (typeof token === 'string' && typeof out[out.length - 1] === 'string') out[out.length - 1] += token;
    else out.push(token);
  }
  return out;
}

function utf16(text: string, transform: string): Uint8Array {
  const le = Buffer.from(text, 'utf16le');
  if (transform === 'utf16le' || transform === 'wide') return le;
  const be = Buffer.from(le);
  be.swap16();
  if (transform === 'utf16be') return be;
  return Buffer.concat([Buffer.from([0xff, 0xfe]), le]); // utf16: little-endian with a BOM
}

/** The three base64 forms of bytes at offsets 0, 1, 2 in a longer text, without the unstable edges (pySigma's algorithm). */
export function base64Offsets(bytes: Uint8Array): string[] {
  const starts = [0, 2, 3];
  const ends = [0, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const encoded = Buffer.concat([Buffer.alloc(i, 0x20), Buffer.from(bytes)]).toString('base64');
    const end = ends[(bytes.length + i) % 3]!;
    out.push(encoded.slice(starts[i], end === 0 ? undefined : end));
  }
  return out;
}
