import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  observeBeacon,
  observeDistinct,
  observeRate,
  observeSequence,
  observeThreshold,
  RECENT_IDS,
  sampleOf,
  type Firing,
  type Observation,
  type DistinctState,
  type SequenceParams,
  type SequenceState,
  type Transition,
} from './windows';

/** Feeds observations through a transition; returns the firings and the final state. */
function run<S>(observations: Observation[], step: (state: S | undefined, obs: Observation) => Transition<S>): { fired: Firing[]; state: S | undefined } {
  let state: S | undefined;
  const fired: Firing[] = [];
  for (const obs of observations) {
    const next = step(state, obs);
    state = next.state;
    if (next.fired) fired.push(next.fired);
  }
  return { fired, state };
}
const obs = (i: number, seconds: number, extra: Partial<Observation> = {}): Observation => ({ id: `e${i}`, t: seconds * 1000, amount: 1, ...extra });

describe('threshold', () => {
  const params = { windowMs: 60_000, threshold: 5, sum: false };
  const step = (s: Parameters<typeof observeThreshold>[0], o: Observation) => observeThreshold(s, o, params);

  it('fires once at N within the window, then stays quiet for a window', () => {
    const { fired } = run(Array.from({ length: 12 }, (_, i) => obs(i, i)), step);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ count: 5, firstSeen: 0, lastSeen: 4000, sample: ['e0', 'e1', 'e2', 'e3', 'e4'] });
  });

  it('fires again in the next window', () => {
    const { fired } = run([...Array.from({ length: 5 }, (_, i) => obs(i, i)), ...Array.from({ length: 5 }, (_, i) => obs(100 + i, 70 + i))], step);
    expect(fired).toHaveLength(2);
  });

  it('counts a redelivered observation once', () => {
    const once = Array.from({ length: 4 }, (_, i) => obs(i, i));
    expect(run([...once, ...once, ...once], step).fired).toHaveLength(0);
  });

  it('forgets events older than the window', () => {
    expect(run(Array.from({ length: 10 }, (_, i) => obs(i, i * 20)), step).fired).toHaveLength(0);
  });

  it('ignores an event later than its window, and sorts late events inside it', () => {
    const { state } = run([obs(1, 100), obs(2, 30), obs(3, 90)], step);
    expect(state?.ids).toEqual(['e3', 'e1']);
  });

  it('sums amounts when asked (bytes out), folding the oldest entries past the cap', () => {
    const sum = (s: Parameters<typeof observeThreshold>[0], o: Observation) => observeThreshold(s, o, { windowMs: 3_600_000, threshold: 10_000, sum: true });
    const { fired } = run(Array.from({ length: 3000 }, (_, i) => obs(i, i, { amount: 4 })), sum);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.measures.sum).toBe(10_000);
    expect(fired[0]!.count).toBe(2500);
  });

  it('stores plain data without nested arrays (Firestore-storable)', () => {
    const { state } = run([obs(1, 1), obs(2, 2)], step);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    for (const value of Object.values(state!)) if (Array.isArray(value)) expect(value.some(Array.isArray)).toBe(false);
  });
});

describe('distinct', () => {
  const step = (s: Parameters<typeof observeDistinct>[0], o: Observation) => observeDistinct(s, o, { windowMs: 60_000, threshold: 3 });

  it('fires at N distinct values, listing them, with each value’s first event in the sample', () => {
    const { fired } = run([obs(1, 0, { value: '22' }), obs(2, 1, { value: '22' }), obs(3, 2, { value: '80' }), obs(4, 3, { value: '443' })], step);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ count: 4, values: ['22', '80', '443'], sample: ['e1', 'e3', 'e4'], measures: { distinct: 3, events: 4 } });
  });

  it('does not count a value seen outside the window, nor a redelivery', () => {
    expect(run([obs(1, 0, { value: 'a' }), obs(2, 100, { value: 'b' }), obs(3, 101, { value: 'b' }), obs(3, 101, { value: 'b' })], step).fired).toHaveLength(0);
    const { state } = run([obs(1, 0, { value: 'a' }), obs(2, 1, { value: 'a' }), obs(2, 1, { value: 'a' })], step);
    expect(state?.events).toBe(2);
  });

  it('ignores an observation without a value', () => {
    expect(run([obs(1, 0)], step).state).toMatchObject({ values: [] });
  });
});

