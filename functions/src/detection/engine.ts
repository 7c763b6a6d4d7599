import type { NormalizedEvent } from '@threatstream/events';
import { compileCondition, type Predicate } from './conditions';
import { detectionId, type Detection } from './detection';
import { compileGetter, valuesOf, type Getter } from './paths';
import { RuleIndex } from './rule-index';
import { DetectionRuleSchema, type DetectionRule, type TypedRule } from './rule';
import {
  observeBeacon,
  observeDistinct,
  observeRate,
  observeSequence,
  observeThreshold,
  type Firing,
  type Transition,
} from './windows';

/** Observations between sweeps of keys whose windows have closed. */
const SWEEP_EVERY = 20_000;
/** Detections feed rules over detections (a kill chain) at most this deep. */
export const MAX_CHAIN_DEPTH = 2;

/** Reads the parts of a group key; undefined when the event lacks one (it cannot be keyed). */
type KeyReader = (event: unknown) => string[] | undefined;

/**
 * One rule's window that an event touches: the key, and the transition to run on the key's
 * state. Matching is pure; whoever holds the state (the in-memory engine, or the Firestore window
 * store) runs `step` on it, so both evaluate rules by the one path.
 */
export interface Touch {
  rule: CompiledRule;
  /** The key's values, in the rule's `groupBy` order. */
  parts: string[];
  /** `parts` joined: the key within the rule. */
  key: string;
  /** A single-event rule keeps no state: `step(undefined)` fires at once and nothing is stored. */
  stateless: boolean;
  step(state: unknown): Transition<unknown>;
}

export interface CompiledRule {
  rule: DetectionRule;
  /** How long a key's state matters after its last event, for sweeping. */
  horizonMs: number;
  groupBy: readonly string[];
  /** The windows this event touches (none when it does not match). */
  touches(event: unknown, id: string, t: number): Touch[];
}

/** An observation's id and event time, or undefined when it has no id or no readable time. */
export function readObservation(event: { event?: { id?: unknown }; '@timestamp'?: unknown }): { id: string; t: number } | undefined {
  const id = event.event?.id;
  const t = typeof event['@timestamp'] === 'string' ? Date.parse(event['@timestamp']) : Number.NaN;
  return typeof id === 'string' && id.length > 0 && Number.isFinite(t) ? { id, t } : undefined;
}

/** The enabled rules, compiled: "which rules and keys does this event match". Holds no state. */
export class RuleSet {
  readonly rules: CompiledRule[];
  /** Which rules an event can match (by the field values their conditions require). */
  private readonly index: RuleIndex;

  constructor(rules: readonly (DetectionRule | TypedRule)[]) {
    this.rules = rules.map((rule) => DetectionRuleSchema.parse(rule)).filter((rule) => rule.enabled).map(compileRule);
    const ids = new Set<string>();
    for (const { rule } of this.rules) {
      if (ids.has(rule.id)) throw new Error(`duplicate rule id ${rule.id}`);
      ids.add(rule.id);
    }
    this.index = new RuleIndex(this.rules.map(({ rule }) => (rule.kind === 'sequence' ? { any: rule.steps.map((step) => step.match) } : rule.match)));
  }

  /** The index's size: fields read per event, values and needles, rules run on every event. */
  get indexStats(): RuleIndex['stats'] {
    return this.index.stats;
  }

  /** Every window the event touches; a detection is not fed back to its own rule. */
  match(event: unknown, id: string, t: number, fromRule?: string): Touch[] {
    const touches: Touch[] = [];
    for (const candidate of this.index.candidates(event)) {
      const compiled = this.rules[candidate]!;
      if (compiled.rule.id === fromRule) continue;
      const found = compiled.touches(event, id, t);
      for (const touch of found) touches.push(touch);
    }
    return touches;
  }
}

interface KeyedWindow {
  state: unknown;
  last: number;
}

/**
 * Runs every enabled rule over each observation, keeps keyed windows in memory, and returns
 * the detections an observation completes. Rules over other detections (a sequence whose steps
 * match `rule.id`) see each detection as an alert event, up to MAX_CHAIN_DEPTH deep. The
 * Firestore window store (window-store.ts) runs the same RuleSet over state it keeps in documents.
 */
