import { describe, expect, it } from 'vitest';
import {
  observeBeacon,
  observeDistinct,
  observeRate,
  observeSequence,
  observeThreshold,
  sampleOf,
  type Firing,
  type Observation,
  type DistinctState,
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

  it('does not complete out of order', () => {
    const events: [number, number][] = [[1, 0], [0, 1], [0, 2], [0, 3]];
    let state: Parameters<typeof observeSequence>[0];
    let fired = 0;
    for (const [i, [step, t]] of events.entries()) {
      const next = observeSequence(state, obs(i, t), [step], params);
      state = next.state;
      if (next.fired) fired++;
    }
    expect(fired).toBe(0);
    expect(state?.doneAt).toEqual([3000, -1]);
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
  const run = (events: { id: string; t: number; steps: number[] }[]) => {
    let state: SequenceState | undefined;
    const fired: Firing[] = [];
    for (const { id, t, steps } of events) {
      const next = observeSequence(state, { id, t, amount: 1 }, steps, params);
      state = next.state;
      if (next.fired) fired.push(next.fired);
    }
    return { state, fired };
  };

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