describe('sequence', () => {
  const params = { windowMs: 600_000, minCounts: [3, 1] };
  const seq = (steps: number[]) => (s: Parameters<typeof observeSequence>[0], o: Observation) => observeSequence(s, o, steps, params);

  it('completes when step 1 reaches its count and step 2 follows', () => {
    let state: Parameters<typeof observeSequence>[0];
    const fired: Firing[] = [];
    for (const [i, step] of [0, 0, 0, 1].entries()) {
      const next = observeSequence(state, obs(i, i), [step], params);
      state = next.state;
      if (next.fired) fired.push(next.fired);
    }
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ count: 4, measures: { step1: 3, step2: 1 } });
  });

  it('does not complete when the later step’s event is earlier in time', () => {
    const events: [number, number][] = [[1, 0], [0, 1], [0, 2], [0, 3]];
    let state: Parameters<typeof observeSequence>[0];
    let fired = 0;
    for (const [i, [step, t]] of events.entries()) {
      const next = observeSequence(state, obs(i, t), [step], params);
      state = next.state;
      if (next.fired) fired++;
    }
    expect(fired).toBe(0);
    expect(state?.steps.map((s) => s.count)).toEqual([3, 1]);
  });

  it('never completes two steps with one event that matches both', () => {
    const matchesBoth = seq([0, 1]);
    const { fired } = run([obs(1, 0), obs(2, 1), obs(3, 2)], matchesBoth);
    expect(fired).toHaveLength(0);
    expect(run([obs(1, 0), obs(2, 1), obs(3, 2), obs(4, 3)], matchesBoth).fired).toHaveLength(1);
  });

  it('counts a redelivered step event once', () => {
    expect(run([obs(1, 0), obs(1, 0), obs(1, 0)], seq([0])).state?.steps[0]?.count).toBe(1);
  });
});

/** Every order of `items` (distinct items assumed: ids). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

interface Timed {
  id: string;
  t: number;
  steps: readonly number[];
}

/** Delivers timed events to a sequence in the order given; returns its firings and final state. */
function deliver(events: readonly Timed[], params: SequenceParams): { fired: Firing[]; state: SequenceState | undefined } {
  let state: SequenceState | undefined;
  const fired: Firing[] = [];
  for (const { id, t, steps } of events) {
    const next = observeSequence(state, { id, t, amount: 1 }, steps, params);
    state = next.state;
    if (next.fired) fired.push(next.fired);
  }
  return { fired, state };
}

const byTime = (events: readonly Timed[]): Timed[] => [...events].sort((a, b) => a.t - b.t);

