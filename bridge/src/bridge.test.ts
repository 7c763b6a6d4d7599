import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecord } from '@threatstream/events';
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { Bridge, MAX_CONSUMER_RESTARTS } from './bridge.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createBridgeMetrics } from './metrics.js';
import type { PublishCallback, Publisher } from './pubsub.js';

const TOPIC = 'raw';

function config(env: Record<string, string> = {}) {
  const result = loadConfig({ KAFKA_BROKERS: '127.0.0.1:1', KAFKA_TOPIC: TOPIC, KAFKA_DLQ_TOPIC: 'raw.dlq', ...env });
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.config;
}

/** The parts of a kafkajs consumer the bridge uses, driven by the test. */
class FakeConsumer {
  readonly events = { GROUP_JOIN: 'group_join', CRASH: 'crash', DISCONNECT: 'disconnect', STOP: 'stop' };
  readonly emitter = new EventEmitter();
  readonly commits: { topic: string; partition: number; offset: string }[][] = [];
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  connect = vi.fn(async () => {});
  subscribe = vi.fn(async () => {});
  disconnect = vi.fn(async () => {});
  pause = vi.fn();
  run = vi.fn(async ({ eachBatch }: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
    this.eachBatch = eachBatch;
  });
  commitOffsets = vi.fn(async (offsets: { topic: string; partition: number; offset: string }[]) => {
    this.commits.push(offsets);
  });
  on(event: string, listener: (e: unknown) => void) {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
  join(partitions: number[]) {
    this.emitter.emit(this.events.GROUP_JOIN, { payload: { memberAssignment: { [TOPIC]: partitions }, isLeader: true } });
  }
  /** Delivers a batch the way kafkajs does; resolves when the handler returns. */
  deliver(partition: number, messages: KafkaMessage[], overrides: Partial<EachBatchPayload> = {}) {
    const resolveOffset = vi.fn();
    const done = this.eachBatch!({
      batch: {
        topic: TOPIC,
        partition,
        highWatermark: String(Number(messages.at(-1)!.offset) + 1),
        messages,
        isEmpty: () => messages.length === 0,
        firstOffset: () => messages[0]!.offset,
        lastOffset: () => messages.at(-1)!.offset,
        offsetLag: () => '0',
        offsetLagLow: () => '0',
      },
      resolveOffset,
      heartbeat: async () => {},
      pause: () => () => {},
      commitOffsetsIfNecessary: async () => {},
      uncommittedOffsets: () => ({ topics: [] }),
      isRunning: () => true,
      isStale: () => false,
      ...overrides,
    });
    return { done, resolveOffset };
  }
  lastCommit(partition: number): string | undefined {
    for (const commit of [...this.commits].reverse()) {
      const entry = commit.find((c) => c.partition === partition);
      if (entry) return entry.offset;
    }
    return undefined;
  }
}

/** A publisher whose publishes the test resolves or rejects one by one. */
class FakePublisher implements Publisher {
  readonly pending = new Map<string, { done: PublishCallback; attributes: Record<string, string>; data: Buffer }>();
  readonly attempts: string[] = [];
  publish(data: Buffer, attributes: Record<string, string>, done: PublishCallback) {
    this.attempts.push(attributes.event_id!);
    this.pending.set(attributes.kafka_offset!, { done, attributes, data });
  }
  ack(offset: number) {
    const entry = this.pending.get(String(offset));
    if (!entry) throw new Error(`no pending publish for offset ${offset}`);
    this.pending.delete(String(offset));
    entry.done(null);
  }
  fail(offset: number, message = 'UNAVAILABLE') {
    const entry = this.pending.get(String(offset));
    if (!entry) throw new Error(`no pending publish for offset ${offset}`);
    this.pending.delete(String(offset));
    entry.done(new Error(message));
  }
  flush = async () => {};
  close = async () => {};
}

/** The observations topic's publisher: batch messages, resolved or rejected by an observation id they hold. */
class FakeBatchPublisher implements Publisher {
  readonly pending: { ids: string[]; attributes: Record<string, string>; done: PublishCallback }[] = [];
  /** The observation ids of every publish attempt, in order. */
  readonly attempts: string[][] = [];
  publish(data: Buffer, attributes: Record<string, string>, done: PublishCallback) {
    const ids = (JSON.parse(data.toString()) as { observations: { event: { id: string } }[] }).observations.map((o) => o.event.id);
    this.attempts.push(ids);
    this.pending.push({ ids, attributes, done });
  }
  private take(id: string) {
    const index = this.pending.findIndex((p) => p.ids.includes(id));
    if (index < 0) throw new Error(`no pending batch holds ${id}`);
    return this.pending.splice(index, 1)[0]!;
  }
  ack(id: string) {
    this.take(id).done(null);
  }
  fail(id: string, message = 'UNAVAILABLE') {
    this.take(id).done(new Error(message));
  }
  flush = async () => {};
  close = async () => {};
}

function message(offset: number, value: string | null = JSON.stringify({ event_id: `e-${offset}`, event_type: 'ddos' })): KafkaMessage {
  return {
    offset: String(offset),
    key: Buffer.from(`k${offset}`),
    value: value === null ? null : Buffer.from(value),
    timestamp: '1700000000000',
    attributes: 0,
    headers: { origin: 'test' },
  } satisfies KafkaMessage;
}

function fakeBatch(messages: KafkaMessage[]) {
  return {
    topic: TOPIC,
    partition: 0,
    highWatermark: String(Number(messages.at(-1)!.offset) + 1),
    messages,
    isEmpty: () => messages.length === 0,
    firstOffset: () => messages[0]!.offset,
    lastOffset: () => messages.at(-1)!.offset,
    offsetLag: () => '0',
    offsetLagLow: () => '0',
  };
}

const flush = () => new Promise((r) => setImmediate(r));

async function setup(env: Record<string, string> = {}, now?: () => number) {
  const consumer = new FakeConsumer();
  const sent: Parameters<Producer['send']>[0][] = [];
  const producer = {
    connect: vi.fn(async () => {}),
    disconnect: vi.fn(async () => {}),
    send: vi.fn(async (record: Parameters<Producer['send']>[0]) => {
      sent.push(record);
      return [];
    }),
  };
  const publisher = new FakePublisher();
  const observationsPublisher = new FakeBatchPublisher();
  const metrics = createBridgeMetrics();
  const bridge = new Bridge({
    observationsPublisher,
    config: config(env),
    consumer: consumer as unknown as Consumer,
    producer: producer as unknown as Producer,
    publisher,
    metrics,
    logger: createLogger('error', () => {}),
    restartDelayMs: () => 1,
    ...(now && { now }),
  });
  await bridge.start();
  consumer.join([0, 1]);
  return { bridge, consumer, producer, sent, publisher, observationsPublisher, metrics };
}

const ecsRecord = (kind: 'alert' | 'event', id: string) =>
  JSON.stringify({
    '@timestamp': '2025-12-27T19:00:00Z',
    event: { id, kind },
    source: { ip: '185.234.72.91' },
    rule: { name: 'ET SCAN Potential SSH Scan' },
  });

describe('Bridge', () => {
  it('routes parsed alerts to events, observations to their own topic, and commits once both are stored', async () => {
    const { bridge, consumer, publisher, observationsPublisher, sent, metrics } = await setup();
    const badEcs = { ...message(2, '{"event_id":"x","event_type":"ddos"}'), headers: { format: Buffer.from('ecs') } } as KafkaMessage;
    await consumer.deliver(0, [message(0, ecsRecord('alert', 'a-0')), message(1, ecsRecord('event', 'o-1')), badEcs]).done;
    await flush();
    expect(publisher.pending.get('0')!.attributes).toMatchObject({ event_id: 'a-0', format: 'ecs', kind: 'alert', kafka_offset: '0' });
    expect(JSON.parse(publisher.pending.get('0')!.data.toString()).normalized.event.id).toBe('a-0');
    expect(publisher.pending.has('1')).toBe(false);
    await vi.waitFor(() => expect(observationsPublisher.pending).toHaveLength(1)); // after the linger
    expect(observationsPublisher.pending[0]).toMatchObject({ ids: ['o-1'], attributes: { kind: 'observations', count: '1' } });
    expect(sent[0]!.messages[0]!.headers!['dlq.reason']).toMatch(/^ecs\./);
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('0');
    observationsPublisher.ack('o-1');
    publisher.ack(0);
    await flush();
    await flush();
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('3');
    expect(metrics.records.get({ topic: TOPIC, format: 'ecs', route: 'alert' })).toBe(1);
    expect(metrics.records.get({ topic: TOPIC, format: 'ecs', route: 'observation' })).toBe(1);
    expect(metrics.records.get({ topic: TOPIC, format: 'ecs', route: 'dead_letter' })).toBe(1);
  });

  it('retries a parsed record\'s failed publish and commits it only once the retry is stored', async () => {
    const { bridge, consumer, publisher, metrics } = await setup();
    await consumer.deliver(0, [message(0, ecsRecord('alert', 'a-0'))]).done;
    await flush();
    publisher.fail(0);
    await flush();
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('0'); // the first offset not yet stored
    expect(metrics.records.get({ topic: TOPIC, format: 'ecs', route: 'alert' })).toBe(0);
    await vi.waitFor(() => expect(publisher.pending.has('0')).toBe(true), { timeout: 2_000 });
    expect(publisher.attempts).toEqual(['a-0', 'a-0']);
    publisher.ack(0);
    await flush();
    await flush();
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('1');
    expect(metrics.records.get({ topic: TOPIC, format: 'ecs', route: 'alert' })).toBe(1);
    expect(metrics.publishErrors.get({ destination: 'pubsub' })).toBe(1);
  });

  it('consumes mapped topics beside the main one and commits each topic on its own', async () => {
    const { bridge, consumer, publisher } = await setup({ BRIDGE_TOPIC_FORMATS: 'ids=ecs' });
    expect(consumer.subscribe).toHaveBeenCalledWith({ topics: [TOPIC, 'ids'], fromBeginning: true });
    const batch = (topic: string, messages: KafkaMessage[]) =>
      consumer.deliver(0, messages, { batch: { ...fakeBatch(messages), topic } } as Partial<EachBatchPayload>).done;
    await batch('ids', [message(5, ecsRecord('alert', 'a-5'))]);
    await batch(TOPIC, [message(8)]);
    await flush();
    expect(publisher.attempts.sort()).toEqual(['a-5', 'e-8']);
    expect(publisher.pending.get('5')!.attributes.kafka_topic).toBe('ids');
    for (const entry of publisher.pending.values()) entry.done(null);
    await flush();
    await flush();
    await bridge.commit();
    const committed = consumer.commits.flat();
    expect(committed).toContainEqual({ topic: 'ids', partition: 0, offset: '6' });
    expect(committed).toContainEqual({ topic: TOPIC, partition: 0, offset: '9' });
  });

  it('commits only up to the first message Pub/Sub has not acknowledged', async () => {
    const { bridge, consumer, publisher } = await setup();
    const { done, resolveOffset } = consumer.deliver(0, [0, 1, 2, 3, 4].map((o) => message(o)));
    await done;
    // The fetch position moves on at once; the commit does not.
    expect(resolveOffset).toHaveBeenLastCalledWith('4');
    publisher.ack(2);
    publisher.ack(3);
    await flush();
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('0');
    publisher.ack(0);
    publisher.ack(1);
    await flush();
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('4');
    publisher.ack(4);
    await flush();
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('5');
    expect(consumer.commits.flat().every((c) => c.topic === TOPIC)).toBe(true);
  });

  it('publishes the original bytes with event_id and Kafka coordinates as attributes', async () => {
    const { consumer, publisher } = await setup();
    const raw = '{"event_id":"abc","event_type":"port_scan","extra":  [1, 2]}';
    await consumer.deliver(1, [message(7, raw)]).done;
    const entry = publisher.pending.get('7')!;
    expect(entry.data.toString()).toBe(raw);
    expect(entry.attributes).toEqual({
      event_id: 'abc',
      event_type: 'port_scan',
      kafka_topic: TOPIC,
      kafka_partition: '1',
      kafka_offset: '7',
      kafka_timestamp: '1700000000000',
    });
  });

  it('sends poison to the DLQ with the reason and origin, then treats it as done', async () => {
    const { bridge, consumer, publisher, sent, metrics } = await setup();
    await consumer.deliver(0, [message(0), message(1, '[1,2]'), message(2)]).done;
    publisher.ack(0);
    publisher.ack(2);
    await flush();
    expect(sent).toHaveLength(1);
    const record = sent[0]!;
    expect(record.topic).toBe('raw.dlq');
    const headers = record.messages[0]!.headers!;
    expect(headers['dlq.reason']).toBe('not_object');
    expect(headers['dlq.original.partition']).toBe('0');
    expect(headers['dlq.original.offset']).toBe('1');
    expect(headers.origin).toBe('test');
    expect(String(record.messages[0]!.value)).toBe('[1,2]');
    expect(metrics.deadLettered.get({ reason: 'not_object' })).toBe(1);
    expect(publisher.attempts).not.toContain(undefined);
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('3');
  });

  it('retries a failed publish instead of skipping it, and is not ready meanwhile', async () => {
    const { bridge, consumer, publisher, metrics } = await setup();
    expect(bridge.status().ready).toBe(true);
    await consumer.deliver(0, [message(0)]).done;
    publisher.fail(0);
    await flush();
    expect(bridge.status().ready).toBe(false);
    expect(bridge.status().lastPublishError).toBe('UNAVAILABLE');
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('0');
    await vi.waitFor(() => expect(publisher.pending.has('0')).toBe(true), { timeout: 2_000 });
    publisher.ack(0);
    await flush();
    expect(bridge.status().ready).toBe(true);
    expect(metrics.publishErrors.get({ destination: 'pubsub' })).toBe(1);
    expect(metrics.published.get()).toBe(1);
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('1');
  });

  it('reports the oldest in-flight message and the publish latency', async () => {
    let clock = 1_000_000;
    const { bridge, consumer, publisher, metrics } = await setup({ BRIDGE_PUBLISH_STALL_MS: '5000' }, () => clock);
    await consumer.deliver(0, [message(0), message(1)]).done;
    clock += 3_000;
    await consumer.deliver(1, [message(5)]).done;
    clock += 2_500;
    // Offset 0 and 1 have waited 5.5 s: past the stall limit, the bridge is not ready.
    expect(metrics.registry.render()).toContain('bridge_oldest_in_flight_seconds 5.5\n');
    expect(bridge.status().ready).toBe(false);
    publisher.ack(0);
    expect(bridge.status().ready).toBe(false); // offset 1 is still that old
    publisher.ack(1);
    expect(metrics.registry.render()).toContain('bridge_oldest_in_flight_seconds 2.5\n');
    expect(bridge.status().ready).toBe(true);
    publisher.ack(5);
    expect(metrics.registry.render()).toContain('bridge_oldest_in_flight_seconds 0\n');
    expect(metrics.publishLatency.observations).toBe(3);
    expect(metrics.registry.render()).toContain('bridge_publish_latency_seconds_sum 13.5\n');
  });

  it('stops reading when the in-flight window is full, and resumes as publishes complete', async () => {
    const { consumer, publisher, metrics } = await setup({ BRIDGE_MAX_IN_FLIGHT_MESSAGES: '2' });
    const { done } = consumer.deliver(0, [0, 1, 2, 3].map((o) => message(o)));
    await flush();
    expect(metrics.consumed.get()).toBe(2);
    publisher.ack(0);
    await flush();
    expect(metrics.consumed.get()).toBe(3);
    publisher.ack(1);
    await done;
    expect(metrics.consumed.get()).toBe(4);
  });

  it('drops a handler that outlived a rebalance: no hand-on, no fetch position moved', async () => {
    const { bridge, consumer, publisher, metrics } = await setup({ BRIDGE_MAX_IN_FLIGHT_MESSAGES: '1' });
    const { done, resolveOffset } = consumer.deliver(0, [0, 1, 2].map((o) => message(o)));
    await flush();
    expect(metrics.consumed.get()).toBe(1);
    consumer.join([0]); // the group rebalanced while the handler waited for room
    publisher.ack(0);
    await done;
    expect(metrics.consumed.get()).toBe(1);
    expect(resolveOffset).not.toHaveBeenCalled();
    // The old generation's acknowledgement does not count toward the new one's commits.
    await bridge.commit();
    expect(consumer.commits).toEqual([]);
  });

  it('stops within its budget: pauses fetching, drains, commits, disconnects', async () => {
    const { bridge, consumer, producer, publisher } = await setup();
    await consumer.deliver(0, [message(0), message(1)]).done;
    setTimeout(() => {
      publisher.ack(0);
      publisher.ack(1);
    }, 50);
    const started = Date.now();
    const result = await bridge.stop(2_000);
    expect(result.drained).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(consumer.pause).toHaveBeenCalledWith([{ topic: TOPIC }]);
    expect(consumer.lastCommit(0)).toBe('2');
    expect(consumer.disconnect).toHaveBeenCalled();
    expect(producer.disconnect).toHaveBeenCalled();
    expect(bridge.status().state).toBe('stopped');
  });

  it('gives up on undrained messages at the deadline without committing them', async () => {
    const { bridge, consumer } = await setup();
    await consumer.deliver(0, [message(0), message(1)]).done;
    const result = await bridge.stop(300);
    expect(result.drained).toBe(false);
    expect(consumer.lastCommit(0) ?? '0').toBe('0');
  });

  it('restarts a consumer kafkajs gave up on, and reports it fatal when that keeps failing', async () => {
    const { consumer, bridge } = await setup();
    const fatal = vi.fn();
    bridge.on('fatal', fatal);
    // kafkajs restarts by itself: nothing to do but report not ready.
    consumer.emitter.emit(consumer.events.CRASH, { payload: { error: new Error('boom'), restart: true } });
    expect(bridge.status().ready).toBe(false);
    expect(consumer.run).toHaveBeenCalledTimes(1);
    // kafkajs gave up (e.g. no coordinator while a broker restarts): the bridge runs it again.
    consumer.emitter.emit(consumer.events.CRASH, { payload: { error: new Error('gone'), restart: false } });
    await vi.waitFor(() => expect(consumer.run).toHaveBeenCalledTimes(2));
    consumer.join([0, 1]);
    expect(bridge.status().ready).toBe(true);
    expect(fatal).not.toHaveBeenCalled();
    // Crashing again and again without ever rejoining: fatal (the process exits non-zero).
    for (let i = 0; i <= MAX_CONSUMER_RESTARTS; i++) {
      consumer.emitter.emit(consumer.events.CRASH, { payload: { error: new Error(`bad ${i}`), restart: false } });
      await flush();
    }
    expect(fatal).toHaveBeenCalledWith(expect.objectContaining({ message: `bad ${MAX_CONSUMER_RESTARTS}` }));
  });
});

/** A Zeek conn.log (TSV) record of `rows` connections: one Kafka record, `rows` observations. */
const CONN_LOG = readFileSync(join(__dirname, '../../packages/events/samples/zeek-tsv/conn.log'), 'utf8').split('\n');
const CONN_HEADER = CONN_LOG.filter((line) => line.startsWith('#') && !line.startsWith('#close'));
const CONN_ROWS = CONN_LOG.filter((line) => line !== '' && !line.startsWith('#'));

function connRecord(offset: number, rows: number, firstRow: number): { message: KafkaMessage; ids: string[] } {
  const text = [...CONN_HEADER, ...CONN_ROWS.slice(firstRow, firstRow + rows)].join('\n');
  const parsed = parseRecord(text, { format: 'zeek-tsv' });
  if (!parsed.ok) throw new Error(parsed.message);
  expect(parsed.events.every((e) => e.event.kind !== 'alert')).toBe(true);
  const record = { ...message(offset, text), headers: { format: Buffer.from('zeek-tsv') } } as KafkaMessage;
  return { message: record, ids: parsed.events.map((e) => e.event.id) };
}

describe('Bridge: observations in batch messages', () => {
  it('gathers observations of several records into one message, and commits a record once the batch with its last observation is stored', async () => {
    const { bridge, consumer, observationsPublisher, metrics } = await setup({ BRIDGE_OBSERVATION_BATCH_MAX_MESSAGES: '4', BRIDGE_OBSERVATION_BATCH_LINGER_MS: '1000' });
    const r0 = connRecord(0, 3, 0);
    const r1 = connRecord(1, 3, 3);
    await consumer.deliver(0, [r0.message, r1.message]).done;
    // Four observations fill a batch: r0's three and r1's first; r1's other two wait in the next.
    expect(observationsPublisher.pending.map((p) => p.ids)).toEqual([[...r0.ids, r1.ids[0]]]);
    expect(observationsPublisher.pending[0]!.attributes).toEqual({ kind: 'observations', count: '4' });
    observationsPublisher.ack(r0.ids[0]!);
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('1'); // r0 done; r1 still has observations in the open batch
    bridge['observationBatcher']!.flush();
    expect(observationsPublisher.pending.map((p) => p.ids)).toEqual([r1.ids.slice(1)]);
    observationsPublisher.ack(r1.ids[1]!);
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('2');
    expect(metrics.records.get({ topic: TOPIC, format: 'zeek-tsv', route: 'observation' })).toBe(6);
    expect(metrics.observationBatches.get({ trigger: 'count' })).toBe(1);
    expect(metrics.observationBatches.get({ trigger: 'flush' })).toBe(1);
    expect(metrics.published.get()).toBe(2);
  });

  it('holds a record back while the later batch with its observations is not stored, even when that batch is acknowledged first', async () => {
    const { bridge, consumer, observationsPublisher } = await setup({ BRIDGE_OBSERVATION_BATCH_MAX_MESSAGES: '2', BRIDGE_OBSERVATION_BATCH_LINGER_MS: '1000' });
    const r0 = connRecord(0, 3, 0);
    await consumer.deliver(0, [r0.message]).done;
    bridge['observationBatcher']!.flush();
    expect(observationsPublisher.pending.map((p) => p.ids)).toEqual([r0.ids.slice(0, 2), r0.ids.slice(2)]);
    observationsPublisher.ack(r0.ids[2]!);
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('0');
    observationsPublisher.ack(r0.ids[0]!);
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('1');
  });

  it('retries a failed batch with the same observations and commits its records only once the retry is stored', async () => {
    const { bridge, consumer, observationsPublisher, metrics } = await setup({ BRIDGE_OBSERVATION_BATCH_MAX_MESSAGES: '3' });
    const r0 = connRecord(0, 3, 0);
    await consumer.deliver(0, [r0.message]).done;
    observationsPublisher.fail(r0.ids[0]!);
    await flush();
    expect(bridge.status().ready).toBe(false);
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('0');
    await vi.waitFor(() => expect(observationsPublisher.pending).toHaveLength(1), { timeout: 2_000 });
    expect(observationsPublisher.attempts).toEqual([r0.ids, r0.ids]);
    observationsPublisher.ack(r0.ids[0]!);
    await flush();
    await bridge.commit();
    expect(consumer.lastCommit(0)).toBe('1');
    expect(bridge.status().ready).toBe(true);
    expect(metrics.publishErrors.get({ destination: 'pubsub' })).toBe(1);
    expect(metrics.records.get({ topic: TOPIC, format: 'zeek-tsv', route: 'observation' })).toBe(3);
  });

  it('sends the open batch at once when reading must wait for room in the in-flight window', async () => {
    const { consumer, observationsPublisher, metrics } = await setup({ BRIDGE_MAX_IN_FLIGHT_MESSAGES: '2', BRIDGE_OBSERVATION_BATCH_LINGER_MS: '1000' });
    const records = [0, 1, 2].map((offset) => connRecord(offset, 1, offset));
    const { done } = consumer.deliver(0, records.map((r) => r.message));
    await flush();
    // Two records in flight, the third waits: lingering would hold the partition back for nothing.
    expect(metrics.consumed.get()).toBe(2);
    expect(observationsPublisher.pending.map((p) => p.ids)).toEqual([[records[0]!.ids[0], records[1]!.ids[0]]]);
    expect(metrics.observationBatches.get({ trigger: 'flush' })).toBe(1);
    observationsPublisher.ack(records[0]!.ids[0]!);
    await done;
    expect(metrics.consumed.get()).toBe(3);
  });

  it('sends the open batch at shutdown and commits its records once stored', async () => {
    const { bridge, consumer, observationsPublisher } = await setup({ BRIDGE_OBSERVATION_BATCH_LINGER_MS: '1000' });
    const r0 = connRecord(0, 2, 0);
    await consumer.deliver(0, [r0.message]).done;
    expect(observationsPublisher.pending).toHaveLength(0); // lingering
    setTimeout(() => observationsPublisher.ack(r0.ids[0]!), 50);
    const result = await bridge.stop(2_000);
    expect(result.drained).toBe(true);
    expect(observationsPublisher.attempts).toEqual([r0.ids]);
    expect(consumer.lastCommit(0)).toBe('1');
  });

  it('leaves alerts one per message on the events topic while observations batch', async () => {
    const { consumer, publisher, observationsPublisher } = await setup({ BRIDGE_OBSERVATION_BATCH_MAX_MESSAGES: '2' });
    await consumer.deliver(0, [message(0, ecsRecord('event', 'o-0')), message(1, ecsRecord('alert', 'a-1')), message(2, ecsRecord('event', 'o-2')), message(3)]).done;
    expect(observationsPublisher.pending.map((p) => p.ids)).toEqual([['o-0', 'o-2']]);
    expect(publisher.attempts).toEqual(['a-1', 'e-3']);
  });
});
