/**
 * Bounds the messages and bytes the bridge holds between reading them from Kafka and their
 * acknowledgement by Pub/Sub. When the bound is reached, reading waits: the consumer stops
 * fetching (while still heartbeating) until publishes complete, so memory stays flat however
 * large the backlog is.
 *
 * A single message larger than the byte bound is still let through when nothing else is in
 * flight, so it can never deadlock the stream.
 */
export class InFlightLimiter {
  private messageCount = 0;
  private byteCount = 0;
  private waiters: { bytes: number; resolve: () => void }[] = [];

  constructor(
    readonly maxMessages: number,
    readonly maxBytes: number,
  ) {
    if (maxMessages < 1 || maxBytes < 1) throw new RangeError('limits must be positive');
  }

  get messages(): number {
    return this.messageCount;
  }

  get bytes(): number {
    return this.byteCount;
  }

  private fits(bytes: number): boolean {
    if (this.messageCount === 0) return true;
    return this.messageCount + 1 <= this.maxMessages && this.byteCount + bytes <= this.maxBytes;
  }

  /** Takes room for one message now if there is some (and nobody is waiting before us). */
  tryAcquire(bytes: number): boolean {
    if (this.waiters.length > 0 || !this.fits(bytes)) return false;
    this.messageCount += 1;
    this.byteCount += bytes;
    return true;
  }

  /**
   * Waits for room for one message, in arrival order. Resolves true once acquired; false when
   * `signal` aborts first (nothing is then held).
   */
  acquire(bytes: number, signal?: AbortSignal): Promise<boolean> {
    if (this.tryAcquire(bytes)) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter = {
        bytes,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        },
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
        this.drain();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(bytes: number): void {
    this.messageCount -= 1;
    this.byteCount -= bytes;
    if (this.messageCount < 0 || this.byteCount < 0) {
      throw new Error('InFlightLimiter released more than it acquired');
    }
    this.drain();
  }

  /** Resolves when nothing is in flight, or after `timeoutMs`; true when drained. */
  async idle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.messageCount > 0) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.bytes)) {
      const waiter = this.waiters.shift()!;
      this.messageCount += 1;
      this.byteCount += waiter.bytes;
      waiter.resolve();
    }
  }
}
