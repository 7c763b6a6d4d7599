import type { Condition, FieldCondition } from './conditions';

/**
 * Which rules an event may match, without running each rule against each event.
 *
 * Every rule's condition names *atoms* of which at least one holds whenever the condition does:
 * a field that equals, starts with, ends with or contains a text (a glob's literal pieces and a
 * regex's literal runs count too). Per event the index reads each indexed field once and finds
 * the rules whose atom holds: one Map lookup per value for `equals`, one Aho–Corasick pass over
 * the value for the rest, so the cost grows with the event, not with the number of rules. Rules
 * without atoms run on every event. A prefilter only: each candidate still runs its predicate.
 */
export type AtomOp = 'equals' | 'startswith' | 'endswith' | 'contains';

export interface Atom {
  field: string;
  op: AtomOp;
  /** Lower-cased (the index compares folded text: a necessary condition for cased tests too). */
  needle: string;
}

/** Contains needles shorter than this would be candidates on most text: the condition is not keyed by them. */
export const MIN_CONTAINS = 3;

/**
 * Atoms of which at least one holds whenever `condition` does, chosen for selectivity
 * (`probability` estimates how often an atom holds for an event), or undefined when the
 * condition names none (a `not`, a range, a CIDR, a decoded field, a regex without literals).
 */
export function requiredAtoms(condition: Condition, probability: (atom: Atom) => number = baseProbability): Atom[] | undefined {
  return choose(condition, probability)?.atoms;
}

interface Choice {
  atoms: Atom[];
  /** Estimated chance that one of the atoms holds (see costOf; above 1 for values most rules name). */
  cost: number;
}

function choose(condition: Condition, probability: (atom: Atom) => number): Choice | undefined {
  if ('all' in condition && Array.isArray(condition.all)) {
    let best: Choice | undefined;
    for (const child of condition.all) {
      const choice = choose(child, probability);
      if (choice !== undefined && (best === undefined || choice.cost < best.cost)) best = choice;
    }
    return best;
  }
  if ('any' in condition) {
    const atoms: Atom[] = [];
    for (const child of condition.any) {
      const choice = choose(child, probability);
      if (choice === undefined) return undefined;
      atoms.push(...choice.atoms);
    }
    return { atoms, cost: costOf(atoms, probability) };
  }
  if ('not' in condition) return undefined;
  const alternatives = fieldAtoms(condition as FieldCondition);
  if (alternatives === undefined) return undefined;
  // With `all` every value must hold, so the most selective one is enough; else any value may.
  if ((condition as FieldCondition).all) {
    let best: Choice | undefined;
    for (const atoms of alternatives) {
      const cost = costOf(atoms, probability);
      if (best === undefined || cost < best.cost) best = { atoms, cost };
    }
    return best;
  }
  const atoms = alternatives.flat();
  return { atoms, cost: costOf(atoms, probability) };
}

/**
 * Chance that one of the atoms holds for an event: summed per field, where a long list of
 * needles (hundreds of emoji, every spelling of a flag) is capped at FIELD_CAP, never below its
 * likeliest atom; a value most rules ask for (a channel) stays above the cap.
 */
function costOf(atoms: readonly Atom[], probability: (atom: Atom) => number): number {
  const byField = new Map<string, { sum: number; max: number }>();
  for (const atom of atoms) {
    const p = probability(atom);
    const field = byField.get(atom.field);
    if (field === undefined) byField.set(atom.field, { sum: p, max: p });
    else {
      field.sum += p;
      field.max = Math.max(field.max, p);
    }
  }
  let cost = 0;
  for (const { sum, max } of byField.values()) cost += Math.min(sum, Math.max(FIELD_CAP, max));
  return cost;
}

/** The most any list of needles on one field is taken to cost (see costOf). */
const FIELD_CAP = 0.5;

