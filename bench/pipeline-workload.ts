// The workload of bench/pipeline-emulators.ts, shared with bench/gemini-emulators.ts: the events
// (eight attack types from a few campaign sources in turn, as real traffic repeats), a steady
// publisher, and the measurements read back from Firestore.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import type { Firestore, Query } from 'firebase-admin/firestore';
import { PROJECT_ID } from '../test/support/emulators';

export const TYPES = [
  ['brute_force', { attempts: 180 }, 22],
  ['port_scan', { ports: [21, 22, 23, 80, 443, 445, 3389, 8080] }, 0],
  ['sql_injection', { query: "' OR 1=1 --", url: '/login' }, 443],
  ['malware', { signature: 'Emotet', file_hash: 'e3b0c44298fc1c149afbf4c8996fb924' }, 445],
  ['suspicious_login', { username: 'admin', failed_attempts: 3 }, 443],
  ['ddos', { requests_per_second: 50_000 }, 443],
  ['unknown', {}, 8080],
  ['c2_beacon', { beacon_interval_seconds: 60 }, 443],
] as const;

/**
 * `count` events of the eight types in turn, from `sources` addresses in turn. `sourceBase` shifts
 * the addresses (for a warm-up whose sources must not be the measured run's).
 */
export function makeEvents(prefix: string, count: number, sources: number, sourceBase = 0): { event_id: string }[] {
  // 185.234.72.10 and on, in one provider's range as a campaign's would be; unique up to 4,000.
  const addresses = Array.from({ length: sources }, (_, k) => {
    const i = sourceBase + k;
    return `185.234.${72 + (i % 8) + 8 * Math.floor(i / 240)}.${10 + (i % 240)}`;
  });
  return Array.from({ length: count }, (_, i) => {
    const [type, payload, port] = TYPES[i % TYPES.length]!;
    return {
      event_id: `${prefix}-${String(i).padStart(6, '0')}`,
      timestamp: new Date().toISOString(),
      event_type: type,
      source_ip: addresses[i % addresses.length],
      destination_ip: `10.0.0.${1 + (i % 250)}`,
      ...(port && { destination_port: port }),
      protocol: 'TCP',
      payload,
    };
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Publishes at `rate`/s; returns when each event was handed to the client, in epoch ms. */
export async function publishSteadily(topicName: string, events: { event_id: string }[], rate: number): Promise<Map<string, number>> {
  const topic = new PubSub({ projectId: PROJECT_ID }).topic(topicName, {
    batching: { maxMessages: 50, maxMilliseconds: 2 },
  });
  const publishedAt = new Map<string, number>();
  const start = performance.now();
  const sends: Promise<string>[] = [];
  for (let i = 0; i < events.length; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    publishedAt.set(events[i]!.event_id, Date.now());
    sends.push(topic.publishMessage({ json: events[i] }));
  }
  await Promise.all(sends);
  await topic.flush();
  return publishedAt;
}

export async function waitUntil(done: () => Promise<boolean>, label: string, everyMs: number, timeoutMs = 900_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function rangeQuery(db: Firestore, collection: string, prefix: string): Query {
  return db.collection(collection).where('event_id', '>=', prefix).where('event_id', '<', `${prefix}\uf8ff`);
}

/**
 * How often the runs poll for completion. Each poll is a count the emulator answers by scanning
 * the collection, on the cores the pipeline runs on; the figures come from the documents' own
 * timestamps, so polling less often changes nothing but the observer's load.
 */
export const POLL_MS = 3000;
export const countOf = async (query: Query) => (await query.count().get()).data().count;
export const millis = (value: unknown) => (value as { toMillis(): number }).toMillis();


/**
 * Document writes per event: a short run with a listener on every collection the pipeline
 * writes, counting changes after each listener's first snapshot until nothing has changed for
 * five seconds. Listeners coalesce writes that land close together (metric shards, alerts that
 * many threats join), so this is a lower bound.
 */
export async function writesPerEvent(
  db: Firestore,
  topicName: string,
  queries: Query[],
  events: { event_id: string }[],
  rate: number,
): Promise<number> {
  let changes = 0;
  let lastChange = Date.now();
  const ready: Promise<void>[] = [];
  const unsubscribes = queries.map((query) => {
    let first = true;
    let markReady!: () => void;
    ready.push(new Promise((resolve) => (markReady = resolve)));
    return query.onSnapshot((snapshot) => {
      if (first) {
        first = false;
        markReady();
        return;
      }
      changes += snapshot.docChanges().length;
      lastChange = Date.now();
    });
  });
  await Promise.all(ready);
  await publishSteadily(topicName, events, rate);
  // Quiet means five seconds without a change after the first: on a loaded machine the first
  // threats can take longer than that to appear.
  await waitUntil(async () => changes > 0 && Date.now() - lastChange > 5000, 'quiet', 500);
  for (const unsubscribe of unsubscribes) unsubscribe();
  return changes / events.length;
}

export const PIPELINE_COLLECTIONS = ['threats', 'alerts', 'alertDedup', 'metricsLedger', 'playbookRuns', 'auditLog', 'blocklist', 'mail', 'modelCache'];


/**
 * Starts the Functions, Firestore and Pub/Sub emulators with the baseline function's codebase
 * (bench/baseline-function, never deployed) added, runs `script` with `args` under them, and exits.
 */
export function runUnderBenchEmulators(script: string, args: readonly string[]): never {
  const root = join(__dirname, '..');
  const config = JSON.parse(readFileSync(join(root, 'firebase.json'), 'utf8'));
  config.functions.push({ source: 'bench/baseline-function', codebase: 'bench-baseline' });
  const benchConfig = join(root, '.firebase.bench.json');
  writeFileSync(benchConfig, JSON.stringify(config, null, 2));
  try {
    execFileSync(
      'node',
      [join(root, 'tools/emulators.mjs'), 'exec', `npx tsx ${script} ${args.join(' ')}`, '--only', 'functions,firestore,pubsub', '--config', benchConfig],
      { cwd: root, stdio: 'inherit' },
    );
  } finally {
    rmSync(benchConfig, { force: true });
  }
  process.exit(0);
}
