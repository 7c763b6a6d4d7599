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

export interface SequenceState {
  /** Per step: the ids counted (bounded), their times, and how many were counted. */
  steps: { ids: string[]; times: number[]; count: number }[];
  /** Time each step was completed, or -1. */
  doneAt: number[];
}

export interface SequenceParams {
  windowMs: number;
  minCounts: readonly number[];
  /** False: every step must complete within the window, in any order (Sigma's `temporal`). Default true. */
  ordered?: boolean;
}

/**
 * `matched` lists the steps this event matches. Steps are tried last to first, so one event
 * never completes two steps at once; a step counts only once the step before it is complete,
 * and the whole sequence must fit in the window from its first counted event. Unordered
 * sequences: see observeUnordered.
 */
export function observeSequence(previous: SequenceState | undefined, obs: Observation, matched: readonly number[], params: SequenceParams): Transition<SequenceState> {
  const stepCount = params.minCounts.length;
  let state = previous ?? emptySequence(stepCount);
  for (const step of state.steps) if (step.ids.includes(obs.id)) return { state };
  if (params.ordered === false) return observeUnordered(state, obs, matched, params);
  state = pruneSequence(state, obs.t - params.windowMs, params);
  const steps = state.steps.map((step) => ({ ids: [...step.ids], times: [...step.times], count: step.count }));
  const doneAt = [...state.doneAt];
  for (let k = matched.length - 1; k >= 0; k--) {
    const j = matched[k]!;
    if (j > 0 && (doneAt[j - 1]! < 0 || doneAt[j - 1]! > obs.t)) continue;
    const step = steps[j]!;
    if (step.ids.length < RECENT_IDS) {
      step.ids.push(obs.id);
      step.times.push(obs.t);
    }
    step.count++;
    if (doneAt[j]! < 0 && step.count >= params.minCounts[j]!) {
      doneAt[j] = obs.t;
      if (j === stepCount - 1) {
        const ids = steps.flatMap((s) => s.ids);
        const times = steps.flatMap((s) => s.times);
        const fired: Firing = {
          count: steps.reduce((total, s) => total + s.count, 0),
          firstSeen: Math.min(...times),
          lastSeen: obs.t,
          sample: sampleOf(ids),
          measures: Object.fromEntries(steps.map((s, i) => [`step${i + 1}`, s.count])),
        };
        return { state: emptySequence(stepCount), fired };
      }
    }
    break;
  }
  return { state: { steps, doneAt } };
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
  const doneAt = steps.map((step, j) => (step.count >= params.minCounts[j]! ? (state.doneAt[j]! >= 0 ? state.doneAt[j]! : obs.t) : -1));
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
  return { steps: Array.from({ length: stepCount }, () => ({ ids: [], times: [], count: 0 })), doneAt: Array.from({ length: stepCount }, () => -1) };
}

/** Drops first-step events older than the window; without a complete first step, later steps restart. */
function pruneSequence(state: SequenceState, since: number, params: SequenceParams): SequenceState {
  const first = state.steps[0]!;
  if (first.times.length === 0 || first.times[0]! >= since) return state;
  const keep = first.times.findIndex((t) => t >= since);
  const ids = keep < 0 ? [] : first.ids.slice(keep);
  const times = keep < 0 ? [] : first.times.slice(keep);
  const count = ids.length;
  if (count >= params.minCounts[0]!) return { steps: [{ ids, times, count }, ...state.steps.slice(1)], doneAt: state.doneAt };
  const fresh = emptySequence(params.minCounts.length);
  fresh.steps[0] = { ids, times, count };
  return fresh;
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
