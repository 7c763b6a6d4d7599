import { describe, expect, it } from 'vitest';
import { InFlightLimiter } from './limiter.js';

describe('InFlightLimiter', () => {
  it('bounds messages', async () => {
    const limiter = new InFlightLimiter(2, 1_000);
    expect(limiter.tryAcquire(1)).toBe(true);
    expect(limiter.tryAcquire(1)).toBe(true);
    expect(limiter.tryAcquire(1)).toBe(false);
    let got = false;
    const waiting = limiter.acquire(1).then((v) => (got = v));
    await Promise.resolve();
    expect(got).toBe(false);
    limiter.release(1);
    await waiting;
    expect(got).toBe(true);
    expect(limiter.messages).toBe(2);
  });

  it('bounds bytes, but lets an oversized message through alone', () => {
    const limiter = new InFlightLimiter(100, 10);
    expect(limiter.tryAcquire(8)).toBe(true);
    expect(limiter.tryAcquire(3)).toBe(false);
    limiter.release(8);
    expect(limiter.tryAcquire(50)).toBe(true);
    expect(limiter.bytes).toBe(50);
  });

  it('serves waiters in order and keeps newcomers from jumping the queue', async () => {
    const limiter = new InFlightLimiter(1, 100);
    limiter.tryAcquire(1);
    const order: string[] = [];
    const first = limiter.acquire(1).then(() => order.push('first'));
    expect(limiter.tryAcquire(1)).toBe(false);
    const second = limiter.acquire(1).then(() => order.push('second'));
    limiter.release(1);
    await first;
    limiter.release(1);
    await second;
    expect(order).toEqual(['first', 'second']);
  });

  it('gives up on abort without holding anything', async () => {
    const limiter = new InFlightLimiter(1, 100);
    limiter.tryAcquire(1);
    const controller = new AbortController();
    const waiting = limiter.acquire(1, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    limiter.release(1);
    expect(limiter.messages).toBe(0);
    expect(limiter.tryAcquire(1)).toBe(true);
  });

  it('reports idleness and refuses to release more than it holds', async () => {
    const limiter = new InFlightLimiter(5, 100);
    limiter.tryAcquire(1);
    expect(await limiter.idle(30)).toBe(false);
    setTimeout(() => limiter.release(1), 10);
    expect(await limiter.idle(1_000)).toBe(true);
    expect(() => limiter.release(1)).toThrow();
  });
});
