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
  type Observation,
} from './windows';

/** Observations between sweeps of keys whose windows have closed. */
const SWEEP_EVERY = 20_000;
/** Detections feed rules over detections (a kill chain) at most this deep. */
const MAX_CHAIN_DEPTH = 2;

interface KeyedWindow {
  state: unknown;
  last: number;
}

/** Reads the parts of a group key; undefined when the event lacks one (it cannot be keyed). */
type KeyReader = (event: unknown) => string[] | undefined;

interface CompiledRule {
  rule: DetectionRule;
  /** How long a key's state matters after its last event, for sweeping. */
  horizonMs: number;
  groupBy: readonly string[];
  windows: Map<string, KeyedWindow>;
  /** Returns the firing, or undefined. Updates `windows`. */
  evaluate(event: unknown, id: string, t: number): { key: string[]; fired: Firing } | undefined;
}

/**
 * Runs every enabled rule over each observation, keeps keyed windows in memory, and returns
 * the detections an observation completes. Rules over other detections (a sequence whose steps
 * match `rule.id`) see each detection as an alert event, up to MAX_CHAIN_DEPTH deep.
 */
export class DetectionEngine {
  private readonly rules: CompiledRule[];
  /** Which rules an event can match (by the field values their conditions require). */
  private readonly index: RuleIndex;
  private observed = 0;
  private watermark = 0;
  /** Observations skipped for want of an id or a readable time. */
  unreadable = 0;

  constructor(rules: readonly (DetectionRule | TypedRule)[]) {
    this.rules = rules.map((rule) => DetectionRuleSchema.parse(rule)).filter((rule) => rule.enabled).map(compileRule);
    const ids = new Set<string>();
    for (const { rule } of this.rules) {
      if (ids.has(rule.id)) throw new Error(`duplicate rule id ${rule.id}`);
      ids.add(rule.id);
    }
    this.index = new RuleIndex(this.rules.map(({ rule }) => (rule.kind === 'sequence' ? { any: rule.steps.map((step) => step.match) } : rule.match)));
  }

  get ruleIds(): string[] {
    return this.rules.map(({ rule }) => rule.id);
  }

  /** The rule index's size: fields read per event, values and needles, rules run on every event. */
  get indexStats(): RuleIndex['stats'] {
    return this.index.stats;
  }

  /** Keys held across all rules (memory use). */
  get keyCount(): number {
    return this.rules.reduce((total, rule) => total + rule.windows.size, 0);
  }

  observe(event: NormalizedEvent): Detection[] {
    const id = event.event?.id;
    const t = Date.parse(event['@timestamp']);
    if (typeof id !== 'string' || id.length === 0 || !Number.isFinite(t)) {
      this.unreadable++;
      return [];
    }
    if (t > this.watermark) this.watermark = t;
    if (++this.observed % SWEEP_EVERY === 0) this.sweep();
    return this.run(event, id, t, 0, undefined);
  }

  private run(event: unknown, id: string, t: number, depth: number, fromRule: string | undefined): Detection[] {
    const detections: Detection[] = [];
    for (const candidate of this.index.candidates(event)) {
      const compiled = this.rules[candidate]!;
      if (compiled.rule.id === fromRule) continue;
      const result = compiled.evaluate(event, id, t);
      if (result === undefined) continue;
      detections.push(toDetection(compiled, result.key, result.fired, event, depth));
    }
    if (depth < MAX_CHAIN_DEPTH) {
      for (const detection of [...detections]) {
        const derived = detectionAsEvent(detection);
        detections.push(...this.run(derived, detection.id, Date.parse(detection.lastSeen), depth + 1, detection.ruleId));
      }
    }
    return detections;
  }

  /** Drops keys whose windows closed before the newest event time seen. */
  sweep(): void {
    for (const compiled of this.rules) {
      const before = this.watermark - compiled.horizonMs;
      for (const [key, window] of compiled.windows) if (window.last < before) compiled.windows.delete(key);
    }
  }
}

