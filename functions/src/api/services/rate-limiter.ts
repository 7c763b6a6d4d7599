import { createHash } from 'node:crypto';
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { rateLimitRef } from '../../firestore/refs';
import type { RateLimitDoc } from '../../firestore/schema';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the sliding window after this one (0 when refused). */
  remaining: number;
  /** Whole seconds until a request would be allowed again (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  consume(scope: string, key: string, limit: number, windowMs: number): Promise<RateDecision>;
}

interface WindowState {
  count: number;
  previousCount: number;
}

/**
 * Sliding-window estimate from two fixed windows (the current one and the one before it): the
 * previous window's count weighted by how much of it still overlaps the sliding window, plus the
 * current count. Smooth like a true sliding log, at the cost of one small document per user.
 */
export function slidingDecision(
  state: WindowState,
  limit: number,
  windowMs: number,
  nowMs: number,
  windowStartMs: number,
): RateDecision {
  const elapsed = (nowMs - windowStartMs) / windowMs; // 0 ≤ elapsed < 1
  const estimate = state.previousCount * (1 - elapsed) + state.count;
  if (estimate + 1 <= limit) {
    return { allowed: true, limit, remaining: Math.max(0, Math.floor(limit - estimate - 1)), retryAfterSeconds: 0 };
  }
  return { allowed: false, limit, remaining: 0, retryAfterSeconds: secondsUntilAllowed(state, limit, windowMs, nowMs, windowStartMs) };
}

/** When the estimate first drops to limit - 1, so that one more request fits. */
function secondsUntilAllowed(
  state: WindowState,
  limit: number,
  windowMs: number,
  nowMs: number,
  windowStartMs: number,
): number {
  const room = limit - 1;
  let waitMs: number;
  if (state.count <= room && state.previousCount > 0) {
    // Within this window: previous × (1 − f) + count ≤ room  ⇔  f ≥ 1 − (room − count) / previous.
    const fraction = 1 - (room - state.count) / state.previousCount;
    waitMs = windowStartMs + fraction * windowMs - nowMs;
  } else {
    // Only in the next window, where this window's count becomes the weighted previous one.
    const fraction = state.count > 0 ? Math.max(0, 1 - room / state.count) : 0;
    waitMs = windowStartMs + windowMs + fraction * windowMs - nowMs;
  }
  return Math.max(1, Math.ceil(waitMs / 1000));
}

/**
 * The counters live in Firestore, one document per user and scope, updated in a transaction, so
 * every API instance shares them. A refused request writes nothing, so a client hammering the
 * API does not extend its own penalty, and the document is written at most `limit` times per
 * window (well under Firestore's sustained one write per second per document for the defaults).
 */
export class FirestoreRateLimiter implements RateLimiter {
  constructor(
    private readonly db: Firestore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async consume(scope: string, key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const ref = rateLimitRef(this.db, createHash('sha256').update(`${scope}|${key}`).digest('hex').slice(0, 40));
    return this.db.runTransaction(async (tx) => {
      const nowMs = this.now().getTime();
      const windowStartMs = Math.floor(nowMs / windowMs) * windowMs;
      const stored = (await tx.get(ref)).data();
      const state = currentState(stored, windowStartMs, windowMs);
      const decision = slidingDecision(state, limit, windowMs, nowMs, windowStartMs);
      if (decision.allowed) {
        const next: RateLimitDoc = {
          scope,
          windowStartMs,
          windowMs,
          count: state.count + 1,
          previousCount: state.previousCount,
          // Past the next window, the document says nothing any more: TTL deletes it.
          expireAt: Timestamp.fromMillis(windowStartMs + 2 * windowMs),
        };
        tx.set(ref, next);
      }
      return decision;
    });
  }
}

/**
 * Per instance, in memory: for reads, where a Firestore transaction per GET would cost more than
 * the read it guards and one user's document could not take more than about a write a second.
 * Each instance counts alone, so a user gets at most `limit` × instances; `maxInstances` bounds it.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { windowStartMs: number; windowMs: number; count: number; previousCount: number }>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    /** Keys kept; past it the oldest are forgotten (a forgotten key starts afresh). */
    private readonly maxKeys = 10_000,
  ) {}

  async consume(scope: string, key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const id = `${scope}|${key}`;
    const nowMs = this.now().getTime();
    const windowStartMs = Math.floor(nowMs / windowMs) * windowMs;
    const stored = this.windows.get(id);
    const state = currentState(stored, windowStartMs, windowMs);
    const decision = slidingDecision(state, limit, windowMs, nowMs, windowStartMs);
    if (decision.allowed) {
      this.windows.delete(id); // re-inserted last: the Map's order is least recently used first
      this.windows.set(id, { windowStartMs, windowMs, count: state.count + 1, previousCount: state.previousCount });
      while (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    }
    return decision;
  }
}

function currentState(stored: Pick<RateLimitDoc, 'windowStartMs' | 'windowMs' | 'count' | 'previousCount'> | undefined, windowStartMs: number, windowMs: number): WindowState {
  if (!stored || stored.windowMs !== windowMs) return { count: 0, previousCount: 0 };
  if (stored.windowStartMs === windowStartMs) return { count: stored.count, previousCount: stored.previousCount };
  if (stored.windowStartMs === windowStartMs - windowMs) return { count: 0, previousCount: stored.count };
  return { count: 0, previousCount: 0 };
}