// Issues 22 and 23: "A then B" means by the events' own times. Pub/Sub delivers messages in any order.
describe('ordered sequence: decided by event time, whatever the arrival order', () => {
  const params: SequenceParams = { windowMs: 600_000, minCounts: [3, 1] };
  const a = (i: number, seconds: number): Timed => ({ id: `a${i}`, t: seconds * 1000, steps: [0] });
  const b = (i: number, seconds: number): Timed => ({ id: `b${i}`, t: seconds * 1000, steps: [1] });

  it('A, A, A then B by time fires exactly once in each of the 24 arrival orders, naming the same chain', () => {
    const events = [a(1, 0), a(2, 10), a(3, 20), b(1, 30)];
    const orders = permutations(events);
    expect(orders).toHaveLength(24);
    for (const order of orders) {
      const { fired } = deliver(order, params);
      expect(fired, order.map((e) => e.id).join(',')).toHaveLength(1);
      expect(fired[0]).toEqual({ count: 4, firstSeen: 0, lastSeen: 30_000, sample: ['a1', 'a2', 'a3', 'b1'], measures: { step1: 3, step2: 1 } });
    }
  });

  it('B timed before the A’s never fires, in any arrival order', () => {
    for (const order of permutations([b(1, 0), a(1, 10), a(2, 20), a(3, 30)])) expect(deliver(order, params).fired).toHaveLength(0);
  });

  it('B at the same second as the third A counts (at or after the step before completed)', () => {
    for (const order of permutations([a(1, 0), a(2, 1), a(3, 2), b(1, 2)])) expect(deliver(order, params).fired).toHaveLength(1);
  });

  it('a chain longer than the window never fires, in any arrival order', () => {
    for (const order of permutations([a(1, 0), a(2, 10), a(3, 20), b(1, 601)])) expect(deliver(order, params).fired).toHaveLength(0);
    // The same events with B inside the window do.
    for (const order of permutations([a(1, 0), a(2, 10), a(3, 20), b(1, 599)])) expect(deliver(order, params).fired).toHaveLength(1);
  });

  it('a chain inside the window of a later B fires though older A’s fell out', () => {
    expect(deliver([b(1, 700), a(1, 0), a(2, 110), a(3, 120), a(4, 130)], params).fired).toMatchObject([{ firstSeen: 110_000, lastSeen: 700_000, measures: { step1: 3, step2: 1 } }]);
  });

  it('counts a redelivered event once, before and after the chain fired', () => {
    expect(deliver([b(1, 30), a(1, 0), a(1, 0), a(2, 10), a(2, 10)], params).fired).toHaveLength(0);
    const events = [b(1, 30), a(1, 0), a(2, 10), a(3, 20)];
    expect(deliver([...events, ...events, ...events], params).fired).toHaveLength(1);
  });

  it('a late event inside the window counts; one older than the window behind the newest does not', () => {
    expect(deliver([a(1, 100), b(1, 300), a(2, 150), a(3, 200)], params).fired).toHaveLength(1);
    // a(3, 5) is more than ten minutes older than b(1, 700): the chain a1, a2, a3 → b1 would not fit.
    expect(deliver([b(1, 700), a(1, 120), a(2, 130), a(3, 5)], params).fired).toHaveLength(0);
  });

  it('events after a fired chain’s completion stay for the next; events before it were spent', () => {
    // b1 completes a1..a3; a4..a6 and b2 came after it and make a second chain.
    const { fired } = deliver([a(4, 40), a(5, 50), a(6, 60), b(1, 30), a(1, 0), a(2, 10), a(3, 20), a(7, 25), b(2, 70)], params);
    expect(fired.map((f) => [f.firstSeen, f.lastSeen, f.measures.step1])).toEqual([
      [0, 30_000, 3],
      [40_000, 70_000, 3],
    ]);
  });

  it('one event never counts for two steps, in any arrival order', () => {
    const both = (i: number, seconds: number): Timed => ({ id: `x${i}`, t: seconds * 1000, steps: [0, 1] });
    const single = { windowMs: 600_000, minCounts: [1, 1] };
    for (const order of permutations([both(1, 0), both(2, 1)])) expect(deliver(order, single).fired).toHaveLength(1);
    expect(deliver([both(1, 0)], single).fired).toHaveLength(0);
  });

  it('a step needing more events than it remembers still completes: forgotten events count, older than the kept ones', () => {
    const many = { windowMs: 600_000, minCounts: [100, 1] };
    const failures = Array.from({ length: 150 }, (_, i) => a(i, i));
    expect(deliver([...failures, b(1, 200)], many).fired.map((f) => f.measures)).toEqual([{ step1: 150, step2: 1 }]);
    // B first, then the failures newest first: the hundredth completes it; the rest were before it.
    const { fired, state } = deliver([b(1, 200), ...[...failures].reverse()], many);
    expect(fired.map((f) => f.measures)).toEqual([{ step1: 100, step2: 1 }]);
    expect(state?.steps.map((s) => s.count)).toEqual([0, 0]);
  });

  it('keeps the state bounded under a flood of one step, in whatever order it arrives', () => {
    const flood = Array.from({ length: 10_000 }, (_, i) => a(i, ((i * 7919) % 10_000) / 20));
    const { fired, state } = deliver(flood, params);
    expect(fired).toHaveLength(0);
    expect(state!.steps[0]!.ids).toHaveLength(RECENT_IDS);
    expect(JSON.stringify(state).length).toBeLessThan(3_000);
    // The remembered ones are the newest by event time.
    expect(Math.min(...state!.steps[0]!.times)).toBeGreaterThanOrEqual(((10_000 - RECENT_IDS) / 20) * 1000);
    expect(observeSequence(state, { id: 'b1', t: 500_000, amount: 1 }, [1], params).fired).toMatchObject({ lastSeen: 500_000 });
  });

  it('reads a state written in arrival order (before event-time sequences) sorted', () => {
    const legacy: SequenceState = { steps: [{ ids: ['a3', 'a1', 'a2'], times: [20_000, 0, 10_000], count: 3 }, { ids: [], times: [], count: 0 }], doneAt: [10_000, -1] };
    expect(observeSequence(legacy, { id: 'b1', t: 30_000, amount: 1 }, [1], params).fired).toMatchObject({ firstSeen: 0, sample: ['a1', 'a2', 'a3', 'b1'] });
  });

  it('is Firestore-storable: plain data, no nested arrays, unchanged by a JSON round trip', () => {
    const { state } = deliver([b(1, 30), a(1, 0), a(2, 10)], params);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    for (const step of state!.steps) for (const value of Object.values(step)) if (Array.isArray(value)) expect(value.some(Array.isArray)).toBe(false);
  });

  it('leaves every earlier state as it was', () => {
    const states: SequenceState[] = [];
    const snapshots: string[] = [];
    let state: SequenceState | undefined;
    for (const { id, t, steps } of [b(1, 30), a(1, 0), a(2, 10), a(4, 700), a(3, 20)]) {
      state = observeSequence(state, { id, t, amount: 1 }, steps, params).state;
      states.push(state);
      snapshots.push(JSON.stringify(state));
    }
    expect(states.map((s) => JSON.stringify(s))).toEqual(snapshots);
  });

  // Events within one window (none can fall out), ties and events matching several steps
  // included: no arrival order changes whether the sequence fires.
  it('property: any arrival order of a set of timed events fires exactly when the time-sorted order does', () => {
    const three: SequenceParams = { windowMs: 60_000, minCounts: [2, 1, 1] };
    const event = fc.record({
      t: fc.integer({ min: 0, max: 60 }).map((s) => s * 1000),
      steps: fc.constantFrom([0], [1], [2], [0, 1], [1, 2], [0, 2], [0, 1, 2]),
    });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 9 }).chain((events) => {
          const timed = events.map((e, i) => ({ id: `e${i}`, ...e }));
          return fc.tuple(fc.constant(timed), fc.shuffledSubarray(timed, { minLength: timed.length, maxLength: timed.length }));
        }),
        fc.constantFrom(three, { windowMs: 60_000, minCounts: [1, 2] }, { windowMs: 60_000, minCounts: [2, 1] }),
        ([events, arrival], rule) => {
          const sorted = deliver(byTime(events), rule).fired;
          const arrived = deliver(arrival, rule).fired;
          expect(arrived.length > 0).toBe(sorted.length > 0);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('rate', () => {
  const params = { bucketMs: 10_000, baselineBuckets: 3, minCount: 5, factor: 4 };
  const step = (s: Parameters<typeof observeRate>[0], o: Observation) => observeRate(s, o, params);
  const burst = (from: number, seconds: number, n: number) => Array.from({ length: n }, (_, i) => obs(from + i, seconds + i / n));

  it('fires when a bucket reaches minCount and factor × the baseline mean, once per bucket', () => {
    const { fired } = run([...burst(0, 0, 2), ...burst(100, 10, 2), ...burst(200, 20, 12)], step);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.measures).toMatchObject({ count: 6, baselineMean: 1.33 });
  });

  it('does not fire on a steady rate, nor on a key’s first bucket', () => {
    expect(run([...burst(0, 0, 20), ...burst(100, 10, 20), ...burst(200, 20, 20), ...burst(300, 30, 20)], step).fired).toHaveLength(0);
  });

  it('counts silent buckets as zero', () => {
    expect(run([...burst(0, 0, 2), ...burst(100, 100, 6)], step).fired).toHaveLength(1);
  });
});

describe('beacon', () => {
  const params = { windowMs: 3_600_000, minEvents: 6, maxJitter: 0.1, minIntervalMs: 5_000 };
  const step = (s: Parameters<typeof observeBeacon>[0], o: Observation) => observeBeacon(s, o, params);

  it('fires on regular intervals and reports them', () => {
    const { fired } = run(Array.from({ length: 6 }, (_, i) => obs(i, i * 60 + (i % 2))), step);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.measures.intervalSeconds).toBeCloseTo(60, 0);
    expect(fired[0]!.measures.jitter).toBeLessThanOrEqual(0.1);
  });

  it('does not fire on irregular intervals or too-fast bursts', () => {
    expect(run([0, 5, 70, 90, 300, 310, 900].map((t, i) => obs(i, t)), step).fired).toHaveLength(0);
    expect(run(Array.from({ length: 10 }, (_, i) => obs(i, i)), step).fired).toHaveLength(0);
  });
});

describe('sampleOf', () => {
  it('keeps the first and last five ids', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `e${i}`);
    expect(sampleOf(ids)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e25', 'e26', 'e27', 'e28', 'e29']);
    expect(sampleOf(['a'])).toEqual(['a']);
  });
});

