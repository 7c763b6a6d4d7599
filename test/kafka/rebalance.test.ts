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

const TOTAL = 10_000;

/** Scale out to two bridges in one group mid-stream, then back in to one: nothing is lost. */
describe('rebalancing between two bridges', () => {
  const { topic, dlq, groupId, pubsubTopic, bridgeEnv } = bridgeStream();
  const ids = eventIds(uniqueName('rebal'), TOTAL);
  const env = {
    ...bridgeEnv,
    KAFKA_PARTITIONS_CONCURRENCY: '3',
    PUBSUB_BATCH_MAX_MS: '200',
  };
  let collector: Collector;
  const bridges: BridgeProcess[] = [];

  beforeAll(async () => {
    await createStreamTopics({ topic, dlq }, 6);
    collector = await Collector.create(pubsubTopic);
  });

  afterAll(async () => {
    for (const bridge of bridges) if (bridge.child.exitCode === null) await bridge.kill9();
    await collector?.close();
  });

  it('shares the partitions, hands them back, and delivers every event', async () => {
    const message = (id: string) => ({ key: id, value: JSON.stringify(event(id)) });
    await produce(topic, ids.slice(0, 2_000).map(message));
    const a = await startBridge(env, 'bridge-a');
    bridges.push(a);
    const producing = (async () => {
      for (let i = 2_000; i < TOTAL; i += 200) {
        await produce(topic, ids.slice(i, i + 200).map(message));
        await sleep(150);
      }
    })();
    await waitUntil(async () => (await a.metric('bridge_messages_published_total').catch(() => 0)) >= 1_500, 30_000, 'A busy');

    // Scale out: B joins the group, the partitions are split between A and B.
    const b = await startBridge(env, 'bridge-b');
    bridges.push(b);
    const assigned = async (bridge: BridgeProcess) =>
      ((await (await fetch(`http://127.0.0.1:${bridge.port}/readyz`)).json()) as { assignedPartitions: number[] }).assignedPartitions;
    await waitUntil(
      async () => (await assigned(b).catch(() => [])).length > 0 && (await assigned(a).catch(() => [])).length < 6,
      30_000,
      'the partitions split between A and B',
    );
    const split = [...(await assigned(a)), ...(await assigned(b))].sort((x, y) => x - y);
    expect(split).toEqual([0, 1, 2, 3, 4, 5]);

    // Both work for a while, then scale in while the stream goes on: A leaves gracefully and B
    // takes everything.
    const bBefore = await b.metric('bridge_messages_published_total');
    await waitUntil(async () => (await b.metric('bridge_messages_published_total')) > bBefore, 20_000, 'B publishing');
    let finished = false;
    void producing.then(() => (finished = true));
    expect(finished, 'the stream should still be running when A leaves').toBe(false);
    const stopped = await a.stop();
    expect(stopped.code).toBe(0);
    await waitUntil(async () => (await assigned(b)).length === 6, 30_000, 'B owning all partitions');

    await producing;
    const missing = await collector.waitFor(ids, 60_000);
    expect(missing.length, `missing ${missing.slice(0, 5).join(', ')}\n${b.logs()}`).toBe(0);
    expect(collector.received.size).toBe(TOTAL);
    expect(await b.metric('bridge_messages_published_total')).toBeGreaterThan(0);
    expect(await b.metric('bridge_group_joins_total')).toBeGreaterThanOrEqual(2);
    await waitUntil(
      async () => (await groupProgress(groupId, topic)).every((p) => p.committed === p.high),
      15_000,
      'offsets committed to the end',
    );
    console.log(`[rebalance] ${collector.duplicates()} duplicates across the two rebalances; all ${TOTAL} present`);
  });
});
