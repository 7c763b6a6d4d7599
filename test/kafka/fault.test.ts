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
const BACKLOG = 2_000;

describe('kill -9 in the middle of 10,000 messages', () => {
  const { topic, dlq, groupId, pubsubTopic, bridgeEnv } = bridgeStream();
  const ids = eventIds(uniqueName('fault'), TOTAL);
  const env = {
    ...bridgeEnv,
    // The killed member is only evicted after its session times out: keep it short.
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    // Messages wait up to 500 ms in the publisher's batch, so at any moment many have been read
    // (and their fetch position moved on) but are not yet on Pub/Sub: a bridge that committed
    // what it read rather than what Pub/Sub acknowledged would lose those at the kill. Short
    // fetch waits keep commits (queued behind fetches on the broker connection) prompt.
    PUBSUB_BATCH_MAX_MS: '500',
    KAFKA_MAX_WAIT_MS: '100',
    PUBSUB_BATCH_MAX_MESSAGES: '1000',
  };
  let collector: Collector;
  let first: BridgeProcess;
  let second: BridgeProcess | undefined;

  beforeAll(async () => {
    await createStreamTopics({ topic, dlq }, 6);
    // The subscription exists before anything is produced: it sees every publish.
    collector = await Collector.create(pubsubTopic);
  });

  afterAll(async () => {
    for (const bridge of [first, second]) if (bridge && bridge.child.exitCode === null) await bridge.kill9();
    await collector?.close();
  });

  it('loses nothing: every event_id reaches Pub/Sub after a restart', async () => {
    const message = (id: string) => ({ key: id, value: JSON.stringify(event(id)) });
    // A backlog is waiting when the bridge starts; a producer streams the rest through the kill.
    await produce(topic, ids.slice(0, BACKLOG).map(message));
    first = await startBridge(env, 'bridge-killed');
    const producing = (async () => {
      for (let i = BACKLOG; i < TOTAL; i += 200) {
        await produce(topic, ids.slice(i, i + 200).map(message));
        await sleep(80);
      }
    })();

    // Kill it while it is busy: past 3,000 published, with publishes in flight, and right after
    // an offset commit went through (the moment a commit of unacknowledged offsets would hurt).
    let atKill = { published: 0, inFlight: 0, committed: 0 };
    let commitsSeen = 0;
    await waitUntil(
      async () => {
        const metrics = await first.metrics().catch(() => undefined);
        if (!metrics) return false;
        const committed = Object.entries(metrics)
          .filter(([key]) => key.startsWith('bridge_committed_offset{'))
          .reduce((sum, [, value]) => sum + value, 0);
        const commits = metrics['bridge_offset_commits_total{result="ok"}'] ?? 0;
        const justCommitted = commits > commitsSeen;
        commitsSeen = commits;
        atKill = { published: metrics.bridge_messages_published_total!, inFlight: metrics.bridge_in_flight_messages!, committed };
        return atKill.published >= 3_000 && atKill.inFlight >= 50 && committed > 0 && justCommitted;
      },
      60_000,
      '3,000 published, offsets committed and publishes in flight',
      5,
    );
    await first.kill9();
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    const progressAtKill = await groupProgress(groupId, topic);
    const committedAtKill = progressAtKill.reduce((sum, p) => sum + Math.max(0, p.committed), 0);
    const producedAtKill = progressAtKill.reduce((sum, p) => sum + p.high, 0);
    // Mid-stream for real: messages were in flight, and much of the stream was still to come.
    expect(atKill.inFlight).toBeGreaterThanOrEqual(50);
    expect(producedAtKill).toBeLessThan(TOTAL);

    second = await startBridge(env, 'bridge-restarted');
    await producing;
    const missing = await collector.waitFor(ids, 90_000);
    expect(missing.length, `missing e.g. ${missing.slice(0, 5).join(', ')}\n${second.logs()}`).toBe(0);
    // Nothing that was not produced shows up.
    expect(collector.received.size).toBe(TOTAL);

    // And the restarted bridge commits to the end of every partition.
    await waitUntil(
      async () => (await groupProgress(groupId, topic)).every((p) => p.committed === p.high),
      15_000,
      'offsets committed to the end',
    );
    console.log(
      `[fault] kill -9 at ${atKill.published} published, ${atKill.inFlight} in flight, ${committedAtKill} committed, ` +
        `${producedAtKill} produced; ` +
        `${collector.duplicates()} redelivered duplicates; all ${TOTAL} present`,
    );
  });
});