/** Per value of a field condition, the atoms one of which holds when that value matches; undefined when a value names none. */
function fieldAtoms(condition: FieldCondition): Atom[][] | undefined {
  const values = condition.values;
  if (values === undefined || values.length === 0) return undefined;
  // A decoded field is compared after decoding: its raw text need not hold the needle.
  if (condition.decode !== undefined && condition.decode.length > 0) return undefined;
  const field = condition.field;
  const out: Atom[][] = [];
  for (const value of values) {
    const text = String(value).toLowerCase();
    let atoms: Atom[] | undefined;
    switch (condition.op) {
      case 'equals':
        atoms = [{ field, op: 'equals', needle: text }];
        break;
      case 'contains':
        atoms = text.length >= 1 ? [{ field, op: 'contains', needle: text }] : undefined;
        break;
      case 'startswith':
      case 'endswith':
        atoms = text.length >= 1 ? [{ field, op: condition.op, needle: text }] : undefined;
        break;
      case 'wildcard':
        atoms = globAtom(field, text);
        break;
      case 'regex':
        atoms = regexLiterals(String(value))?.map((needle) => ({ field, op: 'contains' as const, needle }));
        break;
      default:
        atoms = undefined;
    }
    if (atoms === undefined) return undefined;
    out.push(atoms);
  }
  return out;
}

/** A glob (`*` any run, `?` one character, `\` escaping them, as `compileGlob` reads it): its longest literal piece. */
function globAtom(field: string, pattern: string): Atom[] | undefined {
  const pieces: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\' && i + 1 < pattern.length && '*?\\'.includes(pattern[i + 1]!)) pieces[pieces.length - 1] += pattern[++i]!;
    else if (char === '*' || char === '?') pieces.push('');
    else pieces[pieces.length - 1] += char;
  }
  if (pieces.length === 1) return [{ field, op: 'equals', needle: pieces[0]! }];
  let best = 0;
  for (let i = 1; i < pieces.length; i++) if (pieces[i]!.length > pieces[best]!.length) best = i;
  const needle = pieces[best]!;
  if (needle.length === 0) return undefined;
  // The first piece starts the text and the last ends it.
  const op: AtomOp = best === 0 ? 'startswith' : best === pieces.length - 1 ? 'endswith' : 'contains';
  return [{ field, op, needle }];
}

const CLASS_ESCAPES = 'dDsSwWbBAz';
const isWordChar = (char: string) => /[A-Za-z0-9_]/.test(char);

/**
 * Literal text every match of an RE2 pattern contains: per top-level alternative its longest
 * run of ASCII literals (lower-cased), or undefined when some alternative has none of
 * MIN_CONTAINS characters. Conservative: groups, classes, `.`, anchors and class escapes end a
 * run; a character under `?`, `*` or `{…}` is left out; anything unusual (`\Q`, `\x`, `\p`,
 * back-references, non-ASCII) ends the run or gives up. ASCII only, because RE2 folds case
 * beyond ASCII (ſ matches s) where lower-casing does not.
 */
export function regexLiterals(source: string): string[] | undefined {
  const alternatives: string[] = [];
  let best = '';
  let run = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  let i = 0;
  /** Skips a quantifier at i, if any; returns whether it allows zero or several repeats (any quantifier does but `+`... which still needs one). */
  const quantifier = (): 'none' | 'optional' | 'plus' => {
    const q = source[i];
    if (q === '*' || q === '?') {
      i++;
      if (source[i] === '?') i++;
      return 'optional';
    }
    if (q === '+') {
      i++;
      if (source[i] === '?') i++;
      return 'plus';
    }
    if (q === '{') {
      const match = /^\{(\d+)(,\d*)?\}\??/.exec(source.slice(i));
      if (match) {
        i += match[0].length;
        // {1} is the character once; any other count breaks the run.
        return match[1] === '1' && match[2] === undefined ? 'none' : 'optional';
      }
    }
    return 'none';
  };
  while (i < source.length) {
    const char = source[i]!;
    if (char === '|') {
      end();
      if (best.length < MIN_CONTAINS) return undefined;
      alternatives.push(best);
      best = '';
      i++;
      continue;
    }
    if (char === '(') {
      const close = groupEnd(source, i);
      if (close < 0) return undefined;
      end();
      i = close + 1;
      quantifier();
      continue;
    }
    if (char === '[') {
      const close = classEnd(source, i);
      if (close < 0) return undefined;
      end();
      i = close + 1;
      quantifier();
      continue;
    }
    if (char === ')') return undefined;
    if (char === '.' || char === '^' || char === '$') {
      end();
      i++;
      quantifier();
      continue;
    }
    if (char === '*' || char === '+' || char === '?' || char === '{') {
      // A quantifier of something already ended, or a literal brace: either way no literal here.
      end();
      i++;
      continue;
    }
    let literal: string;
    if (char === '\\') {
      const next = source[i + 1];
      if (next === undefined) return undefined;
      if (isWordChar(next)) {
        if (!CLASS_ESCAPES.includes(next)) return undefined; // \x41, \pL, \Q…\E, \1, \n: give up rather than misread
        end();
        i += 2;
        quantifier();
        continue;
      }
      literal = next;
      i += 2;
    } else {
      literal = char;
      i++;
    }
    if (literal.charCodeAt(0) > 0x7f) {
      end();
      quantifier();
      continue;
    }
    const repeat = quantifier();
    if (repeat === 'optional') end();
    else if (repeat === 'plus') {
      run += literal.toLowerCase();
      end();
    } else run += literal.toLowerCase();
  }
  end();
  if (best.length < MIN_CONTAINS) return undefined;
  alternatives.push(best);
  return alternatives;
}

