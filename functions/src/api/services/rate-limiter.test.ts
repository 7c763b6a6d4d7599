import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter, slidingDecision } from './rate-limiter';

const WINDOW = 60_000;
const START = 1_700_000_040_000; // a window boundary (divisible by 60,000)

describe('slidingDecision', () => {
  it.each([
    // [name, count, previousCount, elapsed ms, allowed, remaining]
    ['an empty window', 0, 0, 0, true, 9],
    ['one short of the limit', 9, 0, 30_000, true, 0],
    ['at the limit', 10, 0, 59_000, false, 0],
    ['a full previous window at the start of this one', 0, 10, 0, false, 0],
    ['a full previous window half-way through this one', 0, 10, 30_000, true, 4],
    ['a full previous window nearly past', 0, 10, 59_999, true, 8],
  ])('%s', (_name, count, previousCount, elapsed, allowed, remaining) => {
    const decision = slidingDecision({ count, previousCount }, 10, WINDOW, START + elapsed, START);
    expect(decision.allowed).toBe(allowed);
    expect(decision.remaining).toBe(remaining);
    expect(decision.limit).toBe(10);
    if (allowed) expect(decision.retryAfterSeconds).toBe(0);
  });

  it('waits for the previous window to slide out far enough when the current one has room', () => {
    // estimate = 10 × (1 − f) + 5 ≤ 9  ⇔  f ≥ 0.6, i.e. 36 s into the window; now is 10 s in.
    const decision = slidingDecision({ count: 5, previousCount: 10 }, 10, WINDOW, START + 10_000, START);
    expect(decision.allowed).toBe(false);
    expect(decision.retryAfterSeconds).toBe(26);
  });

  it('waits into the next window when the current one is full', () => {
    // count 10 becomes the previous window: 10 × (1 − f) ≤ 9  ⇔  f ≥ 0.1 → 6 s into the next window.
    const decision = slidingDecision({ count: 10, previousCount: 0 }, 10, WINDOW, START + 50_000, START);
    expect(decision.allowed).toBe(false);
    expect(decision.retryAfterSeconds).toBe(10 + 6);
  });

  it('a retry at the advertised time is allowed', () => {
    const first = slidingDecision({ count: 5, previousCount: 10 }, 10, WINDOW, START + 10_000, START);
    const retryAt = START + 10_000 + first.retryAfterSeconds * 1000;
    expect(slidingDecision({ count: 5, previousCount: 10 }, 10, WINDOW, retryAt, START).allowed).toBe(true);
  });

  it('never advertises less than one second', () => {
    const decision = slidingDecision({ count: 0, previousCount: 10 }, 10, WINDOW, START + 5_999, START);
    expect(decision.allowed).toBe(false);
    expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });
});

describe('MemoryRateLimiter', () => {
  it('allows limit requests per user in a window, then refuses; users are counted apart', async () => {
    const limiter = new MemoryRateLimiter(() => new Date(30_000));
    for (let i = 0; i < 5; i++) expect((await limiter.consume('reads', 'u1', 5, 60_000)).allowed).toBe(true);
    const refused = await limiter.consume('reads', 'u1', 5, 60_000);
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect((await limiter.consume('reads', 'u2', 5, 60_000)).allowed).toBe(true);
  });

  it('holds at most maxKeys users, forgetting the least recently seen', async () => {
    const limiter = new MemoryRateLimiter(() => new Date(30_000), 2);
    await limiter.consume('reads', 'a', 1, 60_000);
    await limiter.consume('reads', 'b', 1, 60_000);
    await limiter.consume('reads', 'c', 1, 60_000); // forgets a
    expect((await limiter.consume('reads', 'a', 1, 60_000)).allowed).toBe(true);
    expect((await limiter.consume('reads', 'c', 1, 60_000)).allowed).toBe(false);
  });
});
