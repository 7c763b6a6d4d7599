import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Collector,
  bridgeStream,
  createStreamTopics,
  event,
  groupProgress,
  kafkaClient,
  produce,
  startBridge,
  uniqueName,
  type BridgeProcess,
  type OutMessage,
} from './helpers';

interface DeadLetter {
  value: Buffer | null;
  headers: Record<string, string>;
}

async function readDeadLetters(topic: string, expected: number, timeoutMs: number): Promise<DeadLetter[]> {
  const consumer = kafkaClient().consumer({ groupId: uniqueName('dlq-reader') });
  const letters: DeadLetter[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${letters.length} of ${expected} dead letters arrived`)), timeoutMs);
    void consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('utf8') : String(v)]),
        );
        letters.push({ value: message.value, headers });
        if (letters.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return letters;
}

describe('poison messages', () => {
  const { topic, dlq, groupId, pubsubTopic, bridgeEnv } = bridgeStream();
  const prefix = uniqueName('ok');
  let collector: Collector;
  let bridge: BridgeProcess;

  // One partition, so every message has a known offset: valid events around each poison.
  const oversize = JSON.stringify(event('too-big', { payload: { blob: 'x'.repeat(70 * 1024) } }));
  const poisons: { value: OutMessage['value']; reason: string }[] = [
    { value: 'this is not json {', reason: 'not_json' },
    { value: JSON.stringify([event('in-an-array')]), reason: 'not_object' },
    { value: JSON.stringify({ timestamp: new Date().toISOString(), event_type: 'ddos', source_ip: '1.2.3.4' }), reason: 'missing_event_id' },
    { value: oversize, reason: 'too_large' },
    { value: JSON.stringify(event('has/slash')), reason: 'invalid_event_id' },
    { value: null, reason: 'empty' },
  ];
  const messages: OutMessage[] = [];
  const validIds: string[] = [];
  const poisonOffsets = new Map<string, number>();
  for (const [i, poison] of poisons.entries()) {
    for (let j = 0; j < 3; j++) {
      const id = `${prefix}-${i}-${j}`;
      validIds.push(id);
      messages.push({ key: id, value: JSON.stringify(event(id)) });
    }
    poisonOffsets.set(poison.reason, messages.length);
    messages.push({ key: `poison-${i}`, value: poison.value, headers: { 'x-producer': 'test-suite' } });
  }
  const tailId = `${prefix}-tail`;
  validIds.push(tailId);
  messages.push({ key: tailId, value: JSON.stringify(event(tailId)) });

  beforeAll(async () => {
    await createStreamTopics({ topic, dlq }, 1);
    collector = await Collector.create(pubsubTopic);
    await produce(topic, messages);
    bridge = await startBridge(bridgeEnv);
    await bridge.waitReady();
  });

  afterAll(async () => {
    if (bridge?.child.exitCode === null) await bridge.stop();
    await collector?.close();
  });

  it('lets every valid event around the poison through, and nothing else', async () => {
    expect(await collector.waitFor(validIds, 30_000), bridge.logs()).toEqual([]);
    // Give stragglers a moment: no poison may reach Pub/Sub.
    await new Promise((r) => setTimeout(r, 500));
    expect([...collector.received.keys()].sort()).toEqual([...validIds].sort());
  });

  it('sends each poison message to the DLQ with the reason and its origin in headers', async () => {
    const letters = await readDeadLetters(dlq, poisons.length, 30_000);
    expect(letters).toHaveLength(poisons.length);
    const byReason = new Map(letters.map((l) => [l.headers['dlq.reason'], l]));
    for (const [i, poison] of poisons.entries()) {
      const letter = byReason.get(poison.reason);
      expect(letter, `dead letter for ${poison.reason}`).toBeDefined();
      expect(letter!.headers['dlq.original.topic']).toBe(topic);
      expect(letter!.headers['dlq.original.partition']).toBe('0');
      expect(letter!.headers['dlq.original.offset']).toBe(String(poisonOffsets.get(poison.reason)));
      expect(letter!.headers['dlq.detail']!.length).toBeGreaterThan(0);
      expect(letter!.headers['x-producer']).toBe('test-suite'); // the producer's own headers are kept
      const original = poison.value === null ? null : Buffer.from(poison.value as string);
      if (original === null) expect(letter!.value === null || letter!.value.length === 0).toBe(true);
      else expect(letter!.value?.equals(original), `bytes of poison ${i}`).toBe(true);
    }
    expect(await bridge.metric('bridge_messages_dead_lettered_total')).toBe(poisons.length);
  });

  it('commits past the poison: the stream never stalls', async () => {
    const deadline = Date.now() + 10_000;
    let progress = await groupProgress(groupId, topic);
    while (progress[0]!.committed !== messages.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      progress = await groupProgress(groupId, topic);
    }
    expect(progress).toEqual([{ partition: 0, high: messages.length, committed: messages.length }]);
  });
});
