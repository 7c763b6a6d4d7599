/**
 * Keyed window state and its transitions, free of I/O: `(state | undefined, observation, rule) →
 * { state, fired? }`. State is plain data (Firestore-storable: no nested arrays) so one store
 * can keep it beside the in-memory engine. An observation delivered twice counts once: each
 * state keeps the ids it counted (bounded), and a known id changes nothing.
 */

/** One event as a window sees it. */
export interface Observation {
  id: string;
  /** Event time, ms since the epoch. */
  t: number;
  /** What the rule measures: 1 for counting, bytes for a sum, the field's value for distinct. */
  amount: number;
  value?: string;
}

/** What a window reports when its condition is met. */
export interface Firing {
  count: number;
  firstSeen: number;
  lastSeen: number;
  sample: string[];
  measures: Record<string, number>;
  values?: string[];
}

/** Sample of contributing ids a detection carries: the first and the last few. */
export const SAMPLE_SIZE = 10;
/** Ids a counting window remembers for de-duplication beyond what it needs to count. */
export const RECENT_IDS = 64;
/** Entries a sum window keeps one by one; older ones fold into a carried total. */
export const MAX_SUM_ENTRIES = 256;

export function sampleOf(ids: readonly string[]): string[] {
  if (ids.length <= SAMPLE_SIZE) return [...ids];
  const half = SAMPLE_SIZE / 2;
  return [...ids.slice(0, half), ...ids.slice(-half)];
}

/** Adds an id to a bounded list of recent ids, in place, dropping the oldest past RECENT_IDS. */
function remember(recent: string[], id: string): void {
  if (recent.length >= RECENT_IDS) recent.splice(0, recent.length - RECENT_IDS + 1);
  recent.push(id);
}

/**
 * A transition's result. The state a transition is given is handed over: it may be updated in
 * place and returned (no copy per observation), so the holder keeps only the returned state.
 * Both holders own theirs: the engine's map, and the store's group parsed afresh per attempt.
 */
export interface Transition<S> {
  state: S;
  fired?: Firing;
}

// ---------------------------------------------------------------- threshold (count or sum)

export interface ThresholdState {
  ids: string[];
  times: number[];
  amounts: number[];
  /** Entries folded out of the lists (sum windows only), still inside the window until carriedUntil. */
  carried: number;
  carriedCount: number;
  carriedUntil: number;
  /** After firing, the key stays quiet for one window: one detection per key per window. */
  quietUntil: number;
}

export interface ThresholdParams {
  windowMs: number;
  threshold: number;
  sum: boolean;
}

export function observeThreshold(previous: ThresholdState | undefined, obs: Observation, params: ThresholdParams): Transition<ThresholdState> {
  // A key's first event makes lists of exactly one (`[]` grows to 16 slots on its first push):
  // most keys see one event.
  if (previous === undefined && (params.sum ? obs.amount : 1) < params.threshold) {
    return { state: { ids: [obs.id], times: [obs.t], amounts: [obs.amount], carried: 0, carriedCount: 0, carriedUntil: 0, quietUntil: 0 } };
  }
  const state = previous ?? emptyThreshold(0);
  if (obs.t < state.quietUntil || state.ids.includes(obs.id)) return { state };
  const { ids, times, amounts } = state;
  if (times.length > 0 && obs.t < times[times.length - 1]! - params.windowMs) return { state }; // later than its window: too late to count
  const since = obs.t - params.windowMs;
  let expired = 0;
  while (expired < times.length && times[expired]! < since) expired++;
  if (expired > 0) {
    ids.splice(0, expired);
    times.splice(0, expired);
    amounts.splice(0, expired);
  }
  if (state.carriedUntil < since) {
    state.carried = 0;
    state.carriedCount = 0;
    state.carriedUntil = 0;
  }
  // Keep times sorted (late arrivals within the window are common with several shippers).
  let at = times.length;
  while (at > 0 && times[at - 1]! > obs.t) at--;
  ids.splice(at, 0, obs.id);
  times.splice(at, 0, obs.t);
  amounts.splice(at, 0, obs.amount);
  if (ids.length > MAX_SUM_ENTRIES) {
    state.carried += amounts.shift()!;
    state.carriedCount++;
    ids.shift();
    state.carriedUntil = Math.max(state.carriedUntil, times.shift()! + params.windowMs);
  }
  const count = ids.length + state.carriedCount;
  const total = state.carried + sum(amounts);
  if ((params.sum ? total : count) >= params.threshold) {
    const fired: Firing = {
      count,
      firstSeen: times[0]!,
      lastSeen: times[times.length - 1]!,
      sample: sampleOf(ids),
      measures: params.sum ? { sum: total } : { count },
    };
    return { state: emptyThreshold(obs.t + params.windowMs), fired };
  }
  return { state };
}

