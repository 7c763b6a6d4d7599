/** Shared pieces of the Kafka → bridge → Pub/Sub integration tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PubSub, type Message, type Subscription, type Topic } from '@google-cloud/pubsub';
import { Kafka, logLevel, Partitioners, type Admin, type IHeaders } from 'kafkajs';
import { inject } from 'vitest';
import { freePort, ROOT } from './ports';

export const PROJECT_ID = 'demo-threatstream';
export const brokers = () => inject('kafkaBrokers');
export const pubsubHost = () => inject('pubsubEmulatorHost');

/** A name no other test (or run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function kafkaClient(list = brokers()) {
  return new Kafka({ clientId: 'threatstream-tests', brokers: list, logLevel: logLevel.NOTHING, retry: { retries: 10 } });
}

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>, list = brokers()): Promise<T> {
  const admin = kafkaClient(list).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createKafkaTopics(topics: { topic: string; numPartitions: number }[], list = brokers()) {
  await withAdmin((admin) => admin.createTopics({ topics, waitForLeaders: true }), list);
}

/** One test's own stream: a Kafka topic, its DLQ, a consumer group, and the Pub/Sub topic the bridge publishes to. */
export interface BridgeStream {
  topic: string;
  dlq: string;
  groupId: string;
  pubsubTopic: string;
  /** The bridge's environment naming them (tests add their own settings beside it). */
  bridgeEnv: Record<string, string>;
}

export function bridgeStream(pubsubTopic = uniqueName('events')): BridgeStream {
  const topic = uniqueName('raw');
  const dlq = `${topic}.dlq`;
  const groupId = uniqueName('group');
  return { topic, dlq, groupId, pubsubTopic, bridgeEnv: { KAFKA_TOPIC: topic, KAFKA_DLQ_TOPIC: dlq, KAFKA_GROUP_ID: groupId, PUBSUB_TOPIC: pubsubTopic } };
}

/** The stream's topic with `partitions` partitions, and its one-partition DLQ. */
export function createStreamTopics(stream: Pick<BridgeStream, 'topic' | 'dlq'>, partitions: number, list = brokers()) {
  return createKafkaTopics(
    [
      { topic: stream.topic, numPartitions: partitions },
      { topic: stream.dlq, numPartitions: 1 },
    ],
    list,
  );
}

export interface OutMessage {
  key?: string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: IHeaders;
}

/** Produces messages in batches (acks from all replicas). */
export async function produce(topic: string, messages: OutMessage[], list = brokers(), batchSize = 1000) {
  const producer = kafkaClient(list).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += batchSize) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + batchSize) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** A minimal valid event. */
export function event(eventId: string, extra: Record<string, unknown> = {}) {
  return {
    event_id: eventId,
    timestamp: new Date().toISOString(),
    event_type: 'port_scan',
    source_ip: '159.65.10.20',
    destination_ip: '10.0.0.20',
    destination_port: 22,
    protocol: 'TCP',
    payload: { ports: [22, 80, 443], ports_scanned: 3 },
    ...extra,
  };
}

