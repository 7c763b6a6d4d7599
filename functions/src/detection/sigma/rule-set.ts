import type { NormalizedEvent } from '@threatstream/events';
import { compileCondition, type Predicate } from '../conditions';
import type { CompiledSigma } from './compile';

/**
 * Evaluates many compiled single-event Sigma rules per event without running each against each:
 * rules are indexed by Windows channel and event id, then by one value each requires (the
 * `equals`/`endswith`/`startswith`/`contains` needle of its most selective conjunct, indexed by
 * its last or first 4 characters or a 4-gram), so an event runs only the rules it might match.
 * The index is a prefilter: every candidate still runs its full predicate.
 */
const GRAM = 4;
/** Affixes are keyed by their last (first) AFFIX characters at most: `.exe` alone would key hundreds of rules. */
const AFFIX = 10;

type Atom = { field: string; op: 'equals' | 'endswith' | 'startswith' | 'contains'; needle: string };

interface Entry {
  index: number;
  predicate: Predicate;
}

interface Keys {
  map: Map<string, Entry[]>;
  /** Key lengths in use (affixes are keyed by up to AFFIX characters). */
  lengths: Set<number>;
}

interface Bucket {
  always: Entry[];
  /** field → op → keys */
  byField: Map<string, Map<Atom['op'], Keys>>;
  /** Atoms waiting for the gram statistics (contains picks its rarest gram). */
  pending: { atom: Atom; entry: Entry }[];
}

export class SigmaRuleSet {
  readonly rules: CompiledSigma[];
  private readonly byChannel = new Map<string, Map<number | '*', Bucket>>();
  private readonly unkeyed: Bucket = newBucket();
  private readonly seen: Uint32Array;
  private epoch = 0;

  constructor(rules: readonly CompiledSigma[]) {
    this.rules = rules.filter((rule) => rule.rule.kind === 'single' && rule.rule.enabled);
    this.seen = new Uint32Array(this.rules.length);
    this.rules.forEach((compiled, index) => {
      const match = (compiled.rule as { match: Parameters<typeof compileCondition>[0] }).match;
      const entry: Entry = { index, predicate: compileCondition(match) };
      const windows = compiled.logSource?.windows;
      const buckets: Bucket[] = [];
      if (windows === undefined) buckets.push(this.unkeyed);
      else {
        let byId = this.byChannel.get(windows.channel.toLowerCase());
        if (byId === undefined) this.byChannel.set(windows.channel.toLowerCase(), (byId = new Map()));
        for (const id of windows.eventIds ?? ['*' as const]) {
          let bucket = byId.get(id);
          if (bucket === undefined) byId.set(id, (bucket = newBucket()));
          buckets.push(bucket);
        }
      }
      const atoms = requiredAtoms(match);
      for (const bucket of buckets) {
        if (atoms === undefined) bucket.always.push(entry);
        else for (const atom of atoms) bucket.pending.push({ atom, entry });
      }
    });
    for (const bucket of this.allBuckets()) indexPending(bucket);
  }

  private *allBuckets(): Generator<Bucket> {
    yield this.unkeyed;
    for (const byId of this.byChannel.values()) yield* byId.values();
  }

  /** The rules an event matches. */
  match(event: NormalizedEvent): CompiledSigma[] {
    if (++this.epoch === 0xffffffff) {
      this.seen.fill(0);
      this.epoch = 1;
    }
    const out: CompiledSigma[] = [];
    const run = (entry: Entry) => {
      if (this.seen[entry.index] === this.epoch) return;
      this.seen[entry.index] = this.epoch;
      if (entry.predicate(event)) out.push(this.rules[entry.index]!);
    };
    const buckets: Bucket[] = [this.unkeyed];
    const channel = event.winlog?.channel;
    if (channel !== undefined) {
      const byId = this.byChannel.get(channel.toLowerCase());
      if (byId !== undefined) {
        const exact = event.winlog?.event_id !== undefined ? byId.get(event.winlog.event_id) : undefined;
        if (exact !== undefined) buckets.push(exact);
        const any = byId.get('*');
        if (any !== undefined) buckets.push(any);
      }
    }
    for (const bucket of buckets) {
      for (const entry of bucket.always) run(entry);
      for (const [field, byOp] of bucket.byField) {
        const values = read(event, field);
        if (values.length === 0) continue;
        for (const raw of values) {
          const value = raw.toLowerCase();
          for (const [op, keys] of byOp) {
            if (op === 'equals') keys.map.get(value)?.forEach(run);
            else if (op === 'endswith') for (const length of keys.lengths) keys.map.get(value.slice(-length))?.forEach(run);
            else if (op === 'startswith') for (const length of keys.lengths) keys.map.get(value.slice(0, length))?.forEach(run);
            else {
              // Needles keyed by a 4-gram, and short ones (an emoji, " -e") by their first character.
              for (let i = 0; i + GRAM <= value.length; i++) keys.map.get(value.slice(i, i + GRAM))?.forEach(run);
              if (keys.lengths.has(1)) for (let i = 0; i < value.length; i++) keys.map.get(value[i]!)?.forEach(run);
            }
          }
        }
      }
    }
    return out;
  }
}

function newBucket(): Bucket {
  return { always: [], byField: new Map(), pending: [] };
}

