/**
 * Gathers observations into batch messages `{"observations":[…]}` for PUBSUB_OBSERVATIONS_TOPIC,
 * so detection-onObservation runs once per batch rather than once per observation (and writes
 * each window group once per batch: README "Group commit").
 *
 * A batch is sent when it holds `maxMessages` observations, when one more would take it past
 * `maxBytes`, or `lingerMs` after its first observation, whichever comes first; `flush()` sends
 * it now (shutdown, or the consumer waiting for room in the in-flight window). Each observation
 * carries its own `done`, called with the batch's outcome: a record whose observations land in
 * two batches is done when both are.
 */

export interface BatchLimits {
  /** At most this many observations per message (detection-onObservation takes up to 1,000). */
  maxMessages: number;
  /** At most this many bytes per message, unless a single observation is larger. */
  maxBytes: number;
  /** How long the first observation of a batch waits for others. */
  lingerMs: number;
}

export type FlushTrigger = 'count' | 'bytes' | 'linger' | 'flush';

/** Called once the batch holding this observation is stored (true), or abandoned at shutdown (false). */
export type ObservationDone = (stored: boolean) => void;

export interface ObservationBatch {
  /** The message data: `{"observations":[…]}`, the observations' bytes as given. */
  data: Buffer;
  count: number;
  trigger: FlushTrigger;
  /** One per observation, in order. */
  done: ObservationDone[];
}

const OPEN = Buffer.from('{"observations":[');
const CLOSE = Buffer.from(']}');
const COMMA = 0x2c;
/** A batch's bytes besides its observations: the envelope and the commas. */
const envelopeBytes = (count: number) => OPEN.length + CLOSE.length + Math.max(0, count - 1);

export class ObservationBatcher {
  private items: Buffer[] = [];
  private dones: ObservationDone[] = [];
  private itemBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: BatchLimits,
    private readonly send: (batch: ObservationBatch) => void,
  ) {
    if (limits.maxMessages < 1 || limits.maxBytes < 1 || limits.lingerMs < 0) throw new RangeError('batch limits must be positive');
  }

  /** Observations waiting in the open batch. */
  get pending(): number {
    return this.items.length;
  }

  /** Adds one observation (a serialised normalised event) to the open batch. */
  add(data: Buffer, done: ObservationDone): void {
    const count = this.items.length;
    if (count > 0 && this.itemBytes + data.length + envelopeBytes(count + 1) > this.limits.maxBytes) this.flush('bytes');
    this.items.push(data);
    this.dones.push(done);
    this.itemBytes += data.length;
    if (this.items.length >= this.limits.maxMessages) this.flush('count');
    else if (this.itemBytes + envelopeBytes(this.items.length) >= this.limits.maxBytes) this.flush('bytes');
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush('linger'), this.limits.lingerMs);
      this.timer.unref();
    }
  }

  /** Sends the open batch now, if it holds anything. */
  flush(trigger: FlushTrigger = 'flush'): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { items, dones } = this;
    if (items.length === 0) return;
    const data = Buffer.allocUnsafe(this.itemBytes + envelopeBytes(items.length));
    let at = OPEN.copy(data, 0);
    for (let i = 0; i < items.length; i++) {
      if (i > 0) data[at++] = COMMA;
      at += items[i]!.copy(data, at);
    }
    CLOSE.copy(data, at);
    this.items = [];
    this.dones = [];
    this.itemBytes = 0;
    this.send({ data, count: dones.length, trigger, done: dones });
  }
}