/** Index of the `)` closing the group opened at `open`, or -1. */
function groupEnd(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const char = source[i]!;
    if (char === '\\') i++;
    else if (char === '[') {
      i = classEnd(source, i);
      if (i < 0) return -1;
    } else if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Index of the `]` closing the class opened at `open` (`[]a]`, `[^]a]`, `[[:alpha:]]` included), or -1. */
function classEnd(source: string, open: number): number {
  let i = open + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  for (; i < source.length; i++) {
    const char = source[i]!;
    if (char === '\\') i++;
    else if (char === '[' && source[i + 1] === ':') {
      const close = source.indexOf(':]', i + 2);
      if (close < 0) return -1;
      i = close + 1;
    } else if (char === ']') return i;
  }
  return -1;
}

/** How often an atom holds for an event, before the rule set is known: exact values rarely, short needles often. */
export function baseProbability(atom: Atom): number {
  const length = atom.needle.length;
  switch (atom.op) {
    case 'equals':
      return 0.01;
    case 'startswith':
    case 'endswith':
      return length >= 6 ? 0.02 : length >= 4 ? 0.05 : 0.3;
    case 'contains':
      return length >= 8 ? 0.01 : length >= 5 ? 0.03 : length >= MIN_CONTAINS ? 0.1 : 1;
  }
}

const atomKey = (atom: Atom) => `${atom.field}\u0000${atom.op}\u0000${atom.needle}`;

/** Every atom a condition names outside a `not` (what the rules have in common, for popularity). */
function positiveAtoms(condition: Condition, out: Set<string>): void {
  if ('all' in condition && Array.isArray(condition.all)) for (const child of condition.all) positiveAtoms(child, out);
  else if ('any' in condition) for (const child of condition.any) positiveAtoms(child, out);
  else if (!('not' in condition)) for (const atoms of fieldAtoms(condition as FieldCondition) ?? []) for (const atom of atoms) out.add(atomKey(atom));
}

/**
 * Many rules asking for the same value (a Windows channel, an event id, `\powershell.exe`) is a
 * sign that events carry it often: an atom's estimate grows with the rules that name it.
 */
function popularityProbability(conditions: readonly (Condition | undefined)[]): (atom: Atom) => number {
  const rulesNaming = new Map<string, number>();
  for (const condition of conditions) {
    if (condition === undefined) continue;
    const keys = new Set<string>();
    positiveAtoms(condition, keys);
    for (const key of keys) rulesNaming.set(key, (rulesNaming.get(key) ?? 0) + 1);
  }
  // Not capped at 1: a channel named by 1,500 rules must lose to any real needle list.
  return (atom) => baseProbability(atom) * (1 + ((rulesNaming.get(atomKey(atom)) ?? 1) - 1) / 8);
}

// ---------------------------------------------------------------- the index

/** Multi-needle search over one field's text (Aho–Corasick), with flat arrays for the trie. */
class Automaton {
  /** Root transitions of ASCII codes, then of the others (0 stays at the root). */
  private readonly rootAscii = new Int32Array(128);
  private readonly rootOther = new Map<number, number>();
  private readonly childStart: Int32Array;
  private readonly childCode: Uint16Array;
  private readonly childNext: Int32Array;
  private readonly fail: Int32Array;
  /** The needle ending at each state, or -1. */
  readonly needleAt: Int32Array;
  /** Nearest state on the failure chain where a needle ends (0: none). */
  readonly dictionary: Int32Array;
  readonly lengths: number[];

  constructor(needles: readonly string[]) {
    const children: Map<number, number>[] = [new Map()];
    const needleAt: number[] = [-1];
    needles.forEach((needle, id) => {
      let state = 0;
      for (let i = 0; i < needle.length; i++) {
        const code = needle.charCodeAt(i);
        let next = children[state]!.get(code);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          needleAt.push(-1);
          children[state]!.set(code, next);
        }
        state = next;
      }
      needleAt[state] = id;
    });
    const count = children.length;
    this.lengths = needles.map((needle) => needle.length);
    this.needleAt = Int32Array.from(needleAt);
    this.fail = new Int32Array(count);
    this.dictionary = new Int32Array(count);
    this.childStart = new Int32Array(count + 1);
    let edges = 0;
    for (let s = 0; s < count; s++) {
      this.childStart[s] = edges;
      edges += children[s]!.size;
    }
    this.childStart[count] = edges;
    this.childCode = new Uint16Array(edges);
    this.childNext = new Int32Array(edges);
    for (let s = 0; s < count; s++) {
      const sorted = [...children[s]!].sort((a, b) => a[0] - b[0]);
      sorted.forEach(([code, next], k) => {
        this.childCode[this.childStart[s]! + k] = code;
        this.childNext[this.childStart[s]! + k] = next;
      });
    }
    for (const [code, next] of children[0]!) {
      if (code < 128) this.rootAscii[code] = next;
      else this.rootOther.set(code, next);
    }
    // Breadth first: a state's failure link is the longest proper suffix that is also a prefix.
    const queue: number[] = [...children[0]!.values()];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const [code, next] of children[state]!) {
        this.fail[next] = this.step(this.fail[state]!, code);
        const f = this.fail[next]!;
        this.dictionary[next] = this.needleAt[f]! >= 0 ? f : this.dictionary[f]!;
        queue.push(next);
      }
    }
  }

  private child(state: number, code: number): number {
    let lo = this.childStart[state]!;
    let hi = this.childStart[state + 1]!;
    if (hi - lo <= 8) {
      for (; lo < hi; lo++) if (this.childCode[lo] === code) return this.childNext[lo]!;
      return -1;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.childCode[mid]!;
      if (at === code) return this.childNext[mid]!;
      if (at < code) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /** The state after reading `code` in `state`. */
  step(state: number, code: number): number {
    for (;;) {
      if (state === 0) return code < 128 ? this.rootAscii[code]! : (this.rootOther.get(code) ?? 0);
      const next = this.child(state, code);
      if (next >= 0) return next;
      state = this.fail[state]!;
    }
  }
}

/** What one field's values are looked up in. */
class FieldIndex {
  readonly equals = new Map<string, number[]>();
  /** Needle → [contains, startswith, endswith] rule lists, for the automaton. */
  private readonly needles = new Map<string, [number[], number[], number[]]>();
  private automaton: Automaton | undefined;
  private byNeedle: [number[], number[], number[]][] = [];

  add(op: AtomOp, needle: string, rule: number): void {
    if (op === 'equals') {
      const list = this.equals.get(needle);
      if (list === undefined) this.equals.set(needle, [rule]);
      else if (list[list.length - 1] !== rule) list.push(rule);
      return;
    }
    // The scan reads ſ as s (see lookup): so must the needles.
    const folded = needle.replaceAll('\u017f', 's');
    let lists = this.needles.get(folded);
    if (lists === undefined) this.needles.set(folded, (lists = [[], [], []]));
    const list = lists[op === 'contains' ? 0 : op === 'startswith' ? 1 : 2];
    if (list[list.length - 1] !== rule) list.push(rule);
  }

  build(): void {
    if (this.needles.size === 0) return;
    this.automaton = new Automaton([...this.needles.keys()]);
    this.byNeedle = [...this.needles.values()];
  }

  get needleCount(): number {
    return this.needles.size + this.equals.size;
  }

  lookup(text: string, hit: (rules: readonly number[]) => void): void {
    const exact = this.equals.get(text);
    if (exact !== undefined) hit(exact);
    const automaton = this.automaton;
    if (automaton === undefined) return;
    const { needleAt, dictionary, lengths } = automaton;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      let code = text.charCodeAt(i);
      if (code === 0x17f) code = 0x73; // ſ: RE2 folds it with s, lower-casing does not
      state = automaton.step(state, code);
      let found = needleAt[state]! >= 0 ? state : dictionary[state]!;
      while (found > 0) {
        const id = needleAt[found]!;
        const [contains, starts, ends] = this.byNeedle[id]!;
        if (contains.length > 0) hit(contains);
        if (starts.length > 0 && i + 1 === lengths[id]) hit(starts);
        if (ends.length > 0 && i + 1 === text.length) hit(ends);
        found = dictionary[found]!;
      }
    }
  }
}

