import { describe, expect, it, vi } from 'vitest';
import type { ModelAnswer } from './answer';
import { AnswerCache, LruCache, type CachedAnswer, type ClaimResult, type Computed, type SharedAnswerStore } from './cache';
import { AnswerKey } from './signature';

const K = new AnswerKey('k');
const T = new AnswerKey('t');

const answer: ModelAnswer = {
  summary: 'Brute force',
  category: 'brute_force',
  severity: 'HIGH',
  confidence: 0.9,
  mitreTechniques: ['T1110'],
  recommendedActions: [],
};
const entry = (answeredAt = 0): CachedAnswer => ({ key: K.id, answer, droppedTechniques: [], model: 'm', answeredAt });
const ok = (at = 0): Computed => ({ ok: true, entry: entry(at) });

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its size', () => {
    const lru = new LruCache<number>(2);
    lru.set('a', 1, 1_000);
    lru.set('b', 2, 1_000);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3, 1_000);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
  });

  it('expires entries after their TTL', () => {
    let clock = 0;
    const lru = new LruCache<number>(10, () => clock);
    lru.set('a', 1, 100);
    clock = 99;
    expect(lru.get('a')).toBe(1);
    clock = 100;
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
  });
});

describe('AnswerCache in memory', () => {
  const cache = (now = () => 0) =>
    new AnswerCache({ ttlMs: 60_000, failureTtlMs: 1_000, maxEntries: 100, leaseMs: 1_000, pollMs: 10, now });

  it('computes once, then answers from memory until the TTL', async () => {
    let clock = 0;
    const answers = cache(() => clock);
    const compute = vi.fn(async () => ok());
    expect(await answers.getOrCompute(K, compute)).toMatchObject({ ok: true, source: 'computed' });
    expect(await answers.getOrCompute(K, compute)).toMatchObject({ ok: true, source: 'memory' });
    clock = 60_000;
    expect(await answers.getOrCompute(K, compute)).toMatchObject({ ok: true, source: 'computed' });
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it('makes one call for a burst of concurrent requests for the same key', async () => {
    const answers = cache();
    let release!: () => void;
    const compute = vi.fn(() => new Promise<Computed>((resolve) => (release = () => resolve(ok()))));
    const burst = Array.from({ length: 20 }, () => answers.getOrCompute(K, compute));
    await Promise.resolve();
    release();
    const results = await Promise.all(burst);
    expect(compute).toHaveBeenCalledTimes(1);
    expect(results.filter((result) => result.source === 'computed')).toHaveLength(1);
    expect(results.filter((result) => result.source === 'joined')).toHaveLength(19);
    expect(results.every((result) => result.ok)).toBe(true);
  });

  it('remembers a deterministic failure briefly, and not a transient one', async () => {
    let clock = 0;
    const answers = cache(() => clock);
    const failing = vi.fn(async (): Promise<Computed> => ({ ok: false, failure: { key: K.id, reason: 'schema_violation', detail: 'bad' }, remember: true }));
    await answers.getOrCompute(K, failing);
    expect(await answers.getOrCompute(K, failing)).toMatchObject({ ok: false, source: 'memory', failure: { reason: 'schema_violation' } });
    expect(failing).toHaveBeenCalledTimes(1);
    clock = 1_000;
    await answers.getOrCompute(K, failing);
    expect(failing).toHaveBeenCalledTimes(2);

    const transient = vi.fn(async (): Promise<Computed> => ({ ok: false, failure: { key: T.id, reason: 'timeout', detail: 'slow' }, remember: false }));
    await answers.getOrCompute(T, transient);
    await answers.getOrCompute(T, transient);
    expect(transient).toHaveBeenCalledTimes(2);
  });

  it('passes errors thrown by compute to every waiting caller and keeps nothing', async () => {
    const answers = cache();
    const compute = vi.fn(async (): Promise<Computed> => {
      throw new Error('budget');
    });
    const results = await Promise.allSettled([answers.getOrCompute(K, compute), answers.getOrCompute(K, compute)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(compute).toHaveBeenCalledTimes(1);
    expect(answers.memorySize).toBe(0);
  });
});

/** A shared store in memory, shared by several AnswerCache "instances". */
class MemoryStore implements SharedAnswerStore {
  entries = new Map<string, CachedAnswer>();
  leases = new Map<string, number>();
  failing = false;
  constructor(private readonly now: () => number) {}
  private check() {
    if (this.failing) throw new Error('Firestore unavailable');
  }
  async get(key: string) {
    this.check();
    return this.entries.get(key);
  }
  async claim(key: string, leaseMs: number): Promise<ClaimResult> {
    this.check();
    const found = this.entries.get(key);
    if (found) return { kind: 'hit', entry: found };
    if ((this.leases.get(key) ?? 0) > this.now()) return { kind: 'pending' };
    this.leases.set(key, this.now() + leaseMs);
    return { kind: 'owner' };
  }
  async put(key: string, value: CachedAnswer) {
    this.check();
    this.entries.set(key, value);
    this.leases.delete(key);
  }
  async release(key: string) {
    this.leases.delete(key);
  }
}

describe('AnswerCache with a shared store', () => {
  const instance = (shared: SharedAnswerStore, now: () => number, sleep?: (ms: number) => Promise<void>) =>
    new AnswerCache({ ttlMs: 60_000, failureTtlMs: 1_000, maxEntries: 100, leaseMs: 1_000, pollMs: 100, shared, now, ...(sleep && { sleep }) });

  it('an answer computed by one instance is served to another from the shared store', async () => {
    const store = new MemoryStore(() => 0);
    const compute = vi.fn(async () => ok());
    await instance(store, () => 0).getOrCompute(K, compute);
    const other = instance(store, () => 0);
    expect(await other.getOrCompute(K, compute)).toMatchObject({ ok: true, source: 'shared' });
    expect(await other.getOrCompute(K, compute)).toMatchObject({ ok: true, source: 'memory' });
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('an instance that finds another one computing waits for its answer instead of calling', async () => {
    let clock = 0;
    const store = new MemoryStore(() => clock);
    await store.claim(K.id, 1_000); // another instance holds the lease
    const sleep = async (ms: number) => {
      clock += ms;
      if (clock >= 300) await store.put(K.id, entry());
    };
    const compute = vi.fn(async () => ok());
    expect(await instance(store, () => clock, sleep).getOrCompute(K, compute)).toMatchObject({ ok: true, source: 'shared' });
    expect(compute).not.toHaveBeenCalled();
  });

  it('computes itself when the other instance\'s lease runs out without an answer', async () => {
    let clock = 0;
    const store = new MemoryStore(() => clock);
    await store.claim(K.id, 1_000);
    const compute = vi.fn(async () => ok());
    const result = await instance(store, () => clock, async (ms) => void (clock += ms)).getOrCompute(K, compute);
    expect(result).toMatchObject({ ok: true, source: 'computed' });
    expect(compute).toHaveBeenCalledTimes(1);
    expect(store.entries.has(K.id)).toBe(true);
  });

  it('releases its lease when the model fails, so the next caller can try', async () => {
    const store = new MemoryStore(() => 0);
    const failing = async (): Promise<Computed> => ({ ok: false, failure: { key: K.id, reason: 'timeout', detail: '' }, remember: false });
    await instance(store, () => 0).getOrCompute(K, failing);
    expect(store.leases.has(K.id)).toBe(false);
  });

  it('still answers when the shared store is down', async () => {
    const store = new MemoryStore(() => 0);
    store.failing = true;
    const errors: string[] = [];
    const cache = new AnswerCache({
      ttlMs: 60_000, failureTtlMs: 1_000, maxEntries: 10, leaseMs: 1_000, pollMs: 10, shared: store,
      onSharedError: (operation) => errors.push(operation),
    });
    expect(await cache.getOrCompute(K, async () => ok())).toMatchObject({ ok: true, source: 'computed' });
    expect(errors).toEqual(['claim', 'put']);
  });
});
