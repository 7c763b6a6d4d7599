/**
 * Which offset of a partition is safe to commit.
 *
 * Messages of one partition arrive in offset order, but their publishes finish in any order.
 * Kafka resumes a group from its committed offset, so the bridge may commit offset W only when
 * every message it received before W has been acknowledged by Pub/Sub (or the DLQ). The
 * tracker keeps the received offsets in arrival order, marks them as they are acknowledged,
 * and the watermark is the first one not yet acknowledged (or one past the last received,
 * when all are). Offsets need not be contiguous: control records and compaction leave gaps.
 */
export class PartitionWatermark {
  /**
   * Received offsets, oldest first, and whether each is acknowledged; `head` is the first one
   * still pending. Two flat arrays rather than a set of acknowledged offsets: this runs for
   * every message, and an array write is far cheaper than a hash insert and delete.
   */
  private offsets: number[] = [];
  private acked: boolean[] = [];
  private head = 0;
  private lastReceived: number | undefined;
  private committed: number | undefined;

  /** Records a message received from Kafka. Offsets must increase. */
  add(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`invalid offset ${offset}`);
    if (this.lastReceived !== undefined && offset <= this.lastReceived) {
      throw new RangeError(`offset ${offset} is not after ${this.lastReceived}`);
    }
    this.offsets.push(offset);
    this.acked.push(false);
    this.lastReceived = offset;
  }

  /** Records that the message at `offset` (one given to `add`) is safely handed on. Repeats are harmless. */
  ack(offset: number): void {
    const index = this.indexOf(offset);
    if (index < 0) return;
    this.acked[index] = true;
    while (this.head < this.offsets.length && this.acked[this.head]) this.head++;
    // Drop the passed prefix now and then, so the arrays do not grow without bound.
    if (this.head > 4096 && this.head * 2 > this.offsets.length) {
      this.offsets = this.offsets.slice(this.head);
      this.acked = this.acked.slice(this.head);
      this.head = 0;
    }
  }

  /** Where a pending offset sits in `offsets`, or -1 (passed already, or never added). */
  private indexOf(offset: number): number {
    const { offsets } = this;
    const first = offsets[this.head];
    if (first === undefined || offset < first) return -1;
    // Offsets are usually contiguous, so the guess is usually right; gaps need a search.
    const guess = this.head + (offset - first);
    if (offsets[guess] === offset) return guess;
    let low = this.head;
    let high = Math.min(guess, offsets.length - 1);
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = offsets[middle]!;
      if (found === offset) return middle;
      if (found < offset) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** The offset to commit (the next one to read after a restart); undefined before any message. */
  watermark(): number | undefined {
    if (this.head < this.offsets.length) return this.offsets[this.head];
    return this.lastReceived === undefined ? undefined : this.lastReceived + 1;
  }

  /** Messages received and not yet acknowledged. */
  pending(): number {
    return this.offsets.length - this.head;
  }

  /** The watermark when it moved past the last commit, else undefined. */
  commitCandidate(): number | undefined {
    const mark = this.watermark();
    return mark !== undefined && (this.committed === undefined || mark > this.committed) ? mark : undefined;
  }

  markCommitted(offset: number): void {
    if (this.committed === undefined || offset > this.committed) this.committed = offset;
  }

  lastCommitted(): number | undefined {
    return this.committed;
  }

  nextExpected(): number | undefined {
    return this.lastReceived === undefined ? undefined : this.lastReceived + 1;
  }
}

/** A message's place: acknowledgements of an older epoch (before a rebalance or rewind) are ignored. */
export interface OffsetToken {
  partition: number;
  offset: number;
  epoch: number;
}

/** Watermarks of all partitions of one topic, reset when the group rebalances or a partition rewinds. */
export class TopicWatermarks {
  private readonly partitions = new Map<number, { epoch: number; mark: PartitionWatermark }>();
  private epochCounter = 0;

  /**
   * The watermark of `partition` for messages from `offset` on. A message at or before one
   * already received means the consumer went back (rebalance, seek, restart of the fetch): that
   * partition starts a new epoch with a new PartitionWatermark, so acknowledgements made on the
   * old one (by messages still in flight from before) no longer move its commits.
   */
  partitionFrom(partition: number, offset: number): PartitionWatermark {
    let entry = this.partitions.get(partition);
    const next = entry?.mark.nextExpected();
    if (!entry || (next !== undefined && offset < next)) {
      entry = { epoch: ++this.epochCounter, mark: new PartitionWatermark() };
      this.partitions.set(partition, entry);
    }
    return entry.mark;
  }

  /** Records one received message (partitionFrom, then add). */
  track(partition: number, offset: number): OffsetToken {
    const mark = this.partitionFrom(partition, offset);
    mark.add(offset);
    return { partition, offset, epoch: this.partitions.get(partition)!.epoch };
  }

  ack(token: OffsetToken): void {
    const entry = this.partitions.get(token.partition);
    if (entry && entry.epoch === token.epoch) entry.mark.ack(token.offset);
  }

  /** Forgets every partition (after the group rebalanced: fetching restarts from committed offsets). */
  reset(): void {
    this.partitions.clear();
  }

  /** Offsets worth committing now, with the epoch they belong to. */
  commitCandidates(): { partition: number; offset: number; epoch: number }[] {
    const out: { partition: number; offset: number; epoch: number }[] = [];
    for (const [partition, { epoch, mark }] of this.partitions) {
      const offset = mark.commitCandidate();
      if (offset !== undefined) out.push({ partition, offset, epoch });
    }
    return out;
  }

  markCommitted(partition: number, offset: number, epoch: number): void {
    const entry = this.partitions.get(partition);
    if (entry && entry.epoch === epoch) entry.mark.markCommitted(offset);
  }

  lastCommitted(partition: number): number | undefined {
    return this.partitions.get(partition)?.mark.lastCommitted();
  }

  pending(): number {
    let total = 0;
    for (const { mark } of this.partitions.values()) total += mark.pending();
    return total;
  }

  partitionIds(): number[] {
    return [...this.partitions.keys()].sort((a, b) => a - b);
  }
}