interface PathNode {
  field?: FieldIndex;
  children?: Map<string, PathNode>;
}

/** Past this many child segments, an object's own keys are walked instead of the index's. */
const WALK_OWN_KEYS = 8;

export class RuleIndex {
  /** Items with no atoms: candidates for every event. */
  readonly always: number[] = [];
  private readonly root: PathNode = {};
  private readonly seen: Uint32Array;
  private epoch = 0;
  private fieldCount = 0;
  private needleCount = 0;

  /** `conditions[i]` gates item i; undefined means the item is a candidate for every event. */
  constructor(conditions: readonly (Condition | undefined)[]) {
    this.seen = new Uint32Array(conditions.length);
    const probability = popularityProbability(conditions);
    const fields = new Map<string, FieldIndex>();
    conditions.forEach((condition, item) => {
      const atoms = condition === undefined ? undefined : requiredAtoms(condition, probability);
      if (atoms === undefined || atoms.length === 0) {
        this.always.push(item);
        return;
      }
      for (const atom of atoms) {
        let field = fields.get(atom.field);
        if (field === undefined) {
          fields.set(atom.field, (field = new FieldIndex()));
          this.nodeFor(atom.field).field = field;
        }
        field.add(atom.op, atom.needle, item);
      }
    });
    for (const field of fields.values()) {
      field.build();
      this.needleCount += field.needleCount;
    }
    this.fieldCount = fields.size;
  }