/** Keys each atom; a `contains` needle by its rarest 4-gram among the bucket's needles of that field. */
function indexPending(bucket: Bucket): void {
  const gramCounts = new Map<string, number>();
  for (const { atom } of bucket.pending) {
    if (atom.op !== 'contains') continue;
    for (const gram of grams(atom.needle)) gramCounts.set(`${atom.field}\u0000${gram}`, (gramCounts.get(`${atom.field}\u0000${gram}`) ?? 0) + 1);
  }
  for (const { atom, entry } of bucket.pending) {
    let key: string;
    if (atom.op === 'equals') key = atom.needle;
    else if (atom.op === 'startswith') key = atom.needle.slice(0, AFFIX);
    else if (atom.op === 'endswith') key = atom.needle.slice(-AFFIX);
    else {
      key = atom.needle.length < GRAM ? atom.needle[0]! : atom.needle.slice(0, GRAM);
      let best = Number.POSITIVE_INFINITY;
      for (const gram of grams(atom.needle)) {
        const count = gramCounts.get(`${atom.field}\u0000${gram}`) ?? 0;
        if (count < best) [best, key] = [count, gram];
      }
    }
    addKey(bucket, atom, key, entry);
  }
  bucket.pending = [];
}

function grams(needle: string): Set<string> {
  const out = new Set<string>(needle.length < GRAM ? [needle[0]!] : []);
  for (let i = 0; i + GRAM <= needle.length; i++) out.add(needle.slice(i, i + GRAM));
  return out;
}

function addKey(bucket: Bucket, atom: Atom, key: string, entry: Entry): void {
  let byOp = bucket.byField.get(atom.field);
  if (byOp === undefined) bucket.byField.set(atom.field, (byOp = new Map()));
  let keys = byOp.get(atom.op);
  if (keys === undefined) byOp.set(atom.op, (keys = { map: new Map(), lengths: new Set() }));
  keys.lengths.add(key.length);
  const list = keys.map.get(key);
  if (list === undefined) keys.map.set(key, [entry]);
  else if (list[list.length - 1] !== entry) list.push(entry);
}

const segmentCache = new Map<string, string[]>();
function read(event: unknown, path: string): string[] {
  let segments = segmentCache.get(path);
  if (segments === undefined) segmentCache.set(path, (segments = path.split('.')));
  let current: unknown = event;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return [];
    current = (current as Record<string, unknown>)[segment];
  }
  if (typeof current === 'string') return [current];
  if (typeof current === 'number' || typeof current === 'boolean') return [String(current)];
  if (Array.isArray(current)) return current.filter((item) => typeof item === 'string' || typeof item === 'number').map(String);
  return [];
}

/**
 * Atoms of which at least one holds whenever the condition does (a disjunction), or undefined
 * when none can be named. For `all`, the most selective child; for `any`, every child's.
 */
export function requiredAtoms(condition: Parameters<typeof compileCondition>[0]): Atom[] | undefined {
  if ('all' in condition && Array.isArray(condition.all)) {
    let best: Atom[] | undefined;
    for (const child of condition.all) {
      const atoms = requiredAtoms(child);
      if (atoms !== undefined && (best === undefined || score(atoms) < score(best))) best = atoms;
    }
    return best;
  }
  if ('any' in condition) {
    const out: Atom[] = [];
    for (const child of condition.any) {
      const atoms = requiredAtoms(child);
      if (atoms === undefined) return undefined;
      out.push(...atoms);
    }
    return out;
  }
  if ('not' in condition) return undefined;
  const field = condition as { field: string; op: string; values?: readonly unknown[]; all?: boolean };
  if (field.values === undefined || field.values.length === 0) return undefined;
  if (field.op === 'wildcard') {
    // A glob's longest literal piece must appear in the text.
    const atoms: Atom[] = [];
    for (const value of field.all ? [field.values[0]] : field.values) {
      const pieces = String(value).toLowerCase().split(/(?<!\\)[*?]/).map((piece) => piece.replace(/\\([*?\\])/g, '$1'));
      const longest = pieces.reduce((best, piece) => (piece.length > best.length ? piece : best), '');
      if (longest.length < GRAM) return undefined;
      atoms.push({ field: field.field, op: 'contains', needle: longest });
    }
    return atoms;
  }
  if (field.op !== 'equals' && field.op !== 'endswith' && field.op !== 'startswith' && field.op !== 'contains') return undefined;
  const needles = field.all ? [field.values[0]] : field.values;
  const atoms: Atom[] = [];
  for (const value of needles) {
    const needle = String(value).toLowerCase();
    // Short affixes would key too many values; a short `contains` needle (an emoji) is its own key.
    if ((field.op === 'startswith' || field.op === 'endswith') && needle.length < GRAM) return undefined;
    if (needle.length === 0) return undefined;
    atoms.push({ field: field.field, op: field.op, needle });
  }
  return atoms;
}

/** Lower is more selective: fewer atoms, exact values before affixes before substrings. */
function score(atoms: Atom[]): number {
  const weight = { equals: 1, endswith: 2, startswith: 2, contains: 4 } as const;
  // The channel and event id are already the index's first level: they select nothing more.
  if (atoms.every((atom) => atom.field === 'winlog.channel' || atom.field === 'winlog.event_id')) return Number.POSITIVE_INFINITY;
  return atoms.reduce((total, atom) => total + weight[atom.op], 0);
}