export class DetectionEngine {
  private readonly ruleSet: RuleSet;
  private readonly windows = new Map<CompiledRule, Map<string, KeyedWindow>>();
  private observed = 0;
  private watermark = 0;
  /** Observations skipped for want of an id or a readable time. */
  unreadable = 0;

  constructor(rules: readonly (DetectionRule | TypedRule)[]) {
    this.ruleSet = new RuleSet(rules);
    for (const compiled of this.ruleSet.rules) this.windows.set(compiled, new Map());
  }

  get ruleIds(): string[] {
    return this.ruleSet.rules.map(({ rule }) => rule.id);
  }

  /** The rule index's size (see RuleSet.indexStats). */
  get indexStats(): RuleIndex['stats'] {
    return this.ruleSet.indexStats;
  }

  /** Keys held across all rules (memory use). */
  get keyCount(): number {
    let total = 0;
    for (const keys of this.windows.values()) total += keys.size;
    return total;
  }

  observe(event: NormalizedEvent): Detection[] {
    const read = readObservation(event);
    if (read === undefined) {
      this.unreadable++;
      return [];
    }
    if (read.t > this.watermark) this.watermark = read.t;
    if (++this.observed % SWEEP_EVERY === 0) this.sweep();
    return this.run(event, read.id, read.t, 0, undefined);
  }

  private run(event: unknown, id: string, t: number, depth: number, fromRule: string | undefined): Detection[] {
    const detections: Detection[] = [];
    for (const touch of this.ruleSet.match(event, id, t, fromRule)) {
      const fired = this.apply(touch, t);
      if (fired !== undefined) detections.push(toDetection(touch.rule, touch.parts, fired, event, depth));
    }
    if (depth < MAX_CHAIN_DEPTH) {
      for (const detection of [...detections]) {
        detections.push(...this.run(detectionAsEvent(detection), detection.id, Date.parse(detection.lastSeen), depth + 1, detection.ruleId));
      }
    }
    return detections;
  }

  /** Runs one transition on the key's state (handing it over) and keeps the state it returns. */
  private apply(touch: Touch, t: number): Firing | undefined {
    if (touch.stateless) return touch.step(undefined).fired;
    const keys = this.windows.get(touch.rule)!;
    const window = keys.get(touch.key);
    const { state, fired } = touch.step(window?.state);
    // The holder is ours: update it in place rather than allocate one per observation.
    if (window === undefined) keys.set(touch.key, { state, last: t });
    else {
      window.state = state;
      if (t > window.last) window.last = t;
    }
    return fired;
  }

  /** Drops keys whose windows closed before the newest event time seen. */
  sweep(): void {
    for (const [compiled, keys] of this.windows) {
      const before = this.watermark - compiled.horizonMs;
      for (const [key, window] of keys) if (window.last < before) keys.delete(key);
    }
  }
}

