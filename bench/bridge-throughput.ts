/**
 * Bridge throughput and memory, next to its two halves measured alone on the same broker and
 * emulator in the same run.
 *
 *   npx tsx bench/bridge-throughput.ts [--messages 100000] [--rounds 3] [--backlog 200000] [--profile DIR]
 *
 * Part 1 (rounds × three measurements, median reported), all on the same preloaded topic:
 *   bare consumer   a kafkajs consumer group whose eachBatch does nothing     (messages/s)
 *   bare publisher  publishes pre-made messages (the same bytes and attributes) to Pub/Sub with
 *                   the bridge's batching and in-flight bound, until every publish resolved
 *   bridge          node bridge/lib/main.js from its first consumed message until every message
 *                   is acknowledged by Pub/Sub and its offset committed
 *   ratio           bridge / min(bare consumer, bare publisher), target ≥ 0.8
 * Part 2: peak RSS (VmHWM) of the bridge process draining a backlog of --backlog messages.
 *
 * Starts its own Kafka broker and Pub/Sub emulator on free ports, or uses KAFKA_BROKERS and
 * PUBSUB_EMULATOR_HOST when set. Needs `npm run build` (bridge/lib).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PubSub } from '@google-cloud/pubsub';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startKafka } from '../tools/kafka/broker.mjs';
import { Simulation } from '../tools/simulator/scenarios';

const ROOT = join(__dirname, '..');
export const PROJECT = 'demo-threatstream';
export const PUBSUB_EMULATOR = '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';
// The bridge's defaults (bridge/src/config.ts), so the bare publisher is configured the same way.
const BATCHING = { maxMessages: 500, maxBytes: 4 * 1024 * 1024, maxMilliseconds: 20 };
const MAX_IN_FLIGHT = 5_000;
const BRIDGE_NODE_FLAGS: string[] = [];
/** Every rate is measured from 10% to 100% of the messages, leaving out connection set-up and JIT warm-up. */
const WARM_UP = 0.1;

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    backlog: { type: 'string', default: '200000' },
    partitions: { type: 'string', default: '6' },
    /** Writes a V8 CPU profile of each part-1 bridge run into this directory (node --cpu-prof). */
    profile: { type: 'string' },
  },
});
const N = Number(args.messages);
const ROUNDS = Number(args.rounds);
const BACKLOG = Number(args.backlog);
const PARTITIONS = Number(args.partitions);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let nameSeq = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${nameSeq++}`;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
    });
    if (open) return;
    await sleep(200);
  }
  throw new Error(`port ${port} did not open`);
}

/** Realistic events from the simulator, serialised once. */
function makeMessages(n: number, seed: number): { key: string; value: Buffer; eventId: string; eventType: string }[] {
  const sim = new Simulation({ seed });
  return Array.from({ length: n }, () => {
    const { event } = sim.next();
    return { key: event.event_id, value: Buffer.from(JSON.stringify(event)), eventId: event.event_id, eventType: event.event_type };
  });
}

async function preload(kafka: Kafka, topic: string, n: number, seed: number) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }, { topic: `${topic}.dlq`, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const chunk = 20_000;
  for (let i = 0; i < n; i += chunk) {
    const messages = makeMessages(Math.min(chunk, n - i), seed + i).map(({ key, value }) => ({ key, value }));
    const sends = [];
    for (let j = 0; j < messages.length; j += 2_000) sends.push(producer.send({ topic, acks: 1, messages: messages.slice(j, j + 2_000) }));
    await Promise.all(sends);
  }
  await producer.disconnect();
}

async function bareConsumer(kafka: Kafka, topic: string, n: number): Promise<Measure> {
  const consumer = kafka.consumer({ groupId: unique('bench-bare'), maxBytesPerPartition: 1024 * 1024, maxBytes: 8 * 1024 * 1024, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let count = 0;
  let from = 0;
  let fromCount = 0;
  let last = 0;
  let cpuFrom = process.cpuUsage();
  await new Promise<void>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 2,
      eachBatch: async ({ batch }) => {
        count += batch.messages.length;
        if (!from && count >= WARM_UP * n) {
          from = performance.now();
          fromCount = count;
          cpuFrom = process.cpuUsage();
        }
        if (count >= n) {
          last = performance.now();
          resolve();
        }
      },
    });
  });
  const cpu = process.cpuUsage(cpuFrom);
  await consumer.disconnect();
  return { rate: ((count - fromCount) * 1000) / (last - from), cpuUsPerMessage: (cpu.user + cpu.system) / (count - fromCount) };
}

async function barePublisher(pubsub: PubSub, topicName: string, messages: ReturnType<typeof makeMessages>): Promise<Measure> {
  const [topic] = await pubsub.topic(topicName).get({ autoCreate: true });
  topic.setPublishOptions({ batching: BATCHING, messageOrdering: false });
  // Warm the channel so set-up is not counted (the bridge's timing starts at its first message too).
  await topic.publishMessage({ data: Buffer.from('{}'), attributes: { event_id: 'warm-up' } });
  let inFlight = 0;
  let acked = 0;
  let from = 0;
  let cpuFrom = process.cpuUsage();
  let wake: (() => void) | undefined;
  const pending: Promise<unknown>[] = [];
  for (const [i, m] of messages.entries()) {
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
    inFlight++;
    pending.push(
      topic
        .publishMessage({ data: m.value, attributes: { event_id: m.eventId, event_type: m.eventType, kafka_topic: 'bench', kafka_partition: String(i % PARTITIONS), kafka_offset: String(i), kafka_timestamp: String(Date.now()) } })
        .finally(() => {
          if (++acked === Math.ceil(WARM_UP * messages.length)) {
            from = performance.now();
            cpuFrom = process.cpuUsage();
          }
          inFlight--;
          wake?.();
          wake = undefined;
        }),
    );
  }
  await Promise.all(pending);
  const cpu = process.cpuUsage(cpuFrom);
  const counted = messages.length - Math.ceil(WARM_UP * messages.length);
  return { rate: (counted * 1000) / (performance.now() - from), cpuUsPerMessage: (cpu.user + cpu.system) / counted };
}

export interface Measure {
  rate: number;
  /** CPU time of the measuring process per message (the bridge's own process for the bridge). */
  cpuUsPerMessage: number;
}

export interface BridgeRun extends Measure {
  seconds: number;
  /** From the last acknowledgement to offsets committed to the end (the commit interval). */
  commitSeconds: number;
  /** Share of one core the bridge process used while moving the messages. */
  cpuShare: number;
  peakRss: number;
  samples: { progress: number; rss: number }[];
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function metrics(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [key, value] = line.split(' ');
    out[key!] = Number(value);
  }
  return out;
}

export async function runBridge(
  env: Record<string, string>,
  topic: string,
  pubsubTopic: string,
  n: number,
  nodeFlags: string[] = BRIDGE_NODE_FLAGS,
): Promise<BridgeRun> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, join(ROOT, 'bridge/lib/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      KAFKA_GROUP_ID: unique('bench-bridge'),
      PUBSUB_TOPIC: pubsubTopic,
      GOOGLE_CLOUD_PROJECT: PROJECT,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    let first = 0;
    let firstCount = 0;
    let acked = 0;
    let cpuAtFirst = 0;
    let cpuAtAcked = 0;
    let committed = 0;
    const samples: { progress: number; rss: number }[] = [];
    let nextSample = 0;
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`bridge exited with ${child.exitCode}`);
      const m = await metrics(port).catch(() => undefined);
      if (m) {
        const consumed = m.bridge_messages_consumed_total ?? 0;
        const published = m.bridge_messages_published_total ?? 0;
        if (!first && published >= WARM_UP * n) {
          first = performance.now();
          firstCount = published;
          cpuAtFirst = cpuSeconds(child.pid!);
        }
        if (published >= nextSample * n) {
          samples.push({ progress: published / n, rss: procStatus(child.pid!, 'VmRSS') });
          nextSample += 0.25;
        }
        // Every message consumed and acknowledged by Pub/Sub: the throughput clock stops here.
        if (!acked && published >= n) {
          acked = performance.now();
          cpuAtAcked = cpuSeconds(child.pid!);
        }
        const lagged = Object.entries(m).some(([k, v]) => k.startsWith('bridge_consumer_lag{') && v > 0);
        if (acked && !lagged && m.bridge_in_flight_messages === 0) {
          committed = performance.now();
          break;
        }
      }
      await sleep(10);
    }
    if (!committed) throw new Error('the bridge did not finish in 10 minutes');
    // A window that measured nothing (everything acknowledged before the warm-up sample, or in
    // the same sample) has no rate: fail rather than report 0/s or Infinity/s as a figure.
    if (!(firstCount < n && acked > first)) {
      throw new Error(`nothing measured: ${firstCount} of ${n} already acknowledged at the warm-up mark, ${(acked - first).toFixed(0)} ms from there to the end`);
    }
    return {
      rate: ((n - firstCount) * 1000) / (acked - first),
      seconds: (acked - first) / 1000,
      cpuUsPerMessage: ((cpuAtAcked - cpuAtFirst) * 1e6) / (n - firstCount),
      commitSeconds: (committed - acked) / 1000,
      cpuShare: (cpuAtAcked - cpuAtFirst) / ((acked - first) / 1000),
      peakRss: procStatus(child.pid!, 'VmHWM'),
      samples,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/**
 * A Kafka broker (KAFKA_BROKERS, or a local one on free ports) and a Pub/Sub emulator
 * (PUBSUB_EMULATOR_HOST, or one started here), with clients and the bridge's environment.
 * What it starts is added to `cleanups`, for the caller to run in reverse.
 */
export async function startBenchBackends(cleanups: (() => Promise<void>)[]) {
  const kafkaInfo = process.env.KAFKA_BROKERS
    ? await startKafka({ topics: [] })
    : await startKafka({ port: await freePort(), controllerPort: await freePort(), topics: [], external: false });
  cleanups.push(() => kafkaInfo.stop());
  let emulatorHost = process.env.PUBSUB_EMULATOR_HOST;
  if (!emulatorHost) {
    const port = await freePort();
    const emulator = spawn(PUBSUB_EMULATOR, ['--host=127.0.0.1', `--port=${port}`], { stdio: 'ignore', detached: true });
    cleanups.push(async () => {
      try {
        process.kill(-emulator.pid!, 'SIGTERM');
      } catch {}
    });
    await waitForPort(port, 60_000);
    emulatorHost = `127.0.0.1:${port}`;
  }
  process.env.PUBSUB_EMULATOR_HOST = emulatorHost;
  const kafka = new Kafka({ clientId: 'bench', brokers: kafkaInfo.brokers, logLevel: logLevel.NOTHING });
  const pubsub = new PubSub({ projectId: PROJECT });
  const env = { KAFKA_BROKERS: kafkaInfo.brokers.join(','), PUBSUB_EMULATOR_HOST: emulatorHost };
  return { kafkaInfo, emulatorHost, kafka, pubsub, env };
}

async function main() {
  if (!existsSync(join(ROOT, 'bridge/lib/main.js'))) throw new Error('build first: npm run build');
  const cleanups: (() => Promise<void>)[] = [];
  const t0 = Date.now();
  const { kafkaInfo, emulatorHost, kafka, pubsub, env } = await startBenchBackends(cleanups);

  try {
    console.log(`bridge benchmark · ${N} messages × ${ROUNDS} rounds · ${PARTITIONS} partitions · node ${process.version}`);
    console.log(`Kafka ${kafkaInfo.brokers.join(',')} (${kafkaInfo.external ? 'external' : `local broker, started in ${kafkaInfo.startMs} ms`}) · Pub/Sub emulator ${emulatorHost}`);
    const topic = unique('bench-raw');
    const messages = makeMessages(N, 1);
    const avgBytes = messages.reduce((s, m) => s + m.value.length, 0) / N;
    await preload(kafka, topic, N, 1);
    console.log(`preloaded ${fmt(N)} simulator events (avg ${avgBytes.toFixed(0)} bytes) in ${((Date.now() - t0) / 1000).toFixed(1)} s since start\n`);

    const results = { consumer: [] as Measure[], publisher: [] as Measure[], bridge: [] as Measure[] };
    for (let round = 1; round <= ROUNDS; round++) {
      const consumer = await bareConsumer(kafka, topic, N);
      const publisher = await barePublisher(pubsub, unique('bench-bare-pub'), messages);
      const pubsubTopic = unique('bench-bridge-pub');
      await pubsub.topic(pubsubTopic).create();
      const profileFlags = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : BRIDGE_NODE_FLAGS;
      const bridge = await runBridge(env, topic, pubsubTopic, N, profileFlags);
      results.consumer.push(consumer);
      results.publisher.push(publisher);
      results.bridge.push(bridge);
      console.log(
        `round ${round}: ratio ${(bridge.rate / Math.min(consumer.rate, publisher.rate)).toFixed(2)} · ` +
          `bare consumer ${fmt(consumer.rate)}/s · bare publisher ${fmt(publisher.rate)}/s · ` +
          `bridge ${fmt(bridge.rate)}/s (${bridge.seconds.toFixed(2)} s at ${Math.round(bridge.cpuShare * 100)}% of a core; offsets committed to the end ${bridge.commitSeconds.toFixed(2)} s later)`,
      );
    }
    const c = median(results.consumer.map((m) => m.rate));
    const p = median(results.publisher.map((m) => m.rate));
    const b = median(results.bridge.map((m) => m.rate));
    const cpu = (ms: Measure[]) => median(ms.map((m) => m.cpuUsPerMessage)).toFixed(1);
    const slower = Math.min(c, p);
    const ratio = b / slower;
    console.log('\nPart 1 — throughput (median of rounds, messages/s, measured from 10% to 100% of the messages)');
    console.log(`  bare kafkajs consumer   ${fmt(c).padStart(9)}   CPU ${cpu(results.consumer).padStart(5)} µs/message`);
    console.log(`  bare Pub/Sub publisher  ${fmt(p).padStart(9)}   CPU ${cpu(results.publisher).padStart(5)} µs/message`);
    console.log(`  bridge end to end       ${fmt(b).padStart(9)}   CPU ${cpu(results.bridge).padStart(5)} µs/message   (consumed → acknowledged by Pub/Sub)`);
    console.log(`  ratio bridge / min(consumer, publisher) = ${fmt(b)} / ${fmt(slower)} = ${ratio.toFixed(2)}  (target ≥ 0.80: ${ratio >= 0.8 ? 'MET' : 'NOT MET'})`);

    console.log(`\nPart 2 — memory draining a ${fmt(BACKLOG)}-message backlog`);
    const idleTopic = unique('bench-idle');
    await preload(kafka, idleTopic, 1, 2);
    const idlePubsub = unique('bench-idle-pub');
    await pubsub.topic(idlePubsub).create();
    const idle = await runBridge(env, idleTopic, idlePubsub, 1);
    const backlogTopic = unique('bench-backlog');
    const t1 = Date.now();
    await preload(kafka, backlogTopic, BACKLOG, 3);
    console.log(`  preloaded in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    const backlogPubsub = unique('bench-backlog-pub');
    await pubsub.topic(backlogPubsub).create();
    const drain = await runBridge(env, backlogTopic, backlogPubsub, BACKLOG);
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
    console.log(`  idle bridge (1 message): peak RSS ${mb(idle.peakRss)}`);
    console.log(`  draining ${fmt(BACKLOG)}: ${drain.seconds.toFixed(1)} s, ${fmt(drain.rate)}/s, peak RSS (VmHWM) ${mb(drain.peakRss)}`);
    console.log('  bounded by BRIDGE_MAX_IN_FLIGHT_MESSAGES=5000 / _BYTES=16 MiB and KAFKA_MAX_BYTES=8 MiB per fetch; default V8 heap settings');
    console.log(`  RSS along the drain: ${drain.samples.map((s) => `${Math.round(s.progress * 100)}% ${mb(s.rss)}`).join(' · ')}`);
    // The same backlog again (a new consumer group) with V8's old space capped at 128 MiB: if
    // the bridge kept anything per message, it would run out of heap long before 200,000.
    const capped = await runBridge(env, backlogTopic, backlogPubsub, BACKLOG, ['--max-old-space-size=128']);
    console.log(
      `  again with --max-old-space-size=128: completed, ${fmt(capped.rate)}/s, peak RSS ${mb(capped.peakRss)} ` +
        `(${capped.samples.map((s) => `${Math.round(s.progress * 100)}% ${mb(s.rss)}`).join(' · ')})`,
    );
  } finally {
    await pubsub.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

// bench/bridge-adapters.ts reuses the bridge runner without running this benchmark.
if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
