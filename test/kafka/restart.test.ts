import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, type RunningKafka } from '../../tools/kafka/broker.mjs';
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
import { freePort, ROOT } from './ports';

/** This file runs its own broker, so stopping it disturbs no other test. */
describe('broker restart while the bridge runs', () => {
  const { topic, dlq, groupId, pubsubTopic, bridgeEnv } = bridgeStream();
  const before = eventIds(uniqueName('before'), 1000);
  const after = eventIds(uniqueName('after'), 1000);
  const dataDir = mkdtempSync(join(ROOT, '.cache/kafka-restart-'));
  let ports: { port: number; controllerPort: number };
  let kafka: RunningKafka;
  let collector: Collector;
  let bridge: BridgeProcess;

  beforeAll(async () => {
    ports = { port: await freePort(), controllerPort: await freePort() };
    kafka = await startKafka({ ...ports, dataDir, topics: [], external: false });
    await createStreamTopics({ topic, dlq }, 3, kafka.brokers);
    collector = await Collector.create(pubsubTopic);
  });

  afterAll(async () => {
    if (bridge?.child.exitCode === null) await bridge.kill9();
    await kafka?.stop({ signal: 'SIGKILL' });
    await collector?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps running through the outage and delivers everything from before and after it', async () => {
    const brokers = kafka.brokers;
    bridge = await startBridge({
      KAFKA_BROKERS: brokers.join(','),
      ...bridgeEnv,
    }, 'bridge-restart');
    await bridge.waitReady();
    await produce(topic, before.map((id) => ({ key: id, value: JSON.stringify(event(id)) })), brokers);
    expect(await collector.waitFor(before, 30_000), bridge.logs()).toEqual([]);

    // Outage: the broker goes away for a few seconds, the bridge stays up.
    await kafka.stop();
    await sleep(4_000);
    expect(bridge.child.exitCode, bridge.logs()).toBeNull();
    kafka = await startKafka({ ...ports, dataDir, keepData: true, topics: [], external: false });

    await produce(topic, after.map((id) => ({ key: id, value: JSON.stringify(event(id)) })), brokers);
    const missing = await collector.waitFor([...before, ...after], 90_000);
    expect(missing.length, `missing ${missing.slice(0, 5).join(', ')}\n${bridge.logs()}`).toBe(0);
    expect(bridge.child.exitCode).toBeNull();
    await bridge.waitReady(30_000);
    await waitUntil(
      async () => (await groupProgress(groupId, topic, brokers)).every((p) => p.committed === p.high && p.high > 0),
      30_000,
      'offsets committed to the end after the restart',
    );
    const { code } = await bridge.stop();
    expect(code).toBe(0);
  });
});