function compileRule(rule: DetectionRule): CompiledRule {
  const groupBy = 'groupBy' in rule ? rule.groupBy : [];
  const readKey = keyReader(groupBy);
  // Filled in below; touches close over it, so a Touch names its rule without a lookup.
  const compiled: CompiledRule = { rule, groupBy, horizonMs: 0, touches: () => [] };
  const touch = (parts: string[], step: (state: unknown) => Transition<unknown>, stateless = false): Touch => ({
    rule: compiled,
    parts,
    key: parts.join('\u0001'),
    stateless,
    step,
  });

  switch (rule.kind) {
    case 'single': {
      const match = compileCondition(rule.match);
      compiled.horizonMs = 0;
      compiled.touches = (event, id, t) =>
        match(event) ? [touch([id], () => ({ state: undefined, fired: { count: 1, firstSeen: t, lastSeen: t, sample: [id], measures: {} } }), true)] : [];
      return compiled;
    }
    case 'threshold': {
      const match = compileCondition(rule.match);
      const amountOf = rule.sumOf === undefined ? undefined : compileGetter(rule.sumOf);
      const params = { windowMs: rule.windowSeconds * 1000, threshold: rule.threshold, sum: amountOf !== undefined };
      return keyed(compiled, params.windowMs, match, readKey, (parts, event, id, t) => {
        const amount = amountOf === undefined ? 1 : numberOf(amountOf(event));
        if (amount === undefined) return undefined;
        return touch(parts, (state) => observeThreshold(state as never, { id, t, amount }, params));
      });
    }
    case 'distinct': {
      const match = compileCondition(rule.match);
      const valueOf = compileGetter(rule.field);
      const params = { windowMs: rule.windowSeconds * 1000, threshold: rule.threshold };
      return keyed(compiled, params.windowMs, match, readKey, (parts, event, id, t) => {
        const value = valuesOf(valueOf(event))[0];
        if (value === undefined) return undefined;
        return touch(parts, (state) => observeDistinct(state as never, { id, t, amount: 1, value: String(value) }, params));
      });
    }
    case 'rate': {
      const match = compileCondition(rule.match);
      const params = { bucketMs: rule.bucketSeconds * 1000, baselineBuckets: rule.baselineBuckets, minCount: rule.minCount, factor: rule.factor };
      return keyed(compiled, params.bucketMs * (params.baselineBuckets + 1), match, readKey, (parts, _event, id, t) =>
        touch(parts, (state) => observeRate(state as never, { id, t, amount: 1 }, params)),
      );
    }
    case 'beacon': {
      const match = compileCondition(rule.match);
      const params = { windowMs: rule.windowSeconds * 1000, minEvents: rule.minEvents, maxJitter: rule.maxJitter, minIntervalMs: rule.minIntervalSeconds * 1000 };
      return keyed(compiled, beaconHorizonMs(params), match, readKey, (parts, _event, id, t) =>
        touch(parts, (state) => observeBeacon(state as never, { id, t, amount: 1 }, params)),
      );
    }
    case 'sequence': {
      const steps = rule.steps.map((s) => ({ match: compileCondition(s.match), readKey: s.groupBy === undefined ? readKey : keyReader(s.groupBy) }));
      const params = { windowMs: rule.windowSeconds * 1000, minCounts: rule.steps.map((s) => s.minCount), ordered: rule.ordered };
      compiled.horizonMs = params.windowMs;
      compiled.touches = (event, id, t) => {
        // An event may match several steps, under different keys when steps alias the key.
        let byKey: Map<string, { parts: string[]; matched: number[] }> | undefined;
        for (let j = 0; j < steps.length; j++) {
          if (!steps[j]!.match(event)) continue;
          const parts = steps[j]!.readKey(event);
          if (parts === undefined) continue;
          const key = parts.join('\u0001');
          byKey ??= new Map();
          const entry = byKey.get(key) ?? { parts, matched: [] };
          entry.matched.push(j);
          byKey.set(key, entry);
        }
        if (byKey === undefined) return [];
        return [...byKey.values()].map(({ parts, matched }) => touch(parts, (state) => observeSequence(state as never, { id, t, amount: 1 }, matched, params)));
      };
      return compiled;
    }
  }
}

/**
 * How long a beacon key can sit idle and still fire: `minEvents` events fit in the window, so
 * their mean gap is at most window / (minEvents − 1), and with jitter ≤ maxJitter no gap exceeds
 * the mean by more than maxJitter · √(minEvents − 1) of it. A key idle longer can never fire from
 * what it holds, so the sweep drops it: one-off outbound flows do not sit in memory for the window.
 */
export function beaconHorizonMs(params: { windowMs: number; minEvents: number; maxJitter: number }): number {
  const meanGap = params.windowMs / (params.minEvents - 1);
  return Math.min(params.windowMs, Math.ceil(meanGap * (1 + params.maxJitter * Math.sqrt(params.minEvents - 1))));
}

function keyed(
  compiled: CompiledRule,
  horizonMs: number,
  match: Predicate,
  readKey: KeyReader,
  touchOf: (parts: string[], event: unknown, id: string, t: number) => Touch | undefined,
): CompiledRule {
  compiled.horizonMs = horizonMs;
  compiled.touches = (event, id, t) => {
    if (!match(event)) return [];
    const parts = readKey(event);
    if (parts === undefined) return [];
    const touch = touchOf(parts, event, id, t);
    return touch === undefined ? [] : [touch];
  };
  return compiled;
}

function keyReader(paths: readonly string[]): KeyReader {
  const getters: Getter[] = paths.map(compileGetter);
  if (getters.length === 1) {
    // The common case (one key field) without building a list per observation.
    const [get] = getters as [Getter];
    return (event) => {
      const raw = get(event);
      const value = Array.isArray(raw) ? raw[0] : raw;
      return value === undefined || value === null || value === '' ? undefined : [String(value)];
    };
  }
  return (event) => {
    const parts: string[] = [];
    for (const get of getters) {
      const value = valuesOf(get(event))[0];
      if (value === undefined || value === '') return undefined;
      parts.push(String(value));
    }
    return parts;
  };
}