function emptyThreshold(quietUntil: number): ThresholdState {
  return { ids: [], times: [], amounts: [], carried: 0, carriedCount: 0, carriedUntil: 0, quietUntil };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

// ---------------------------------------------------------------- distinct count

export interface DistinctState {
  values: string[];
  /** Last time each value was seen. */
  times: number[];
  /** The first event id that brought each value. */
  firstIds: string[];
  events: number;
  recentIds: string[];
  quietUntil: number;
}

export interface DistinctParams {
  windowMs: number;
  threshold: number;
}

export function observeDistinct(previous: DistinctState | undefined, obs: Observation, params: DistinctParams): Transition<DistinctState> {
  // A key's first value makes lists of exactly one (see observeThreshold).
  if (previous === undefined && obs.value !== undefined && params.threshold > 1) {
    return { state: { values: [obs.value], times: [obs.t], firstIds: [obs.id], events: 1, recentIds: [], quietUntil: 0 } };
  }
  const state = previous ?? emptyDistinct(0);
  if (obs.value === undefined || obs.t < state.quietUntil || state.recentIds.includes(obs.id) || state.firstIds.includes(obs.id)) return { state };
  const { values, times, firstIds } = state;
  // Values last seen before the window drop out (the lists stay aligned).
  const since = obs.t - params.windowMs;
  let kept = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i]! < since) continue;
    values[kept] = values[i]!;
    times[kept] = times[i]!;
    firstIds[kept] = firstIds[i]!;
    kept++;
  }
  values.length = times.length = firstIds.length = kept;
  const index = values.indexOf(obs.value);
  if (index >= 0) {
    if (obs.t > times[index]!) times[index] = obs.t;
    remember(state.recentIds, obs.id);
  } else {
    values.push(obs.value);
    times.push(obs.t);
    firstIds.push(obs.id);
  }
  state.events = (kept === 0 ? 0 : state.events) + 1;
  if (values.length >= params.threshold) {
    const fired: Firing = {
      count: state.events,
      firstSeen: Math.min(...times),
      lastSeen: Math.max(...times),
      sample: sampleOf(firstIds),
      measures: { distinct: values.length, events: state.events },
      values: values.slice(0, 50),
    };
    return { state: emptyDistinct(obs.t + params.windowMs), fired };
  }
  return { state };
}

function emptyDistinct(quietUntil: number): DistinctState {
  return { values: [], times: [], firstIds: [], events: 0, recentIds: [], quietUntil };
}

// ---------------------------------------------------------------- sequence

export interface SequenceStep {
  /** Ids and times of this step's events, sorted by time (then id); the newest RECENT_IDS are kept. */
  ids: string[];
  times: number[];
  /** Events counted: those kept plus any forgotten past RECENT_IDS, which are older than every one kept. */
  count: number;
}

export interface SequenceState {
  /** Ordered: every event that matched the step, in whatever order they arrived. Unordered: those counted. */
  steps: SequenceStep[];
  /** Unordered: the time each step was completed, or -1. */
  doneAt?: number[];
  /** Ordered: when the last chain fired completed; an event at or before it does not count again. */
  firedAt?: number;
}

export interface SequenceParams {
  windowMs: number;
  minCounts: readonly number[];
  /** False: every step must complete within the window, in any order (Sigma's `temporal`). Default true. */
  ordered?: boolean;
}

/**
 * `matched` lists the steps this event matches. Ordered sequences are decided by event time, not
 * arrival (Pub/Sub does not keep order across messages): see observeOrdered. Unordered sequences:
 * see observeUnordered.
 */
export function observeSequence(previous: SequenceState | undefined, obs: Observation, matched: readonly number[], params: SequenceParams): Transition<SequenceState> {
  const state = previous ?? emptySequence(params.minCounts.length);
  for (const step of state.steps) if (step.ids.includes(obs.id)) return { state };
  return params.ordered === false ? observeUnordered(state, obs, matched, params) : observeOrdered(state, obs, matched, params);
}

/**
 * Each step keeps the events that matched it, whatever order they arrived in, and the chain is
 * worked out from their times on each observation: step 1 completes at its minCount-th event,
 * step j at its minCount-th event at or after step j−1 completed, an event counting for the last
 * step it can (so never for two). Events older than the window behind the newest one drop out, so
 * a chain that completes fits in the window. A fired chain takes every event up to its completion;
 * events after it stay for the next chain.
 */