  private nodeFor(path: string): PathNode {
    let node = this.root;
    for (const segment of path.split('.')) {
      node.children ??= new Map();
      let child = node.children.get(segment);
      if (child === undefined) node.children.set(segment, (child = {}));
      node = child;
    }
    return node;
  }

  get stats(): { always: number; fields: number; needles: number } {
    return { always: this.always.length, fields: this.fieldCount, needles: this.needleCount };
  }

  /** The items whose condition may hold for `event`, ascending. */
  candidates(event: unknown): number[] {
    if (++this.epoch === 0xffffffff) {
      this.seen.fill(0);
      this.epoch = 1;
    }
    this.out = [];
    this.hit(this.always);
    visit(event, this.root, this.hit);
    const out = this.out;
    // Rules run in their given order (sorted when index hits added some).
    if (out.length > this.always.length) out.sort(ascending);
    return out;
  }

  private out: number[] = [];
  /** Adds rules not yet among this event's candidates (one closure for the index's life, not one per event). */
  private readonly hit = (rules: readonly number[]): void => {
    const { seen, epoch, out } = this;
    for (const rule of rules) {
      if (seen[rule] !== epoch) {
        seen[rule] = epoch;
        out.push(rule);
      }
    }
  };
}

const ascending = (a: number, b: number) => a - b;

/** Walks the event along the index's paths, as `compileGetter` reads them (arrays met on the way are walked through). */
function visit(value: unknown, node: PathNode, hit: (rules: readonly number[]) => void): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) visit(item, node, hit);
    return;
  }
  if (typeof value === 'object') {
    const children = node.children;
    if (children === undefined) return;
    const object = value as Record<string, unknown>;
    if (children.size <= WALK_OWN_KEYS) {
      for (const [segment, child] of children) visit(object[segment], child, hit);
    } else {
      for (const segment in object) {
        const child = children.get(segment);
        if (child !== undefined) visit(object[segment], child, hit);
      }
    }
    return;
  }
  const field = node.field;
  if (field === undefined) return;
  if (typeof value === 'string') field.lookup(value.toLowerCase(), hit);
  else if (typeof value === 'number' || typeof value === 'boolean') field.lookup(String(value), hit);
}
