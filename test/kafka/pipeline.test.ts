/**
 * The whole path, inside `firebase emulators:exec`: Kafka → bridge (killed with -9 half-way and
 * restarted) → Pub/Sub `security-events` → the ingest function → Firestore: exactly one threat
 * per event. Outside the emulator suite (no FIRESTORE_EMULATOR_HOST) there are no functions to
 * reach, and this file is skipped.
 */
import { inject, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulation } from '../../tools/simulator/scenarios';
import {
  Collector,
  bridgeStream,
  createStreamTopics,
  produce,
  PROJECT_ID,
  startBridge,
  waitUntil,
  type BridgeProcess,
} from './helpers';

const firestoreHost = inject('firestoreEmulatorHost');
const COUNT = 40;

/** How many threats documents carry each event_id (Firestore emulator REST API, as the owner). */
async function threatCounts(eventIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < eventIds.length; i += 30) {
    const chunk = eventIds.slice(i, i + 30);
    const response = await fetch(
      `http://${firestoreHost}/v1/projects/${PROJECT_ID}/databases/(default)/documents:runQuery`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
        body: JSON.stringify({
          structuredQuery: {
            from: [{ collectionId: 'threats' }],
            where: {
              fieldFilter: {
                field: { fieldPath: 'event_id' },
                op: 'IN',
                value: { arrayValue: { values: chunk.map((id) => ({ stringValue: id })) } },
              },
            },
          },
        }),
      },
    );
    if (!response.ok) throw new Error(`runQuery: ${response.status} ${await response.text()}`);
    const rows = (await response.json()) as { document?: { fields: { event_id: { stringValue: string } } } }[];
    for (const row of rows) {
      const id = row.document?.fields.event_id.stringValue;
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

describe.runIf(firestoreHost)('Kafka → bridge → functions → Firestore', () => {
  const { topic, dlq, bridgeEnv } = bridgeStream('security-events');
  const simulation = new Simulation({ seed: Math.floor(Math.random() * 2 ** 32), scenario: 'brute-force', benignRatio: 0 });
  const events = Array.from({ length: COUNT }, () => simulation.next().event);
  const ids = events.map((e) => e.event_id);
  const env = {
    ...bridgeEnv,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    // Slow enough to be killed half-way.
    BRIDGE_MAX_IN_FLIGHT_MESSAGES: '10',
    PUBSUB_BATCH_MAX_MESSAGES: '5',
  };
  let observer: Collector;
  const bridges: BridgeProcess[] = [];

  beforeAll(async () => {
    await createStreamTopics({ topic, dlq }, 3);
    // Watches security-events beside the functions' own subscription (the functions emulator created the topic).
    observer = await Collector.create('security-events', { createTopic: false });
  });

  afterAll(async () => {
    for (const bridge of bridges) if (bridge.child.exitCode === null) await bridge.kill9();
    await observer?.close(false);
  });

  it('turns each event into exactly one threat, through a kill -9 of the bridge', async () => {
    await produce(topic, events.map((e) => ({ key: e.event_id, value: JSON.stringify(e) })));
    const first = await startBridge(env, 'bridge-pipeline-1');
    bridges.push(first);
    await waitUntil(() => observer.received.size >= COUNT / 3, 60_000, 'a third of the events on security-events');
    await first.kill9();
    const second = await startBridge(env, 'bridge-pipeline-2');
    bridges.push(second);
    expect(await observer.waitFor(ids, 60_000), second.logs()).toEqual([]);

    let counts = new Map<string, number>();
    await waitUntil(
      async () => {
        counts = await threatCounts(ids);
        return counts.size === ids.length;
      },
      90_000,
      `a threat for each of the ${COUNT} events`,
    ).catch((error) => {
      throw new Error(`${(error as Error).message}: ${counts.size} of ${COUNT} threats found`);
    });
    for (const id of ids) expect(counts.get(id), id).toBe(1);
    await second.stop();
  }, 240_000);
});