function numberOf(value: unknown): number | undefined {
  const first = valuesOf(value)[0];
  const number = typeof first === 'number' ? first : typeof first === 'string' ? Number(first) : Number.NaN;
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/** The detection a window's firing makes, named by the event that completed it. */
export function toDetection(compiled: CompiledRule, keyParts: string[], fired: Firing, event: unknown, depth: number): Detection {
  const { rule } = compiled;
  const e = event as Partial<NormalizedEvent>;
  const key: Record<string, string> = {};
  compiled.groupBy.forEach((path, i) => (key[path] = keyParts[i]!));
  const detection: Detection = {
    id: detectionId(rule.id, keyParts.join('\u0001'), fired.sample[0] ?? '', fired.firstSeen),
    ruleId: rule.id,
    ruleVersion: rule.version,
    ruleKind: rule.kind,
    title: rule.title,
    description: rule.description,
    severity: rule.severity,
    eventType: rule.eventType,
    techniques: [...rule.techniques],
    key,
    count: fired.count,
    sample: fired.sample,
    firstSeen: new Date(fired.firstSeen).toISOString(),
    lastSeen: new Date(fired.lastSeen).toISOString(),
    measures: fired.measures,
    depth,
  };
  if (fired.values !== undefined) detection.values = fired.values;
  // The key names the parties when it holds them (a kill chain's aliased steps); else the event does.
  const source = { ip: key['source.ip'] ?? e.source?.ip, port: e.source?.port };
  const destination = { ip: key['destination.ip'] ?? e.destination?.ip, port: numberOrUndefined(key['destination.port']) ?? e.destination?.port };
  if (source.ip !== undefined) detection.source = dropUndefined(source);
  if (destination.ip !== undefined || destination.port !== undefined) detection.destination = dropUndefined(destination);
  const user = key['user.name'] ?? e.user?.name;
  if (user !== undefined) detection.user = user;
  const context = contextOf(e);
  if (context !== undefined) detection.context = context;
  return detection;
}

/** Longest text kept from an event in a detection's context. */
const CONTEXT_CHARS = 256;
const CONTEXT_FIELDS: readonly [name: string, get: Getter][] = [
  ['url', compileGetter('url.original')],
  ['http_method', compileGetter('http.request.method')],
  ['http_status', compileGetter('http.response.status_code')],
  ['signature', compileGetter('rule.name')],
  ['audit_method', compileGetter('gcp.audit.method_name')],
  ['audit_resource', compileGetter('gcp.audit.resource_name')],
  ['principal', compileGetter('gcp.audit.principal_email')],
  ['transport', compileGetter('network.transport')],
];

function contextOf(event: unknown): Record<string, string | number> | undefined {
  let context: Record<string, string | number> | undefined;
  for (const [name, get] of CONTEXT_FIELDS) {
    const value = valuesOf(get(event))[0];
    if (typeof value === 'string' && value !== '') (context ??= {})[name] = value.length > CONTEXT_CHARS ? `${value.slice(0, CONTEXT_CHARS - 1)}…` : value;
    else if (typeof value === 'number') (context ??= {})[name] = value;
  }
  return context;
}

function numberOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const number = Number(text);
  return Number.isInteger(number) ? number : undefined;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A detection as an alert event, for rules over detections (`rule.id`, `event.dataset`). */
export function detectionAsEvent(detection: Detection): NormalizedEvent {
  const event: NormalizedEvent = {
    '@timestamp': detection.lastSeen,
    event: {
      id: detection.id,
      kind: 'alert',
      category: ['threat'],
      type: ['indicator'],
      dataset: 'threatstream.detection',
      severity_label: detection.severity,
      original: '',
      format: 'threatstream',
    },
    rule: { id: detection.ruleId, name: detection.title, category: detection.eventType, ruleset: 'threatstream' },
    threat: { technique: { id: detection.techniques } },
  };
  if (detection.source !== undefined) event.source = detection.source;
  if (detection.destination !== undefined) event.destination = detection.destination;
  if (detection.user !== undefined) event.user = { name: detection.user };
  return event;
}