function observeOrdered(previous: SequenceState, obs: Observation, matched: readonly number[], params: SequenceParams): Transition<SequenceState> {
  // Only states written before sequences went by event time have doneAt: their lists are in arrival order.
  const state = previous.doneAt === undefined ? previous : { steps: previous.steps.map(sortedStep) };
  const firedAt = state.firedAt ?? -1;
  let newest = Math.max(obs.t, firedAt);
  for (const step of state.steps) if (step.times.length > 0) newest = Math.max(newest, step.times[step.times.length - 1]!);
  const since = newest - params.windowMs;
  if (obs.t <= firedAt || obs.t < since) return { state: previous };
  // Unchanged steps are shared with the previous state, which is never mutated.
  const steps = state.steps.map((step, j) => {
    const kept = inWindow(step, since);
    return matched.includes(j) ? withEvent(kept, obs) : kept;
  });
  const chain = mayComplete(steps, params.minCounts) ? completeChain(steps, params.minCounts) : undefined;
  const next: SequenceState = firedAt >= 0 ? { steps, firedAt } : { steps };
  if (chain === undefined) return { state: next };
  const fired: Firing = {
    count: chain.counts.reduce((total, n) => total + n, 0),
    firstSeen: chain.firstSeen,
    lastSeen: chain.completedAt,
    sample: sampleOf(chain.ids),
    measures: Object.fromEntries(chain.counts.map((n, i) => [`step${i + 1}`, n])),
  };
  const rest = steps.map((step) => after(step, chain.completedAt));
  return { state: { steps: rest, firedAt: chain.completedAt }, fired };
}

/** The step without events older than `since`. */
function inWindow(step: SequenceStep, since: number): SequenceStep {
  const { ids, times } = step;
  if (times.length === 0 || times[0]! >= since) return step;
  let keep = 0;
  while (keep < times.length && times[keep]! < since) keep++;
  // Events forgotten past RECENT_IDS were older than the first one kept: they leave with it.
  return { ids: ids.slice(keep), times: times.slice(keep), count: times.length - keep };
}

function sortedStep(step: SequenceStep): SequenceStep {
  const order = step.times.map((t, i) => i).sort((a, b) => step.times[a]! - step.times[b]! || compareIds(step.ids[a]!, step.ids[b]!));
  return { ids: order.map((i) => step.ids[i]!), times: order.map((i) => step.times[i]!), count: step.count };
}

function withEvent(step: SequenceStep, obs: Observation): SequenceStep {
  let at = step.times.length;
  while (at > 0 && (step.times[at - 1]! > obs.t || (step.times[at - 1] === obs.t && compareIds(step.ids[at - 1]!, obs.id) > 0))) at--;
  // Past the cap the oldest is forgotten but stays counted (a flood keeps the document bounded).
  const drop = step.ids.length >= RECENT_IDS ? 1 : 0;
  if (at < drop) return { ids: step.ids, times: step.times, count: step.count + 1 };
  const ids = step.ids.slice(drop, at);
  const times = step.times.slice(drop, at);
  ids.push(obs.id);
  times.push(obs.t);
  for (let i = at; i < step.ids.length; i++) {
    ids.push(step.ids[i]!);
    times.push(step.times[i]!);
  }
  return { ids, times, count: step.count + 1 };
}