export function eventIds(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(6, '0')}`);
}

// ---------------------------------------------------------------------------------------------
// Pub/Sub

export function pubsubClient(): PubSub {
  // Set for this process too: the client library reads it.
  process.env.PUBSUB_EMULATOR_HOST = pubsubHost();
  return new PubSub({ projectId: PROJECT_ID });
}

export interface Received {
  eventId: string;
  data: Buffer;
  attributes: Record<string, string>;
}

/**
 * A topic and a subscription created before anything is produced, collecting every message
 * (acknowledged as it arrives) with the number of times each event_id was seen. A batch of
 * observations (`{"observations":[…]}`, as the bridge publishes them) counts as each of its
 * observations, by event.id, with the batch's attributes; `batchSizes` keeps each batch's size.
 */
export class Collector {
  readonly received = new Map<string, Received>();
  readonly deliveries = new Map<string, number>();
  readonly batchSizes: number[] = [];
  private constructor(
    readonly client: PubSub,
    readonly topic: Topic,
    readonly subscription: Subscription,
  ) {
    subscription.on('message', (message: Message) => {
      if (message.attributes.kind === 'observations') {
        const { observations } = JSON.parse(message.data.toString()) as { observations: { event: { id: string } }[] };
        this.batchSizes.push(observations.length);
        for (const observation of observations) this.receive(observation.event.id, Buffer.from(JSON.stringify(observation)), message.attributes);
      } else {
        this.receive(message.attributes.event_id ?? '(none)', message.data, message.attributes);
      }
      message.ack();
    });
    subscription.on('error', (error) => console.error('subscription error', error));
  }

  private receive(eventId: string, data: Buffer, attributes: Record<string, string>): void {
    this.deliveries.set(eventId, (this.deliveries.get(eventId) ?? 0) + 1);
    if (!this.received.has(eventId)) this.received.set(eventId, { eventId, data, attributes });
  }

  static async create(topicName: string, { createTopic = true } = {}): Promise<Collector> {
    const client = pubsubClient();
    const topic = client.topic(topicName);
    if (createTopic) {
      const [exists] = await topic.exists();
      if (!exists) await topic.create();
    }
    const [subscription] = await topic.createSubscription(uniqueName('test-sub'), { ackDeadlineSeconds: 60 });
    subscription.setOptions({ flowControl: { maxMessages: 5000, allowExcessMessages: false } });
    return new Collector(client, topic, subscription);
  }

  /** Waits until every id in `ids` arrived; returns the ones still missing at the timeout. */
  async waitFor(ids: Iterable<string>, timeoutMs: number): Promise<string[]> {
    const wanted = [...ids];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = wanted.filter((id) => !this.received.has(id));
      if (missing.length === 0 || Date.now() > deadline) return missing;
      await sleep(200);
    }
  }

  duplicates(): number {
    let extra = 0;
    for (const count of this.deliveries.values()) extra += count - 1;
    return extra;
  }

  async close(deleteTopic = true): Promise<void> {
    await this.subscription.close();
    await this.subscription.delete().catch(() => {});
    if (deleteTopic) await this.topic.delete().catch(() => {});
    await this.client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The bridge as a child process (node bridge/lib/main.js), as Cloud Run runs it.

export const BRIDGE_MAIN = join(ROOT, 'bridge/lib/main.js');
const LOG_DIR = join(ROOT, '.cache/test-logs');

export interface BridgeProcess {
  child: ChildProcess;
  port: number;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  metrics(): Promise<Record<string, number>>;
  metric(name: string): Promise<number>;
  readyz(): Promise<number>;
  waitReady(timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  kill9(): Promise<void>;
  logs(): string;
}

export async function startBridge(env: Record<string, string>, name = 'bridge'): Promise<BridgeProcess> {
  mkdirSync(LOG_DIR, { recursive: true });
  const port = await freePort();
  const logFile = join(LOG_DIR, `${uniqueName(name)}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [BRIDGE_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: brokers().join(','),
      PUBSUB_EMULATOR_HOST: pubsubHost(),
      GOOGLE_CLOUD_PROJECT: PROJECT_ID,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      BRIDGE_COMMIT_INTERVAL_MS: '200',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const base = `http://127.0.0.1:${port}`;
  const metrics = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const values: Record<string, number> = {};
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const [key, value] = line.split(' ');
      values[key!] = Number(value);
    }
    return values;
  };
  const process_: BridgeProcess = {
    child,
    port,
    logFile,
    exited,
    metrics,
    metric: async (name) => {
      const all = await metrics();
      // Sum over label sets (e.g. dead letters by reason).
      return Object.entries(all)
        .filter(([key]) => key === name || key.startsWith(`${name}{`))
        .reduce((sum, [, v]) => sum + v, 0);
    },
    readyz: async () => (await fetch(`${base}/readyz`)).status,
    waitReady: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`bridge exited with ${child.exitCode}:\n${process_.logs()}`);
        try {
          if ((await process_.readyz()) === 200) return;
        } catch {
          // not listening yet
        }
        await sleep(100);
      }
      throw new Error(`bridge not ready after ${timeoutMs} ms:\n${process_.logs()}`);
    },
    stop: async () => {
      const started = Date.now();
      child.kill('SIGTERM');
      const result = await exited;
      return { ...result, ms: Date.now() - started };
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    logs: () => {
      try {
        return readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
      } catch {
        return '';
      }
    },
  };
  return process_;
}

/** Runs the bridge with `env` and returns its exit code and stderr (for configurations that must fail). */
export function runBridgeExpectingExit(env: Record<string, string>, timeoutMs = 15_000) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string; ms: number }>(
    (resolve, reject) => {
      const started = Date.now();
      const child = spawn(process.execPath, [BRIDGE_MAIN], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d) => (stdout += d));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`bridge still running after ${timeoutMs} ms; stderr:\n${stderr}\nstdout:\n${stdout}`));
      }, timeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stderr, stdout, ms: Date.now() - started });
      });
    },
  );
}

/** Committed offsets of a group per partition, and the topic's high watermarks. */
export async function groupProgress(groupId: string, topic: string, list = brokers()) {
  return withAdmin(async (admin) => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return ends
      .map(({ partition, high }) => ({
        partition,
        high: Number(high),
        committed: Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1),
      }))
      .sort((a, b) => a.partition - b.partition);
  }, list);
}

export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