describe('unordered sequence (Sigma temporal)', () => {
  const params = { windowMs: 60_000, minCounts: [1, 2], ordered: false };
  const run = (events: Timed[]) => deliver(events, params);

  it('fires once every step has its count, whatever the order', () => {
    const { fired } = run([
      { id: 'b1', t: 0, steps: [1] },
      { id: 'b2', t: 10_000, steps: [1] },
      { id: 'a1', t: 20_000, steps: [0] },
    ]);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ count: 3, firstSeen: 0, lastSeen: 20_000, measures: { step1: 1, step2: 2 } });
  });

  it('needs all steps within one window: older events drop out', () => {
    expect(run([{ id: 'b1', t: 0, steps: [1] }, { id: 'b2', t: 10_000, steps: [1] }, { id: 'a1', t: 65_000, steps: [0] }]).fired).toHaveLength(0);
    expect(run([{ id: 'b1', t: 0, steps: [1] }, { id: 'b2', t: 10_000, steps: [1] }, { id: 'a1', t: 65_000, steps: [0] }, { id: 'b3', t: 70_000, steps: [1] }]).fired).toHaveLength(1);
  });

  it('counts a redelivered event once and leaves the previous state untouched', () => {
    const first = run([{ id: 'b1', t: 0, steps: [1] }, { id: 'a1', t: 1_000, steps: [0] }]);
    expect(first.fired).toHaveLength(0);
    const frozen = JSON.stringify(first.state);
    const again = observeSequence(first.state, { id: 'b1', t: 0, amount: 1 }, [1], params);
    expect(again.fired).toBeUndefined();
    expect(JSON.stringify(first.state)).toBe(frozen);
    expect(observeSequence(first.state, { id: 'b9', t: 2_000, amount: 1 }, [1], params).fired).toMatchObject({ count: 3 });
  });

  it('an ordered sequence given the same events in reverse does not fire', () => {
    let state: SequenceState | undefined;
    let fired = 0;
    for (const [id, t, step] of [['b1', 0, 1], ['b2', 1, 1], ['a1', 2, 0]] as const) {
      const next = observeSequence(state, { id, t, amount: 1 }, [step], { ...params, ordered: true });
      state = next.state;
      if (next.fired) fired++;
    }
    expect(fired).toBe(0);
  });
});

