import { ModelError, type BatchModel, type ModelHealth, type ModelResult, type ThreatModel } from './gemini-client';
import type { ModelMessage } from './prompt';

// Events that reach the model at about the same time in one instance (the analysis function
// runs many threats at once) go out in one request: the instructions and the response schema
// are paid for once per request instead of once per event, and a burst of distinct events costs
// a few requests, not hundreds. A lone event waits at most `windowMs` for company.

export interface BatchingOptions {
  /** Most events in one request. 1 turns batching off. */
  maxBatch: number;
  /** How long the first event of a batch waits for others. */
  windowMs: number;
}

interface Pending {
  message: ModelMessage;
  resolve: (result: ModelResult) => void;
  reject: (error: ModelError) => void;
}

export class BatchingModel implements ThreatModel {
  readonly name: string;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Requests sent, and events in them (for logs and benchmarks). */
  readonly stats = { requests: 0, events: 0 };

  constructor(
    private readonly inner: BatchModel,
    private readonly options: BatchingOptions,
  ) {
    if (!(options.maxBatch >= 1)) throw new RangeError('maxBatch must be at least 1');
    this.name = inner.name;
  }

  health(): ModelHealth {
    return this.inner.health();
  }

  analyse(message: ModelMessage): Promise<ModelResult> {
    // While the breaker is open nothing would be sent: say so now rather than after the window.
    if (!this.inner.acceptsCalls()) {
      return Promise.reject(new ModelError('breaker_open', 'circuit breaker open: the model is failing'));
    }
    return new Promise<ModelResult>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      void this.send(batch);
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    this.stats.requests += 1;
    this.stats.events += batch.length;
    let outcomes;
    try {
      outcomes = await this.inner.analyseBatch(batch.map((pending) => pending.message));
    } catch (error) {
      const failure = error instanceof ModelError ? error : new ModelError('network', String(error));
      for (const pending of batch) pending.reject(failure);
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) pending.resolve(outcome.result);
      else pending.reject(outcome?.error ?? new ModelError('schema_violation', 'no outcome for this event'));
    });
  }
}