/** The step's events after `t` (a fired chain's completion); forgotten ones are older still. */
function after(step: SequenceStep, t: number): SequenceStep {
  let keep = 0;
  while (keep < step.times.length && step.times[keep]! <= t) keep++;
  return { ids: step.ids.slice(keep), times: step.times.slice(keep), count: step.times.length - keep };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Cheap necessary conditions, so a flood of one step does not rebuild the chain per event: every
 * step has its count, and the last step has an event no earlier than step 1 could complete.
 */
function mayComplete(steps: readonly SequenceStep[], minCounts: readonly number[]): boolean {
  for (let j = 0; j < steps.length; j++) if (steps[j]!.count < minCounts[j]!) return false;
  const first = steps[0]!;
  const forgotten = first.count - first.ids.length;
  const earliest = first.times[Math.max(0, minCounts[0]! - 1 - forgotten)]!;
  const last = steps[steps.length - 1]!;
  return last.times[last.times.length - 1]! >= earliest;
}

interface Chain {
  completedAt: number;
  firstSeen: number;
  /** Events counted per step up to the completion. */
  counts: number[];
  /** Ids counted, in event-time order. */
  ids: string[];
}

/** One event (or, with n > 1, the events of a step forgotten past RECENT_IDS) and the steps it matched. */
interface Timed {
  t: number;
  id: string;
  /** Bit j: matched step j. */
  steps: number;
  n: number;
}

function completeChain(steps: readonly SequenceStep[], minCounts: readonly number[]): Chain | undefined {
  const events: Timed[] = [];
  const byId = new Map<string, Timed>();
  steps.forEach((step, j) => {
    const forgotten = step.count - step.ids.length;
    // Forgotten events are older than the first kept: they are placed with it.
    if (forgotten > 0) events.push({ t: step.times[0]!, id: '', steps: 1 << j, n: forgotten });
    for (let i = 0; i < step.ids.length; i++) {
      const held = byId.get(step.ids[i]!);
      if (held !== undefined) held.steps |= 1 << j;
      else {
        const timed = { t: step.times[i]!, id: step.ids[i]!, steps: 1 << j, n: 1 };
        byId.set(timed.id, timed);
        events.push(timed);
      }
    }
  });
  // Ties: lower steps first, so a step completing at t lets a next step's event at t count.
  events.sort((a, b) => a.t - b.t || lowestBit(a.steps) - lowestBit(b.steps) || compareIds(a.id, b.id));
  const last = steps.length - 1;
  const doneAt = steps.map(() => -1);
  const counts = steps.map(() => 0);
  const ids: string[] = [];
  let firstSeen = -1;
  for (const event of events) {
    // Tried last to first: the event counts for the latest step it can, never for two.
    for (let j = last; j >= 0; j--) {
      if ((event.steps & (1 << j)) === 0 || (j > 0 && doneAt[j - 1]! < 0)) continue;
      counts[j]! += event.n;
      if (event.id !== '') ids.push(event.id);
      if (firstSeen < 0) firstSeen = event.t;
      if (doneAt[j]! < 0 && counts[j]! >= minCounts[j]!) doneAt[j] = event.t;
      break;
    }
    if (doneAt[last]! >= 0) return { completedAt: doneAt[last]!, firstSeen, counts, ids };
  }
  return undefined;
}

function lowestBit(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}

/**
 * Every step must reach its count with events inside one window ending at the newest event, in
 * any order. The event counts for every step it matches (Sigma's temporal correlation counts a
 * rule's events however many of the listed rules they satisfy); events older than the window
 * drop out of each step, so a step that falls below its count is incomplete again.
 */
function observeUnordered(state: SequenceState, obs: Observation, matched: readonly number[], params: SequenceParams): Transition<SequenceState> {
  const since = obs.t - params.windowMs;
  const steps = state.steps.map((step) => {
    if (step.times.length === 0 || step.times[0]! >= since) return { ids: [...step.ids], times: [...step.times], count: step.count };
    const keep = step.times.findIndex((t) => t >= since);
    const ids = keep < 0 ? [] : step.ids.slice(keep);
    const times = keep < 0 ? [] : step.times.slice(keep);
    // Events past the remembered ids were counted without a time: they go with the oldest.
    return { ids, times, count: Math.max(ids.length, step.count - (step.times.length - times.length)) };
  });
  for (const j of matched) {
    const step = steps[j]!;
    if (obs.t < since) continue;
    // Times stay sorted for pruning (late events within the window are common).
    let at = step.times.length;
    while (at > 0 && step.times[at - 1]! > obs.t) at--;
    if (step.ids.length < RECENT_IDS) {
      step.ids.splice(at, 0, obs.id);
      step.times.splice(at, 0, obs.t);
    }
    step.count++;
  }
  const doneAt = steps.map((step, j) => {
    const before = state.doneAt?.[j] ?? -1;
    return step.count >= params.minCounts[j]! ? (before >= 0 ? before : obs.t) : -1;
  });
  if (doneAt.every((t) => t >= 0)) {
    const ids = steps.flatMap((s) => s.ids);
    const times = steps.flatMap((s) => s.times);
    const fired: Firing = {
      count: steps.reduce((total, s) => total + s.count, 0),
      firstSeen: Math.min(...times),
      lastSeen: Math.max(...times),
      sample: sampleOf(ids),
      measures: Object.fromEntries(steps.map((s, i) => [`step${i + 1}`, s.count])),
    };
    return { state: emptySequence(steps.length), fired };
  }
  return { state: { steps, doneAt } };
}

function emptySequence(stepCount: number): SequenceState {
  return { steps: Array.from({ length: stepCount }, () => ({ ids: [], times: [], count: 0 })) };
}

// ---------------------------------------------------------------- rate change

export interface RateState {
  bucketStart: number;
  current: number;
  /** Counts of the buckets before the current one, oldest first. */
  baseline: number[];
  ids: string[];
  quietUntil: number;
}

export interface RateParams {
  bucketMs: number;
  baselineBuckets: number;
  minCount: number;
  factor: number;
}

export function observeRate(previous: RateState | undefined, obs: Observation, params: RateParams): Transition<RateState> {
  const bucket = Math.floor(obs.t / params.bucketMs) * params.bucketMs;
  const state = previous ?? { bucketStart: bucket, current: 0, baseline: [], ids: [], quietUntil: 0 };
  if (bucket < state.bucketStart) return { state }; // a late event's bucket is already judged
  if (bucket > state.bucketStart) {
    // The finished bucket joins the baseline, then a zero for each bucket skipped; the oldest go.
    const skipped = Math.min(params.baselineBuckets, (bucket - state.bucketStart) / params.bucketMs - 1);
    state.baseline.push(state.current);
    for (let k = 0; k < skipped; k++) state.baseline.push(0);
    if (state.baseline.length > params.baselineBuckets) state.baseline.splice(0, state.baseline.length - params.baselineBuckets);
    state.bucketStart = bucket;
    state.current = 0;
    state.ids.length = 0;
  }
  if (state.ids.includes(obs.id)) return { state };
  state.current++;
  remember(state.ids, obs.id);
  // Buckets missing from the baseline count as zero: a key that was quiet and now floods is a change.
  const mean = sum(state.baseline) / params.baselineBuckets;
  // A key needs one finished bucket before it has a baseline (the first bucket of a key, or of
  // an instance's memory, says nothing about change).
  if (state.baseline.length > 0 && obs.t >= state.quietUntil && state.current >= params.minCount && state.current >= params.factor * mean) {
    const fired: Firing = {
      count: state.current,
      firstSeen: bucket,
      lastSeen: obs.t,
      sample: sampleOf(state.ids),
      measures: { count: state.current, baselineMean: Math.round(mean * 100) / 100, bucketSeconds: params.bucketMs / 1000 },
    };
    state.quietUntil = bucket + params.bucketMs;
    return { state, fired };
  }
  return { state };
}

// ---------------------------------------------------------------- beaconing

export interface BeaconState {
  ids: string[];
  times: number[];
  quietUntil: number;
}

export interface BeaconParams {
  windowMs: number;
  minEvents: number;
  maxJitter: number;
  minIntervalMs: number;
}

/** Regular intervals: the last `minEvents` events' gaps vary by at most `maxJitter` of their mean. */
export function observeBeacon(previous: BeaconState | undefined, obs: Observation, params: BeaconParams): Transition<BeaconState> {
  // A key's first event makes lists of exactly one (see observeThreshold); one event has no interval.
  if (previous === undefined) return { state: { ids: [obs.id], times: [obs.t], quietUntil: 0 } };
  const state = previous;
  if (obs.t < state.quietUntil || state.ids.includes(obs.id)) return { state };
  const { ids, times } = state;
  const since = obs.t - params.windowMs;
  let kept = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i]! < since) continue;
    ids[kept] = ids[i]!;
    times[kept] = times[i]!;
    kept++;
  }
  ids.length = times.length = kept;
  let at = times.length;
  while (at > 0 && times[at - 1]! > obs.t) at--;
  ids.splice(at, 0, obs.id);
  times.splice(at, 0, obs.t);
  if (ids.length > params.minEvents) {
    ids.splice(0, ids.length - params.minEvents);
    times.splice(0, times.length - params.minEvents);
  }
  if (times.length >= params.minEvents) {
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = sum(gaps) / gaps.length;
    const deviation = Math.sqrt(sum(gaps.map((gap) => (gap - mean) ** 2)) / gaps.length);
    const jitter = mean > 0 ? deviation / mean : Number.POSITIVE_INFINITY;
    if (mean >= params.minIntervalMs && jitter <= params.maxJitter) {
      const fired: Firing = {
        count: ids.length,
        firstSeen: times[0]!,
        lastSeen: obs.t,
        sample: sampleOf(ids),
        measures: { events: ids.length, intervalSeconds: Math.round(mean / 10) / 100, jitter: Math.round(jitter * 1000) / 1000 },
      };
      return { state: { ids: [], times: [], quietUntil: obs.t + params.windowMs }, fired };
    }
  }
  return { state };
}
