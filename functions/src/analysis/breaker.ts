// A circuit breaker in front of the model, one per instance: after `failureThreshold` failures
// in a row the model is not called at all for `coolDownMs`; then one probe call is let through,
// and its outcome closes the breaker or opens it for another cool-down.

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  failureThreshold: number;
  coolDownMs: number;
  now?: () => number;
  /** Called when the breaker opens (calls stop) or closes again (calls resume). */
  onChange?: (state: 'open' | 'closed', until?: number) => void;
}

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    if (!(options.failureThreshold >= 1)) throw new RangeError('failureThreshold must be at least 1');
    if (!(options.coolDownMs >= 0)) throw new RangeError('coolDownMs must not be negative');
    this.now = options.now ?? Date.now;
  }

  /** The state as callers should see it: an open breaker past its cool-down is ready to probe. */
  get currentState(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.options.coolDownMs) return 'half_open';
    return this.state;
  }

  /**
   * Whether a call may go out now. In half-open state exactly one caller gets true (the probe)
   * until it reports back; everyone else is refused.
   */
  tryAcquire(): boolean {
    const state = this.currentState;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.probeInFlight) return false;
    this.state = 'half_open';
    this.probeInFlight = true;
    return true;
  }

  /** The service answered (even if the answer was unusable: it is up). */
  recordSuccess(): void {
    const wasOpen = this.state !== 'closed';
    this.consecutiveFailures = 0;
    this.probeInFlight = false;
    this.state = 'closed';
    if (wasOpen) this.options.onChange?.('closed');
  }

  /** The service did not answer usefully: timeout, 429, 5xx, network error. */
  recordFailure(): void {
    this.consecutiveFailures += 1;
    const wasProbe = this.state === 'half_open';
    this.probeInFlight = false;
    if (wasProbe || this.consecutiveFailures >= this.options.failureThreshold) {
      const wasClosed = this.state === 'closed';
      this.state = 'open';
      this.openedAt = this.now();
      if (wasClosed || wasProbe) this.options.onChange?.('open', this.openedAt + this.options.coolDownMs);
    }
  }

  /** A call that was let through ended without telling anything about the service. */
  release(): void {
    if (this.state === 'half_open') this.probeInFlight = false;
  }

  get failures(): number {
    return this.consecutiveFailures;
  }
}
