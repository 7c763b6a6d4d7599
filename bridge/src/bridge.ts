import { EventEmitter } from 'node:events';
import type { InputFormat } from '@threatstream/events';
import type { Consumer, EachBatchPayload, IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { ObservationBatcher, type ObservationBatch } from './batcher.js';
import type { BridgeConfig } from './config.js';
import { InFlightLimiter } from './limiter.js';
import type { Logger } from './logger.js';
import type { BridgeMetrics } from './metrics.js';
import type { Publisher } from './pubsub.js';
import { headerText, routeRecord, type OutgoingMessage, type Route } from './route.js';
import { TopicWatermarks, type PartitionWatermark } from './watermark.js';

/** Where the bridge stands, for /readyz and logs. */
export interface BridgeStatus {
  state: 'created' | 'starting' | 'running' | 'stopping' | 'stopped';
  joined: boolean;
  publisherHealthy: boolean;
  ready: boolean;
  inFlightMessages: number;
  inFlightBytes: number;
  lastPublishError?: string;
  assignedPartitions: number[];
}

export interface BridgeDeps {
  config: BridgeConfig;
  consumer: Consumer;
  /** Writes dead letters; a plain (non-transactional) producer with acks from all replicas. */
  producer: Producer;
  publisher: Publisher;
  /** Publishes observations (parsed records that are not alerts) to PUBSUB_OBSERVATIONS_TOPIC, in batches. */
  observationsPublisher?: Publisher;
  metrics: BridgeMetrics;
  logger: Logger;
  /** The clock, replaceable in tests. */
  now?: () => number;
  /** Delay before the nth in-process restart of a crashed consumer (default 1 s doubling to 30 s). */
  restartDelayMs?: (attempt: number) => number;
}

/** Consecutive failed consumer restarts (without a group join between) before giving up. */
export const MAX_CONSUMER_RESTARTS = 10;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `promise` for at most `ms`; resolves to `onTimeout` past that (the promise goes on). */
async function within<T, U>(promise: Promise<T>, ms: number, onTimeout: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<U>((resolve) => (timer = setTimeout(() => resolve(onTimeout), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Backoff between retries of one message: 100 ms doubling to 10 s, with jitter. */
function backoffMs(attempt: number): number {
  const base = Math.min(10_000, 100 * 2 ** Math.min(attempt, 10));
  return base / 2 + Math.random() * (base / 2);
}

/**
 * Moves every message of a Kafka topic to a Pub/Sub topic, at least once.
 *
 * - Reading: a kafkajs consumer group with `eachBatch`. Each message takes room in a bounded
 *   in-flight window (messages and bytes) before it is handed to the publisher; when the window
 *   is full, the batch handler waits (heartbeating), so fetching stops and memory stays flat.
 *   The fetch position moves on as soon as a message is handed over, so fetching and
 *   publishing overlap.
 * - Writing: one long-lived Pub/Sub publisher with batching; the original bytes are the data,
 *   event_id and the Kafka coordinates are attributes. A failed publish is retried, never
 *   skipped, and while it fails the window fills and reading stops. Observations (parsed
 *   records that are not alerts) go out many to a message (ObservationBatcher); a record is
 *   done when every message holding one of its observations or alerts is stored.
 * - Committing: autoCommit is off. Per partition, the offset committed is the first one not yet
 *   acknowledged by Pub/Sub (see TopicWatermarks), every BRIDGE_COMMIT_INTERVAL_MS and at
 *   shutdown. A crash at any moment loses nothing; Kafka redelivers what was not committed.
 * - Poison messages (not a JSON object with a usable event_id, or too large) go to the DLQ topic
 *   with the reason and their origin in headers, and then count as done.
 */
export class Bridge extends EventEmitter<{ fatal: [Error] }> {
  private readonly config: BridgeConfig;
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly publisher: Publisher;
  private readonly observationsPublisher: Publisher | undefined;
  private readonly observationBatcher: ObservationBatcher | undefined;
  private readonly metrics: BridgeMetrics;
  private readonly log: Logger;
  private readonly now: () => number;

  private readonly limiter: InFlightLimiter;
  /** Per consumed topic (the main one and the mapped ones). */
  private readonly watermarks = new Map<string, TopicWatermarks>();
  private readonly highWatermarks = new Map<string, Map<number, number>>();
  /** Aborted at shutdown: wakes handlers waiting for room in the window. */
  private readonly stopController = new AbortController();

  private state: BridgeStatus['state'] = 'created';
  private joined = false;
  /** Bumped at every group join: a batch handler from before a rejoin must stop handing on. */
  private generation = 0;
  private assigned: number[] = [];
  /** Set when shutdown gives up waiting: retry loops end without acknowledging. */
  private abandoned = false;
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  /** Runs with messages in flight, for the age of the oldest one. */
  private readonly inFlightRuns = new Set<Run>();
  private lastPublishFailureAt: number | undefined;
  private lastPublishSuccessAt: number | undefined;
  private lastPublishError: string | undefined;
  private lastFailureLogAt = 0;
  private readonly removeListeners: (() => void)[] = [];
  private readonly restartDelayMs: (attempt: number) => number;
  private restartAttempts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private runOptions: Parameters<Consumer['run']>[0];

  constructor(deps: BridgeDeps) {
    super();
    this.config = deps.config;
    this.consumer = deps.consumer;
    this.producer = deps.producer;
    this.publisher = deps.publisher;
    this.observationsPublisher = deps.observationsPublisher;
    this.metrics = deps.metrics;
    this.log = deps.logger;
    this.now = deps.now ?? Date.now;
    this.restartDelayMs = deps.restartDelayMs ?? ((attempt) => Math.min(30_000, 1_000 * 2 ** attempt));
    this.runOptions = {
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: deps.config.kafka.partitionsConcurrency,
      eachBatch: (payload) => this.handleBatch(payload),
    };
    if (deps.observationsPublisher) {
      const publisher = deps.observationsPublisher;
      this.observationBatcher = new ObservationBatcher(deps.config.pubsub.observationBatch, (batch) => this.publishBatch(publisher, batch));
    }
    this.limiter = new InFlightLimiter(deps.config.flow.maxInFlightMessages, deps.config.flow.maxInFlightBytes);
    // Gauges are read when /metrics is scraped, not updated per message.
    this.metrics.inFlightMessages.collectWith((g) => g.set(this.limiter.messages));
    this.metrics.inFlightBytes.collectWith((g) => g.set(this.limiter.bytes));
    this.metrics.ready.collectWith((g) => g.set(this.status().ready ? 1 : 0));
    this.metrics.oldestInFlight.collectWith((g) => g.set(this.oldestInFlightMs() / 1000));
    this.metrics.lag.collectWith((g) => {
      for (const [topic, partitions] of this.highWatermarks) {
        for (const [partition, highWatermark] of partitions) {
          const committed = this.watermarksOf(topic).lastCommitted(partition);
          if (committed !== undefined) g.set(Math.max(0, highWatermark - committed), { topic, partition });
        }
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // Life cycle

  async start(): Promise<void> {
    if (this.state !== 'created') throw new Error(`cannot start a bridge that is ${this.state}`);
    this.state = 'starting';
    const { kafka } = this.config;
    this.watchConsumer();
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: kafka.topics, fromBeginning: kafka.fromBeginning });
    await this.consumer.run(this.runOptions);
    this.commitTimer = setInterval(() => void this.commit(), this.config.flow.commitIntervalMs);
    this.commitTimer.unref();
    this.state = 'running';
    this.log.info('bridge.started', { topics: kafka.topics, formats: kafka.topicFormats, groupId: kafka.groupId, pubsubTopic: this.config.pubsub.topic });
  }

  /**
   * Stops within `timeoutMs`: stop reading, let in-flight publishes finish (flushing the
   * publisher), commit what they completed, leave the group and disconnect. Whatever did not
   * finish in time is simply not committed, so it is read again by the next consumer.
   */
  async stop(timeoutMs = this.config.shutdownTimeoutMs): Promise<{ drained: boolean }> {
    if (this.state === 'stopping' || this.state === 'stopped') return { drained: this.limiter.messages === 0 };
    const deadline = this.now() + timeoutMs;
    const remaining = () => Math.max(0, deadline - this.now());
    this.state = 'stopping';
    this.stopController.abort();
    clearInterval(this.commitTimer);
    clearTimeout(this.restartTimer);
    try {
      // Stop fetching now; the group is left at disconnect, after the final commit.
      this.consumer.pause(this.config.kafka.topics.map((topic) => ({ topic })));
    } catch {
      // not running yet (start-up failed): nothing to pause
    }
    this.log.info('bridge.stopping', { inFlight: this.limiter.messages });

    // Keep ~40% of the budget for the commit and the disconnects.
    const drainBudget = Math.floor(remaining() * 0.6);
    this.observationBatcher?.flush();
    void this.publisher.flush().catch(() => {});
    void this.observationsPublisher?.flush().catch(() => {});
    const drained = await this.limiter.idle(drainBudget);
    if (!drained) {
      this.abandoned = true;
      this.log.warn('bridge.stop.undrained', { inFlight: this.limiter.messages, note: 'not committed; Kafka redelivers them' });
    }
    await within(this.commit(), Math.min(2_000, remaining() / 2), undefined);
    await within(
      this.consumer.disconnect().catch((error: unknown) => this.log.warn('consumer.disconnect.failed', { error })),
      Math.max(200, remaining() - 200),
      undefined,
    );
    await within(
      this.producer.disconnect().catch((error: unknown) => this.log.warn('producer.disconnect.failed', { error })),
      Math.max(100, remaining()),
      undefined,
    );
    for (const remove of this.removeListeners) remove();
    this.state = 'stopped';
    this.joined = false;
    this.log.info('bridge.stopped', { drained, published: this.metrics.published.get() });
    return { drained };
  }

  status(): BridgeStatus {
    const publisherHealthy = this.publisherHealthy();
    return {
      state: this.state,
      joined: this.joined,
      publisherHealthy,
      ready: this.state === 'running' && this.joined && publisherHealthy,
      inFlightMessages: this.limiter.messages,
      inFlightBytes: this.limiter.bytes,
      ...(this.lastPublishError !== undefined && { lastPublishError: this.lastPublishError }),
      assignedPartitions: this.assigned,
    };
  }

  /**
   * The publisher is healthy unless its last attempt failed, or a message has been in flight
   * (to Pub/Sub or the DLQ) for longer than BRIDGE_PUBLISH_STALL_MS: that message holds back
   * its partition's commits, so the bridge is not doing its job even if others get through.
   */
  private publisherHealthy(): boolean {
    const failedLast =
      this.lastPublishFailureAt !== undefined &&
      (this.lastPublishSuccessAt === undefined || this.lastPublishSuccessAt < this.lastPublishFailureAt);
    return !failedLast && this.oldestInFlightMs() <= this.config.flow.publishStallMs;
  }

  private oldestInFlightMs(): number {
    let oldest = Infinity;
    for (const run of this.inFlightRuns) oldest = Math.min(oldest, run.startedAt);
    return oldest === Infinity ? 0 : this.now() - oldest;
  }

  private watchConsumer(): void {
    const { events } = this.consumer;
    const on = <T>(event: string, listener: (e: T) => void) => {
      // kafkajs' `on` is typed per event name; the listeners below only read what they declare.
      const remove = (this.consumer.on as (e: string, l: (e: T) => void) => () => void)(event, listener);
      this.removeListeners.push(remove);
    };
    on<{ payload: { memberAssignment: Record<string, number[]>; isLeader: boolean; groupProtocol: string } }>(
      events.GROUP_JOIN,
      ({ payload }) => {
        // Fetching restarts from the committed offsets: start the watermarks afresh.
        this.generation++;
        this.restartAttempts = 0;
        for (const marks of this.watermarks.values()) marks.reset();
        this.highWatermarks.clear();
        this.metrics.lag.reset();
        this.joined = true;
        this.assigned = [...(payload.memberAssignment[this.config.kafka.topic] ?? [])].sort((a, b) => a - b);
        this.metrics.rebalances.inc();
        this.log.info('consumer.joined', { partitions: this.assigned, leader: payload.isLeader });
      },
    );
    on<{ payload: { error: Error; restart: boolean } }>(events.CRASH, ({ payload }) => {
      this.joined = false;
      if (payload.restart) {
        this.log.warn('consumer.crashed.restarting', { error: payload.error });
      } else if (this.state === 'running') {
        // kafkajs gives up on errors it deems non-retriable, some of which are transient (no
        // group coordinator while a broker restarts): restart in-process a few times first.
        this.scheduleRestart(payload.error);
      }
    });
    on(events.DISCONNECT, () => {
      this.joined = false;
    });
    on(events.STOP, () => {
      this.joined = false;
    });
  }

  private scheduleRestart(cause: Error): void {
    if (this.restartAttempts >= MAX_CONSUMER_RESTARTS) {
      this.log.error('consumer.crashed', { error: cause, restarts: this.restartAttempts });
      this.emit('fatal', cause);
      return;
    }
    const delay = this.restartDelayMs(this.restartAttempts++);
    this.log.warn('consumer.crashed.restarting', { error: cause, attempt: this.restartAttempts, inMs: delay });
    this.restartTimer = setTimeout(() => void this.restartConsumer(), delay);
  }

  private async restartConsumer(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      await this.consumer.connect();
      await this.consumer.run(this.runOptions);
    } catch (error) {
      this.scheduleRestart(error instanceof Error ? error : new Error(String(error)));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { partition, topic } = batch;
    // With several partitions in flight, a handler may outlive a rebalance (kafkajs rejoins as
    // soon as one handler fails); from then on it must neither hand on messages nor move the
    // new generation's fetch position.
    const generation = this.generation;
    // The bridge never seeks, so staleness (a seek) is only checked where control left the loop.
    const current = () => this.generation === generation && this.state === 'running' && isRunning();
    if (isStale()) return;
    const highWatermark = Number(batch.highWatermark);
    if (Number.isSafeInteger(highWatermark)) {
      let partitions = this.highWatermarks.get(topic);
      if (!partitions) this.highWatermarks.set(topic, (partitions = new Map()));
      partitions.set(partition, highWatermark);
    }
    let run: Run | undefined;
    let handled = 0;
    let lastHandled: string | undefined;
    try {
      for (const message of batch.messages) {
        if (!current()) break;
        const bytes = messageBytes(message);
        if (!this.limiter.tryAcquire(bytes)) {
          // Reading waits for records to finish: those in the open batch must not linger.
          this.observationBatcher?.flush();
          const acquired = await this.waitForRoom(bytes, heartbeat, isRunning);
          if (!acquired) break;
          if (!current() || isStale()) {
            this.limiter.release(bytes);
            break;
          }
          run = undefined; // time passed: what follows is handed on from now
        }
        const offset = Number(message.offset);
        run ??= this.startRun(topic, partition, offset);
        run.mark.add(offset);
        run.pending++;
        if (run.pending === 1) this.inFlightRuns.add(run);
        this.metrics.consumed.inc();
        this.handOn(message, offset, run, bytes);
        lastHandled = message.offset;
        if (++handled % 1000 === 0) {
          await heartbeat();
          if (isStale()) break;
          run = undefined; // the heartbeat may have waited for the broker
        }
      }
    } finally {
      // Moves the fetch position past what was handed on (commits come from the watermarks).
      if (lastHandled !== undefined && this.generation === generation && !isStale()) resolveOffset(lastHandled);
    }
    await heartbeat();
  }

  /** Waits for room in the window, heartbeating so the group does not think we died. */
  private async waitForRoom(bytes: number, heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<boolean> {
    const waitController = new AbortController();
    const stop = () => waitController.abort();
    this.stopController.signal.addEventListener('abort', stop, { once: true });
    const acquiring = this.limiter.acquire(bytes, waitController.signal);
    try {
      for (;;) {
        const tick = Math.min(1_000, this.config.kafka.heartbeatIntervalMs);
        const acquired = await within(acquiring, tick, 'tick' as const);
        if (acquired !== 'tick') return acquired;
        if (!isRunning() || this.state !== 'running') {
          waitController.abort();
          return acquiring;
        }
        await heartbeat();
      }
    } catch (error) {
      // A rebalance surfaces here through heartbeat(): give back any room we got, let kafkajs rejoin.
      waitController.abort();
      if (await acquiring) this.limiter.release(bytes);
      throw error;
    } finally {
      this.stopController.signal.removeEventListener('abort', stop);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Writing
  //
  // This is the per-message path, so it is kept lean: no promise, async function or timer per
  // message in the common case (one publish that succeeds), only the publish callback. What the
  // messages of a run share (partition, watermark, start time) is held once, in the Run.

  private startRun(topic: string, partition: number, firstOffset: number): Run {
    return {
      topic,
      partition,
      partitionLabel: String(partition),
      mark: this.watermarksOf(topic).partitionFrom(partition, firstOffset),
      format: this.config.kafka.topicFormats[topic],
      startedAt: this.now(),
      pending: 0,
    };
  }

  /** Publishes one message to Pub/Sub, or sends it to the DLQ; `settle` is called when done. */
  private handOn(message: KafkaMessage, offset: number, run: Run, bytes: number): void {
    const headerFormat = message.headers?.format === undefined ? undefined : headerText(message.headers.format);
    const route: Route = routeRecord(message.value, {
      adapters: this.config.kafka.adapters,
      ...(run.format && { topicFormat: run.format }),
      ...(headerFormat !== undefined && { headerFormat }),
    });
    if (route.kind === 'reject') {
      this.metrics.records.inc({ topic: run.topic, format: route.format, route: 'dead_letter' });
      void this.deadLetterUntilDone(message, offset, run, bytes, route.reason, route.detail);
      return;
    }
    if (route.kind === 'publish') {
      this.publishParsed(route.format, route.messages, message, offset, run, bytes);
      return;
    }
    const envelope = route;
    const data = message.value!;
    const attributes: Record<string, string> =
      envelope.eventType === undefined
        ? {
            event_id: envelope.eventId,
            kafka_topic: run.topic,
            kafka_partition: run.partitionLabel,
            kafka_offset: message.offset,
            kafka_timestamp: message.timestamp,
          }
        : {
            event_id: envelope.eventId,
            event_type: envelope.eventType,
            kafka_topic: run.topic,
            kafka_partition: run.partitionLabel,
            kafka_offset: message.offset,
            kafka_timestamp: message.timestamp,
          };
    const done = (error: Error | null) => {
      try {
        if (error) void this.publishUntilDone(data, attributes, offset, run, bytes, error);
        else this.published(offset, run, bytes);
      } catch (bug) {
        this.fatal(bug);
      }
    };
    try {
      this.publisher.publish(data, attributes, done);
    } catch (error) {
      // The client refused it outright (it validates attributes): retried like any failure.
      done(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Publishes what one parsed record became (alerts to PUBSUB_TOPIC one per message,
   * observations into the open batch for PUBSUB_OBSERVATIONS_TOPIC), each retried until stored;
   * the record is done when all are, its observations possibly spread over two batches.
   * Lean like the passthrough path: callbacks only, a promise only for a message that failed.
   */
  private publishParsed(format: string, messages: OutgoingMessage[], message: KafkaMessage, offset: number, run: Run, bytes: number): void {
    let pending = messages.length;
    let delivered = true;
    const doneOne = (route: 'alert' | 'observation', ok: boolean) => {
      if (ok) this.metrics.records.inc({ topic: run.topic, format, route });
      else delivered = false;
      if (--pending > 0) return;
      if (delivered) this.published(offset, run, bytes);
      else this.settle(offset, run, bytes, false);
    };
    if (pending === 0) {
      this.published(offset, run, bytes);
      return;
    }
    let observationDone: ((stored: boolean) => void) | undefined;
    for (const outgoing of messages) {
      if (outgoing.destination === 'observations') {
        if (!this.observationBatcher) {
          this.fatal(new Error('an observation was parsed but the bridge has no observations publisher'));
          return;
        }
        this.observationBatcher.add(outgoing.data, (observationDone ??= (stored) => doneOne('observation', stored)));
        continue;
      }
      const attributes = outgoing.attributes;
      attributes.kafka_topic = run.topic;
      attributes.kafka_partition = run.partitionLabel;
      attributes.kafka_offset = message.offset;
      attributes.kafka_timestamp = message.timestamp;
      this.publishUntilStored(this.publisher, outgoing.data, attributes, (stored) => doneOne('alert', stored));
    }
  }

  /**
   * Publishes a batch of observations, retried like a single message until stored; then (or
   * when shutdown abandons it) tells each observation's record. The function reads nothing
   * from a batch's attributes: each observation carries its own id, format and raw record.
   */
  private publishBatch(publisher: Publisher, batch: ObservationBatch): void {
    this.metrics.observationBatches.inc({ trigger: batch.trigger });
    const attributes = { kind: 'observations', count: String(batch.count) };
    this.publishUntilStored(publisher, batch.data, attributes, (stored) => {
      for (const done of batch.done) done(stored);
    });
  }

  /**
   * Publishes one message, retried until Pub/Sub stores it; `settle` then hears true, or false
   * when shutdown abandons the retries.
   */
  private publishUntilStored(publisher: Publisher, data: Buffer, attributes: Record<string, string>, settle: (stored: boolean) => void): void {
    const retryUntilDone = async (error: Error) => {
      try {
        this.recordFailure('pubsub', error, 0);
        settle(await this.retry('pubsub', () => publishOnce(publisher, data, attributes), 1));
      } catch (bug) {
        this.fatal(bug);
      }
    };
    const done = (error: Error | null) => {
      try {
        if (error) void retryUntilDone(error);
        else {
          this.lastPublishSuccessAt = this.now();
          settle(true);
        }
      } catch (bug) {
        this.fatal(bug);
      }
    };
    try {
      publisher.publish(data, attributes, done);
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private published(offset: number, run: Run, bytes: number): void {
    const now = this.now();
    this.lastPublishSuccessAt = now;
    this.metrics.published.inc();
    this.metrics.publishLatency.observe((now - run.startedAt) / 1000);
    this.settle(offset, run, bytes, true);
  }

  /** The first attempt failed: retry with backoff until it succeeds (or shutdown abandons it). */
  private async publishUntilDone(
    data: Buffer,
    attributes: Record<string, string>,
    offset: number,
    run: Run,
    bytes: number,
    error: Error,
  ): Promise<void> {
    try {
      this.recordFailure('pubsub', error, 0);
      const delivered = await this.retry('pubsub', () => publishOnce(this.publisher, data, attributes), 1);
      if (delivered) this.published(offset, run, bytes);
      else this.settle(offset, run, bytes, false);
    } catch (bug) {
      this.fatal(bug);
    }
  }

  private async deadLetterUntilDone(
    message: KafkaMessage,
    offset: number,
    run: Run,
    bytes: number,
    reason: string,
    detail: string,
  ): Promise<void> {
    try {
      const delivered = await this.retry('dlq', () => this.deadLetter(message, run, reason, detail));
      if (delivered) {
        this.metrics.deadLettered.inc({ reason });
        this.log.warn('message.dead_lettered', { reason, detail, partition: run.partition, offset: message.offset });
      }
      this.settle(offset, run, bytes, delivered);
    } catch (bug) {
      this.fatal(bug);
    }
  }

  /**
   * A message is done: its room in the window is given back, and when it was delivered (not
   * abandoned at shutdown) its offset counts as acknowledged for the commits.
   */
  private settle(offset: number, run: Run, bytes: number, delivered: boolean): void {
    this.limiter.release(bytes);
    if (--run.pending === 0) this.inFlightRuns.delete(run);
    if (delivered) run.mark.ack(offset);
  }

  /** Only a bug gets here (retry() never throws): crash loudly rather than skip a message. */
  private fatal(error: unknown): void {
    this.emit('fatal', error instanceof Error ? error : new Error(String(error)));
  }

  private async deadLetter(message: KafkaMessage, run: Run, reason: string, detail: string): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
      'dlq.reason': reason,
      'dlq.detail': detail.slice(0, 1000),
      'dlq.original.topic': run.topic,
      'dlq.original.partition': run.partitionLabel,
      'dlq.original.offset': message.offset,
      'dlq.original.timestamp': message.timestamp,
      'dlq.bridge.group': this.config.kafka.groupId,
    };
    await this.producer.send({
      topic: this.config.kafka.dlqTopic,
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
  }

  /**
   * Runs `attempt` until it succeeds, backing off between failures; true then. Gives up (false)
   * only when shutdown abandons in-flight work, which is then left uncommitted.
   */
  private async retry(
    destination: 'pubsub' | 'dlq',
    attempt: () => Promise<unknown>,
    failuresSoFar = 0,
  ): Promise<boolean> {
    for (let failures = failuresSoFar; ; failures++) {
      if (failures > 0) await sleep(backoffMs(failures - 1));
      if (this.abandoned) return false;
      try {
        await attempt();
        if (destination === 'pubsub') this.lastPublishSuccessAt = this.now();
        return true;
      } catch (error) {
        this.recordFailure(destination, error, failures);
      }
    }
  }

  private recordFailure(destination: 'pubsub' | 'dlq', error: unknown, failures: number): void {
    this.metrics.publishErrors.inc({ destination });
    const message = error instanceof Error ? error.message : String(error);
    if (destination === 'pubsub') {
      this.lastPublishFailureAt = this.now();
      this.lastPublishError = message;
    }
    // Failures come in bursts (a whole batch fails at once): log one line per 5 s.
    if (this.now() - this.lastFailureLogAt > 5_000) {
      this.lastFailureLogAt = this.now();
      this.log.warn('publish.failed.retrying', { destination, error: message, failures: failures + 1 });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Committing

  /** Commits every partition's watermark that moved. Never runs twice at once. */
  private watermarksOf(topic: string): TopicWatermarks {
    let marks = this.watermarks.get(topic);
    if (!marks) this.watermarks.set(topic, (marks = new TopicWatermarks()));
    return marks;
  }

  commit(): Promise<void> {
    this.committing ??= this.commitNow().finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }

  private async commitNow(): Promise<void> {
    const candidates = [...this.watermarks].flatMap(([topic, marks]) =>
      marks.commitCandidates().map((candidate) => ({ topic, ...candidate })),
    );
    if (candidates.length === 0 || !this.joined) return;
    try {
      await this.consumer.commitOffsets(
        candidates.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })),
      );
      for (const { topic, partition, offset, epoch } of candidates) {
        this.watermarksOf(topic).markCommitted(partition, offset, epoch);
        this.metrics.committedOffset.set(offset, { topic, partition });
      }
      this.metrics.commits.inc({ result: 'ok' });
      this.log.debug('offsets.committed', { offsets: candidates.map(({ topic, partition, offset }) => ({ topic, partition, offset })) });
    } catch (error) {
      this.metrics.commits.inc({ result: 'error' });
      this.log.warn('offsets.commit.failed', { error, note: 'retried at the next interval' });
    }
  }

}

/**
 * Messages of one partition handed on one after the other from one batch, without waiting for
 * room in the window between them: they share where they come from and when they started.
 */
interface Run {
  topic: string;
  partition: number;
  /** The partition as the attribute and header value, made once. */
  partitionLabel: string;
  /** The partition's watermark when the run started (a rewind replaces it: see TopicWatermarks). */
  mark: PartitionWatermark;
  /** When the run's messages were handed on: the start of their publish latency. */
  startedAt: number;
  /** Messages of the run not yet settled. */
  pending: number;
  /** The topic's mapped format, if any. */
  format: InputFormat | undefined;
}

/** Publishes once, as a promise (for the rare retries). */
function publishOnce(publisher: Publisher, data: Buffer, attributes: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => publisher.publish(data, attributes, (error) => (error ? reject(error) : resolve())));
}

function messageBytes(message: KafkaMessage): number {
  return (message.value?.length ?? 0) + (message.key?.length ?? 0) + 64;
}
