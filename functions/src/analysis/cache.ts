import type { ModelAnswer } from './answer';
import type { ModelFailureReason } from './gemini-client';
import type { AnswerKey } from './signature';

// Model answers by event signature, so a flood of one attack costs one call:
//   1. an in-memory LRU per instance (free, survives between invocations of a warm instance);
//   2. calls already under way in this instance are joined, not repeated (a flood arrives
//      concurrently: 20 events of one attack in one instance make one call);
//   3. an optional shared store (Firestore modelCache/{key}) across instances, with a lease so
//      that instances racing on one new signature make one call between them.

export interface CachedAnswer {
  /** AnswerKey.id: the modelCache document it is (or would be) shared as. */
  key: string;
  answer: ModelAnswer;
  droppedTechniques: string[];
  /** Which model answered. */
  model: string;
  /** When the answer was produced (ms since the epoch). */
  answeredAt: number;
}

/** A failure the same signature would meet again at once (the model answered, unusably). */
export interface CachedFailure {
  /** AnswerKey.id of the signature that failed (recorded on the threat, like an answer's). */
  key: string;
  reason: ModelFailureReason;
  detail: string;
}

/**
 * A size-bounded map with per-entry expiry; least recently used entries go first. A hit moves an
 * entry to the recent end only once it has aged by a quarter of the capacity, so the hot keys of a
 * flood cost a lookup, not a re-insertion per hit (an approximation of LRU that keeps them in).
 */
export class LruCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number; touched: number }>();
  private clock = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    if (this.clock - entry.touched > this.maxEntries / 4) {
      // Re-insert: Map iteration order is insertion order, so the oldest use comes first.
      this.entries.delete(key);
      entry.touched = ++this.clock;
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs, touched: ++this.clock });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export type ClaimResult = { kind: 'hit'; entry: CachedAnswer } | { kind: 'pending' } | { kind: 'owner' };

/** The cache shared by all instances (Firestore in production; see firestore-cache.ts). */
export interface SharedAnswerStore {
  get(key: string): Promise<CachedAnswer | undefined>;
  /** Reads the entry, or takes a lease to compute it; `pending` while another holder's lease runs. */
  claim(key: string, leaseMs: number): Promise<ClaimResult>;
  put(key: string, entry: CachedAnswer, ttlMs: number): Promise<void>;
  /** Gives up a lease without an answer, so the next caller can try. */
  release(key: string): Promise<void>;
}

export type CacheSource = 'memory' | 'shared' | 'joined' | 'computed';

export type CacheLookup =
  | { ok: true; source: CacheSource; entry: CachedAnswer }
  | { ok: false; source: CacheSource; failure: CachedFailure };

export interface AnswerCacheOptions {
  ttlMs: number;
  /** How long a deterministic failure (malformed or refused answer) is remembered in memory. */
  failureTtlMs: number;
  maxEntries: number;
  shared?: SharedAnswerStore;
  /** How long a shared lease lasts: longer than the slowest model call with its retry. */
  leaseMs: number;
  /** How often a caller waiting on another instance's lease looks again. */
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Reports errors of the shared store, which are never fatal (the model is asked instead). */
  onSharedError?: (operation: string, error: unknown) => void;
}

/** What `compute` gives: an answer to cache, or a failure (cached briefly if deterministic). */
export type Computed =
  | { ok: true; entry: CachedAnswer }
  | { ok: false; failure: CachedFailure; remember: boolean };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class AnswerCache {
  /**
   * The in-memory layer holds lookups ready to return (source "memory"): a hit allocates nothing,
   * and callers may derive things from a lookup once and key them by its identity.
   */
  private readonly memory: LruCache<CacheLookup>;
  private readonly inFlight = new Map<string, Promise<CacheLookup>>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AnswerCacheOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.memory = new LruCache(options.maxEntries, this.now);
  }

  /**
   * The answer for `key` from the cheapest place that has it; `compute` (the model call) runs
   * only when no layer has it and no other caller is computing it.
   */
  async getOrCompute(key: AnswerKey, compute: () => Promise<Computed>): Promise<CacheLookup> {
    const remembered = this.peek(key);
    if (remembered) return remembered;

    const running = this.inFlight.get(key.text);
    if (running) {
      const lookup = await running;
      return { ...lookup, source: 'joined' };
    }
    const lookup = this.lookUpOrCompute(key, compute).finally(() => this.inFlight.delete(key.text));
    this.inFlight.set(key.text, lookup);
    return lookup;
  }

  /**
   * The call this instance is already making for `key`, if any: the other common case during a
   * flood (its events arrive while the first one's call is under way). A caller joins it with a
   * `then` of its own, so waiting costs one reaction per event rather than suspended frames.
   */
  pending(key: AnswerKey): Promise<CacheLookup> | undefined {
    return this.inFlight.get(key.text);
  }

  /** The in-memory layer alone, synchronously: the common case during a flood. */
  peek(key: AnswerKey): CacheLookup | undefined {
    return this.memory.get(key.text);
  }

  /** Entries in the in-memory layer (for tests and logs). */
  get memorySize(): number {
    return this.memory.size;
  }

  private async lookUpOrCompute(key: AnswerKey, compute: () => Promise<Computed>): Promise<CacheLookup> {
    const { shared } = this.options;
    if (!shared) return this.computeAndStore(key, compute, false);

    const deadline = this.now() + this.options.leaseMs;
    for (;;) {
      const claim = await this.sharedCall('claim', () => shared.claim(key.id, this.options.leaseMs));
      if (claim === undefined) return this.computeAndStore(key, compute, false);
      if (claim.kind === 'hit') {
        this.remember(key, claim.entry);
        return { ok: true, source: 'shared', entry: claim.entry };
      }
      if (claim.kind === 'owner') return this.computeAndStore(key, compute, true);
      // Another instance is asking the model about this signature: wait for its answer.
      if (this.now() >= deadline) return this.computeAndStore(key, compute, false);
      await this.sleep(this.options.pollMs);
      const entry = await this.sharedCall('get', () => shared.get(key.id));
      if (entry) {
        this.remember(key, entry);
        return { ok: true, source: 'shared', entry };
      }
    }
  }

  private async computeAndStore(key: AnswerKey, compute: () => Promise<Computed>, ownsLease: boolean): Promise<CacheLookup> {
    const { shared } = this.options;
    let computed: Computed;
    try {
      computed = await compute();
    } catch (error) {
      if (ownsLease && shared) await this.sharedCall('release', () => shared.release(key.id));
      throw error;
    }
    if (computed.ok) {
      this.memory.set(key.text, { ok: true, source: 'memory', entry: computed.entry }, this.options.ttlMs);
      if (shared) await this.sharedCall('put', () => shared.put(key.id, computed.entry, this.options.ttlMs));
      return { ok: true, source: 'computed', entry: computed.entry };
    }
    if (computed.remember) this.memory.set(key.text, { ok: false, source: 'memory', failure: computed.failure }, this.options.failureTtlMs);
    if (ownsLease && shared) await this.sharedCall('release', () => shared.release(key.id));
    return { ok: false, source: 'computed', failure: computed.failure };
  }

  /** Keeps an answer from the shared layer in memory for the rest of its TTL. */
  private remember(key: AnswerKey, entry: CachedAnswer): void {
    const ttlMs = Math.max(1, entry.answeredAt + this.options.ttlMs - this.now());
    this.memory.set(key.text, { ok: true, source: 'memory', entry }, ttlMs);
  }

  private async sharedCall<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      this.options.onSharedError?.(operation, error);
      return undefined;
    }
  }
}
