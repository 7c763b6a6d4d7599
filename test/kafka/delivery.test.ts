import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Collector,
  bridgeStream,
  createStreamTopics,
  event,
  eventIds,
  groupProgress,
  produce,
  startBridge,
  uniqueName,
  waitUntil,
  type BridgeProcess,
} from './helpers';

describe('bridge delivery', () => {
  const { topic, dlq, groupId, pubsubTopic, bridgeEnv } = bridgeStream();
  const ids = eventIds(uniqueName('evt'), 3000);
  const bodies = new Map(ids.map((id, i) => [id, JSON.stringify(event(id, { payload: { n: i, note: 'ünïcødé ✓' } }))]));
  let collector: Collector;
  let bridge: BridgeProcess;

  beforeAll(async () => {
    await createStreamTopics({ topic, dlq }, 6);
    collector = await Collector.create(pubsubTopic);
  });

  afterAll(async () => {
    if (bridge?.child.exitCode === null) await bridge.kill9();
    await collector?.close();
  });

  it('delivers every message, whatever its partition, with its bytes untouched', async () => {
    // Half is waiting before the bridge starts (a backlog), half arrives while it runs.
    const messages = ids.map((id) => ({ key: id, value: bodies.get(id)! }));
    await produce(topic, messages.slice(0, 1500));
    bridge = await startBridge(bridgeEnv);
    await bridge.waitReady();
    await produce(topic, messages.slice(1500));

    const missing = await collector.waitFor(ids, 60_000);
    expect(missing, bridge.logs()).toEqual([]);
    for (const id of ids) {
      const got = collector.received.get(id)!;
      expect(got.data.toString('utf8')).toBe(bodies.get(id));
      expect(got.attributes.event_id).toBe(id);
      expect(got.attributes.event_type).toBe('port_scan');
      expect(got.attributes.kafka_topic).toBe(topic);
      expect(Number(got.attributes.kafka_partition)).toBeGreaterThanOrEqual(0);
      expect(Number(got.attributes.kafka_partition)).toBeLessThan(6);
      expect(got.attributes.kafka_offset).toMatch(/^\d+$/);
    }
    // The 3000 messages really were spread over the partitions.
    const partitions = new Set([...collector.received.values()].map((r) => r.attributes.kafka_partition));
    expect(partitions.size).toBe(6);
  });

  it('reports what it did on /metrics and is ready on /readyz', async () => {
    expect(await bridge.readyz()).toBe(200);
    await waitUntil(async () => (await bridge.metric('bridge_in_flight_messages')) === 0, 10_000, 'in-flight to drain');
    const metrics = await bridge.metrics();
    expect(metrics.bridge_messages_consumed_total).toBeGreaterThanOrEqual(ids.length);
    expect(metrics.bridge_messages_published_total).toBeGreaterThanOrEqual(ids.length);
    expect(metrics.bridge_publish_errors_total).toBe(0);
    expect(metrics.bridge_publish_latency_seconds_count).toBe(metrics.bridge_messages_published_total);
    expect(metrics.bridge_ready).toBe(1);
    expect(Object.keys(metrics).filter((k) => k.startsWith('bridge_consumer_lag{'))).toHaveLength(6);
  });

  it('commits every partition to its end, and stops cleanly on SIGTERM within the budget', async () => {
    await waitUntil(
      async () => (await groupProgress(groupId, topic)).every((p) => p.committed === p.high),
      10_000,
      'offsets committed to the end of every partition',
    );
    const lag = await bridge.metrics();
    for (const [key, value] of Object.entries(lag)) if (key.startsWith('bridge_consumer_lag{')) expect(value, key).toBe(0);
    const { code, signal, ms } = await bridge.stop();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(8_000);
    expect(bridge.logs()).toContain('"bridge.stopped"');
  });
});
