import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Collector,
  bridgeStream,
  createStreamTopics,
  event,
  eventIds,
  groupProgress,
  produce,
  sleep,
  startBridge,
  uniqueName,
  waitUntil,
  type BridgeProcess,
} from './helpers';

/** Pub/Sub refuses every publish (the topic does not exist yet), then recovers. */
describe('publish failures', () => {
  const { topic, dlq, groupId, pubsubTopic, bridgeEnv } = bridgeStream(uniqueName('events-late'));
  const ids = eventIds(uniqueName('retry'), 500);
  let bridge: BridgeProcess;
  let collector: Collector | undefined;

  beforeAll(async () => {
    await createStreamTopics({ topic, dlq }, 3);
    await produce(topic, ids.map((id) => ({ key: id, value: JSON.stringify(event(id)) })));
  });

  afterAll(async () => {
    if (bridge?.child.exitCode === null) await bridge.kill9();
    await collector?.close();
  });

  it('retries without skipping, holds its offsets and reports not ready until Pub/Sub is back', async () => {
    bridge = await startBridge({
      ...bridgeEnv,
      BRIDGE_MAX_IN_FLIGHT_MESSAGES: '200',
    });
    await waitUntil(async () => (await bridge.metric('bridge_publish_errors_total').catch(() => 0)) > 0, 30_000, 'publish errors');
    await sleep(1_500);
    const failing = await bridge.metrics();
    expect(await bridge.readyz()).toBe(503);
    expect(failing.bridge_messages_published_total).toBe(0);
    // Bounded: it read only as much as its in-flight window holds, and committed nothing.
    expect(failing.bridge_messages_consumed_total).toBeLessThanOrEqual(200);
    expect(failing.bridge_in_flight_messages).toBeGreaterThan(0);
    for (const p of await groupProgress(groupId, topic)) expect(p.committed <= 0, `partition ${p.partition}`).toBe(true);
    expect(bridge.child.exitCode).toBeNull();

    // Pub/Sub comes back: the same messages go through, nothing was dropped meanwhile. The
    // bridge is frozen while the topic and the test's subscription are created, so no publish
    // can land in between (it would reach the topic but not the subscription).
    process.kill(bridge.child.pid!, 'SIGSTOP');
    try {
      collector = await Collector.create(pubsubTopic);
    } finally {
      process.kill(bridge.child.pid!, 'SIGCONT');
    }
    const missing = await collector.waitFor(ids, 60_000);
    expect(missing.length, bridge.logs()).toBe(0);
    await bridge.waitReady(15_000);
    await waitUntil(
      async () => (await groupProgress(groupId, topic)).every((p) => p.committed === p.high),
      15_000,
      'offsets committed after recovery',
    );
    expect(await bridge.metric('bridge_publish_errors_total')).toBeGreaterThan(0);
    expect(bridge.logs()).toContain('publish.failed.retrying');
  });
});
