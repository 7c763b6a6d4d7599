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

type Atom = { field: string; op: 'equals' | 'endswith' | 'startswith' | 'contains'; needle: string };

interface Entry {
  index: number;
  predicate: Predicate;
}

interface Bucket {
  always: Entry[];
  /** field → op → key → entries */
  byField: Map<string, Map<Atom['op'], Map<string, Entry[]>>>;
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
        else for (const atom of atoms) addAtom(bucket, atom, entry);
      }
    });
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
            if (op === 'equals') keys.get(value)?.forEach(run);
            else if (op === 'endswith') keys.get(value.slice(-GRAM))?.forEach(run);
            else if (op === 'startswith') keys.get(value.slice(0, GRAM))?.forEach(run);
            else for (let i = 0; i + GRAM <= value.length; i++) keys.get(value.slice(i, i + GRAM))?.forEach(run);
          }
        }
      }
    }
    return out;
  }
}

function newBucket(): Bucket {
  return { always: [], byField: new Map() };
}

function addAtom(bucket: Bucket, atom: Atom, entry: Entry): void {
  let byOp = bucket.byField.get(atom.field);
  if (byOp === undefined) bucket.byField.set(atom.field, (byOp = new Map()));
  let keys = byOp.get(atom.op);
  if (keys === undefined) byOp.set(atom.op, (keys = new Map()));
  const key = atom.op === 'equals' ? atom.needle : atom.op === 'startswith' ? atom.needle.slice(0, GRAM) : atom.needle.slice(-GRAM);
  const list = keys.get(key);
  if (list === undefined) keys.set(key, [entry]);
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
  if (field.op !== 'equals' && field.op !== 'endswith' && field.op !== 'startswith' && field.op !== 'contains') return undefined;
  const needles = field.all ? [field.values[0]] : field.values;
  const atoms: Atom[] = [];
  for (const value of needles) {
    const needle = String(value).toLowerCase();
    if (field.op !== 'equals' && needle.length < GRAM) return undefined;
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
