import { Timestamp, type DocumentReference, type Firestore } from 'firebase-admin/firestore';
import { isAlreadyExists, isFailedPrecondition } from '../firestore/errors';
import { z } from 'zod';
import { hashedId } from '../firestore/refs';
import type { Detection } from './detection';
import { applyItems, emptyGroup, expiresAt, type GroupItem, type GroupResult, type WindowGroup } from './window-doc';

export const DETECTION_WINDOWS = 'detectionWindows';

/**
 * detectionWindows/{hash(group key)}. The windows are kept as one JSON text: Firestore would
 * index every field of a map of windows (and forbids arrays in arrays), and nothing queries them.
 */
export const WindowDocSchema = z.object({
  group: z.string(),
  windows: z.string(),
  updatedAt: z.instanceof(Timestamp),
  /** Writes so far and the first one's time: how hot the group runs (figures, operations). */
  writes: z.number().int().optional(),
  createdAt: z.instanceof(Timestamp).optional(),
  /** TTL: windows nobody touched for their longest window plus a day are deleted. */
  expireAt: z.instanceof(Timestamp),
});
export type WindowDoc = z.infer<typeof WindowDocSchema>;

export function windowRef(db: Firestore, group: string) {
  return db.collection(DETECTION_WINDOWS).doc(hashedId(group));
}

function readGroup(data: unknown): WindowGroup {
  const parsed = WindowDocSchema.safeParse(data);
  if (!parsed.success) return emptyGroup();
  try {
    return JSON.parse(parsed.data.windows) as WindowGroup;
  } catch {
    // A document we cannot read restarts its windows rather than stopping detection for the key.
    return emptyGroup();
  }
}

export interface GroupOutcome {
  detections: Detection[];
  /** Detections fired before and kept: a redelivered item may mean their threat write failed. */
  replay: Detection[];
}

/** Queues kept before idle ones are forgotten. */
const MAX_IDLE_QUEUES = 10_000;
/** Read-apply-write rounds before giving up (the message is then redelivered). */
const MAX_ATTEMPTS = 30;

interface Waiter {
  items: GroupItem[];
  resolve(outcome: GroupOutcome): void;
  reject(error: unknown): void;
}

interface Queue {
  pending: Waiter[];
  flushing: boolean;
  timer: NodeJS.Timeout | undefined;
  lastFlush: number;
}

export interface WindowStoreOptions {
  /** A group document is written at most this often by one instance; observations meanwhile join one transaction. */
  minIntervalMs: number;
  now: () => number;
  /** Called once per committed transaction (figures and tests). */
  onCommit?: (group: string, items: number) => void;
}

/**
 * The one owner of detectionWindows. Group commit per document: the first items of a quiet group
 * are written at once; items arriving within `minIntervalMs` of that write wait and go together
 * in the next transaction. Every caller's promise settles only after the transaction holding its
 * items committed (or failed), so a message is acknowledged only once its windows are stored.
 */
export class WindowStore {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly db: Firestore,
    private readonly options: WindowStoreOptions,
  ) {}

  apply(group: string, items: GroupItem[]): Promise<GroupOutcome> {
    if (this.queues.size > MAX_IDLE_QUEUES) this.forgetIdle();
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(group);
      if (queue === undefined) {
        queue = { pending: [], flushing: false, timer: undefined, lastFlush: 0 };
        this.queues.set(group, queue);
      }
      queue.pending.push({ items, resolve, reject });
      this.schedule(group, queue);
    });
  }

  /**
   * Read, apply, write back only if nobody wrote since the read (the update-time precondition, or
   * create for a new group); else read again. Optimistic rather than a transaction: the Firestore
   * emulator's pessimistic locks deadlock read-then-write transactions from many workers on one
   * document (lock timeouts of seconds), while a precondition never waits. Same guarantee: no
   * update is lost across instances.
   */
  private async commit(ref: DocumentReference, group: string, items: GroupItem[]): Promise<{ applied: GroupResult; previous: WindowGroup }> {
    for (let attempt = 1; ; attempt++) {
      const snapshot = await ref.get();
      const now = this.options.now();
      const stored = snapshot.data() as Partial<WindowDoc> | undefined;
      const previous = readGroup(stored);
      const applied = applyItems(previous, items, now);
      const doc: WindowDoc = {
        group,
        windows: JSON.stringify(applied.group),
        updatedAt: Timestamp.fromMillis(now),
        expireAt: Timestamp.fromMillis(expiresAt(applied.group, now)),
        writes: (stored?.writes ?? 0) + 1,
        createdAt: stored?.createdAt ?? Timestamp.fromMillis(now),
      };
      try {
        if (snapshot.exists && snapshot.updateTime !== undefined) await ref.update(doc, { lastUpdateTime: snapshot.updateTime });
        else await ref.create(doc);
        return { applied, previous };
      } catch (error) {
        if (!(isFailedPrecondition(error) || isAlreadyExists(error)) || attempt >= MAX_ATTEMPTS) throw error;
        // Someone else wrote the group in between: back off a little, with jitter, and redo.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 20 * 2 ** attempt)));
      }
    }
  }

  /** Idle queues only remember when their group was last written; past the interval that no longer matters. */
  private forgetIdle(): void {
    const before = this.options.now() - this.options.minIntervalMs;
    for (const [group, queue] of this.queues) {
      if (!queue.flushing && queue.timer === undefined && queue.pending.length === 0 && queue.lastFlush < before) this.queues.delete(group);
    }
  }

  private schedule(group: string, queue: Queue): void {
    if (queue.flushing || queue.timer !== undefined || queue.pending.length === 0) return;
    const wait = queue.lastFlush + this.options.minIntervalMs - this.options.now();
    if (wait <= 0) {
      void this.flush(group, queue);
      return;
    }
    queue.timer = setTimeout(() => {
      queue.timer = undefined;
      void this.flush(group, queue);
    }, wait);
  }

  private async flush(group: string, queue: Queue): Promise<void> {
    const waiters = queue.pending.splice(0);
    queue.flushing = true;
    queue.lastFlush = this.options.now();
    const ref = windowRef(this.db, group);
    const items = waiters.flatMap((waiter) => waiter.items);
    try {
      const result = await this.commit(ref, group, items);
      this.options.onCommit?.(group, items.length);
      // Detections are returned to the waiter whose item fired them; after a redelivery, every
      // waiter also gets the ones fired before (their threat writes are idempotent).
      const replay = result.applied.duplicates > 0 ? result.previous.fired.map(({ detection }) => detection) : [];
      const byItem = new Map<GroupItem, Detection[]>();
      for (const { item, detection } of result.applied.detections) {
        const owner = items[item]!;
        byItem.set(owner, [...(byItem.get(owner) ?? []), detection]);
      }
      for (const waiter of waiters) waiter.resolve({ detections: waiter.items.flatMap((item) => byItem.get(item) ?? []), replay });
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    } finally {
      queue.flushing = false;
      if (queue.pending.length > 0) this.schedule(group, queue);
    }
  }
}