describe('transitions update the state they are handed, never a firing', () => {
  const kinds: { name: string; step: (state: never, o: Observation) => Transition<unknown>; events: Observation[] }[] = [
    { name: 'threshold', step: (s, o) => observeThreshold(s, o, { windowMs: 60_000, threshold: 3, sum: false }), events: Array.from({ length: 8 }, (_, i) => obs(i, i)) },
    { name: 'distinct', step: (s, o) => observeDistinct(s, o, { windowMs: 60_000, threshold: 3 }), events: Array.from({ length: 8 }, (_, i) => obs(i, i, { value: String(i % 4) })) },
    { name: 'rate', step: (s, o) => observeRate(s, o, { bucketMs: 10_000, baselineBuckets: 1, minCount: 3, factor: 2 }), events: [obs(0, 0), ...Array.from({ length: 8 }, (_, i) => obs(1 + i, 10 + i / 10))] },
    { name: 'beacon', step: (s, o) => observeBeacon(s, o, { windowMs: 3_600_000, minEvents: 4, maxJitter: 0.1, minIntervalMs: 1_000 }), events: Array.from({ length: 8 }, (_, i) => obs(i, i * 60)) },
  ];

  for (const { name, step, events } of kinds) {
    it(`${name}: no copy of the state per observation, and a firing keeps what it reported`, () => {
      let state: unknown;
      const firings: { fired: Firing; shown: string }[] = [];
      for (const event of events) {
        const next = step(state as never, event);
        if (next.fired) firings.push({ fired: next.fired, shown: JSON.stringify(next.fired) });
        else if (state !== undefined) expect(next.state).toBe(state);
        state = next.state;
      }
      expect(firings.length).toBeGreaterThan(0);
      for (const { fired, shown } of firings) expect(JSON.stringify(fired)).toBe(shown);
    });
  }

  it('a key\'s first event still fires when it alone meets the threshold', () => {
    expect(observeThreshold(undefined, obs(1, 0, { amount: 600 }), { windowMs: 60_000, threshold: 500, sum: true }).fired).toMatchObject({ count: 1, measures: { sum: 600 } });
    expect(observeThreshold(undefined, obs(1, 0), { windowMs: 60_000, threshold: 1, sum: false }).fired).toMatchObject({ count: 1 });
    expect(observeDistinct(undefined, obs(1, 0, { value: '22' }), { windowMs: 60_000, threshold: 1 }).fired).toMatchObject({ values: ['22'] });
    expect(observeThreshold(undefined, obs(1, 0, { amount: 400 }), { windowMs: 60_000, threshold: 500, sum: true }).state).toMatchObject({ ids: ['e1'], amounts: [400] });
  });

  it('distinct drops expired values in place, keeping its lists aligned', () => {
    const params = { windowMs: 60_000, threshold: 10 };
    let state: DistinctState | undefined;
    const shown: string[] = [];
    for (const [id, t, value] of [['a', 0, '22'], ['b', 1_000, '22'], ['c', 2_000, '80'], ['d', 70_000, '22'], ['e', 71_000, '443']] as const) {
      state = observeDistinct(state, { id, t, amount: 1, value }, params).state;
      shown.push(JSON.stringify({ values: state.values, times: state.times, firstIds: state.firstIds, events: state.events }));
    }
    expect(shown[2]).toBe(JSON.stringify({ values: ['22', '80'], times: [1_000, 2_000], firstIds: ['a', 'c'], events: 3 }));
    expect(shown[3]).toBe(JSON.stringify({ values: ['22'], times: [70_000], firstIds: ['d'], events: 1 }));
    expect(shown[4]).toBe(JSON.stringify({ values: ['22', '443'], times: [70_000, 71_000], firstIds: ['d', 'e'], events: 2 }));
  });
});