function compileRule(rule: DetectionRule): CompiledRule {
  const windows = new Map<string, KeyedWindow>();
  const groupBy = 'groupBy' in rule ? rule.groupBy : [];
  const readKey = keyReader(groupBy);

  /** Runs one pure transition on the key's state and stores the result. */
  const step = <S>(key: string, t: number, transition: (state: S | undefined) => { state: S; fired?: Firing }): Firing | undefined => {
    const window = windows.get(key);
    const { state, fired } = transition(window?.state as S | undefined);
    // The holder is ours: update it in place rather than allocate one per observation.
    if (window === undefined) windows.set(key, { state, last: t });
    else {
      window.state = state;
      if (t > window.last) window.last = t;
    }
    return fired;
  };

  switch (rule.kind) {
    case 'single': {
      const match = compileCondition(rule.match);
      return {
        rule,
        horizonMs: 0,
        groupBy,
        windows,
        evaluate: (event, id, t) => (match(event) ? { key: [id], fired: { count: 1, firstSeen: t, lastSeen: t, sample: [id], measures: {} } } : undefined),
      };
    }
    case 'threshold': {
      const match = compileCondition(rule.match);
      const amountOf = rule.sumOf === undefined ? undefined : compileGetter(rule.sumOf);
      const params = { windowMs: rule.windowSeconds * 1000, threshold: rule.threshold, sum: amountOf !== undefined };
      return keyed(rule, params.windowMs, groupBy, windows, match, readKey, (key, event, id, t) => {
        const amount = amountOf === undefined ? 1 : numberOf(amountOf(event));
        if (amount === undefined) return undefined;
        return step(key, t, (state) => observeThreshold(state as never, { id, t, amount }, params));
      });
    }
    case 'distinct': {
      const match = compileCondition(rule.match);
      const valueOf = compileGetter(rule.field);
      const params = { windowMs: rule.windowSeconds * 1000, threshold: rule.threshold };
      return keyed(rule, params.windowMs, groupBy, windows, match, readKey, (key, event, id, t) => {
        const value = valuesOf(valueOf(event))[0];
        if (value === undefined) return undefined;
        return step(key, t, (state) => observeDistinct(state as never, { id, t, amount: 1, value: String(value) }, params));
      });
    }
    case 'rate': {
      const match = compileCondition(rule.match);
      const params = { bucketMs: rule.bucketSeconds * 1000, baselineBuckets: rule.baselineBuckets, minCount: rule.minCount, factor: rule.factor };
      return keyed(rule, params.bucketMs * (params.baselineBuckets + 1), groupBy, windows, match, readKey, (key, _event, id, t) =>
        step(key, t, (state) => observeRate(state as never, { id, t, amount: 1 }, params)),
      );
    }
    case 'beacon': {
      const match = compileCondition(rule.match);
      const params = { windowMs: rule.windowSeconds * 1000, minEvents: rule.minEvents, maxJitter: rule.maxJitter, minIntervalMs: rule.minIntervalSeconds * 1000 };
      return keyed(rule, beaconHorizonMs(params), groupBy, windows, match, readKey, (key, _event, id, t) =>
        step(key, t, (state) => observeBeacon(state as never, { id, t, amount: 1 }, params)),
      );
    }
    case 'sequence': {
      const steps = rule.steps.map((s) => ({ match: compileCondition(s.match), readKey: s.groupBy === undefined ? readKey : keyReader(s.groupBy) }));
      const params = { windowMs: rule.windowSeconds * 1000, minCounts: rule.steps.map((s) => s.minCount) };
      return {
        rule,
        horizonMs: params.windowMs,
        groupBy,
        windows,
        evaluate: (event, id, t) => {
          // An event may match several steps, under different keys when steps alias the key.
          let result: { key: string[]; fired: Firing } | undefined;
          const byKey = new Map<string, { parts: string[]; matched: number[] }>();
          for (let j = 0; j < steps.length; j++) {
            if (!steps[j]!.match(event)) continue;
            const parts = steps[j]!.readKey(event);
            if (parts === undefined) continue;
            const key = parts.join('\u0001');
            const entry = byKey.get(key) ?? { parts, matched: [] };
            entry.matched.push(j);
            byKey.set(key, entry);
          }
          for (const [key, { parts, matched }] of byKey) {
            const fired = step(key, t, (state) => observeSequence(state as never, { id, t, amount: 1 }, matched, params));
            if (fired !== undefined) result = { key: parts, fired };
          }
          return result;
        },
      };
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
  rule: DetectionRule,
  horizonMs: number,
  groupBy: readonly string[],
  windows: Map<string, KeyedWindow>,
  match: Predicate,
  readKey: KeyReader,
  observe: (key: string, event: unknown, id: string, t: number) => Firing | undefined,
): CompiledRule {
  return {
    rule,
    horizonMs,
    groupBy,
    windows,
    evaluate: (event, id, t) => {
      if (!match(event)) return undefined;
      const parts = readKey(event);
      if (parts === undefined) return undefined;
      const fired = observe(parts.join('\u0001'), event, id, t);
      return fired === undefined ? undefined : { key: parts, fired };
    },
  };
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

function toDetection(compiled: CompiledRule, keyParts: string[], fired: Firing, event: unknown, depth: number): Detection {
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
