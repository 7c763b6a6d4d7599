// Pipeline benchmark on the Emulator Suite.
//
//   npx tsx bench/pipeline-emulators.ts [--events 2000] [--rate 200]
//
// Publishes the same stream of events, at a steady rate, to (1) a trivial function that writes
// one document per message and (2) ThreatStream's ingest → threat → alert pipeline, in one
// emulator session, and prints for each: sustained events/s, publish→document latency
// percentiles and Firestore document writes per event; then the pipeline as a ratio of the
// baseline. Started without emulators, it starts them itself with a config that adds the
// baseline function (bench/baseline-function, never deployed).
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import type { Firestore, Query } from 'firebase-admin/firestore';
import { firestore, PROJECT_ID, runId } from '../test/support/emulators';

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const EVENTS = option('events', 2000);
const RATE = option('rate', 200);

if (!process.env.FIRESTORE_EMULATOR_HOST) {
  // Not under the emulators yet: start them with the baseline codebase added, and run again.
  const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8'));
  config.functions.push({ source: 'bench/baseline-function', codebase: 'bench-baseline' });
  const benchConfig = join(ROOT, '.firebase.bench.json');
  writeFileSync(benchConfig, JSON.stringify(config, null, 2));
  try {
    execFileSync(
      'node',
      [
        join(ROOT, 'tools/emulators.mjs'),
        'exec',
        `npx tsx bench/pipeline-emulators.ts ${args.join(' ')}`,
        '--only',
        'functions,firestore,pubsub',
        '--config',
        benchConfig,
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
  } finally {
    rmSync(benchConfig, { force: true });
  }
  process.exit(0);
}

interface Figures {
  label: string;
  eventsPerSecond: number;
  latencies: Record<string, number[]>;
  writesPerEvent: number;
}

const TYPES = [
  ['brute_force', { attempts: 180 }, 22],
  ['port_scan', { ports: [21, 22, 23, 80, 443, 445, 3389, 8080] }, 0],
  ['sql_injection', { query: "' OR 1=1 --", url: '/login' }, 443],
  ['malware', { signature: 'Emotet', file_hash: 'e3b0c44298fc1c149afbf4c8996fb924' }, 445],
  ['suspicious_login', { username: 'admin', failed_attempts: 3 }, 443],
  ['ddos', { requests_per_second: 50_000 }, 443],
  ['unknown', {}, 8080],
  ['c2_beacon', { beacon_interval_seconds: 60 }, 443],
] as const;

function makeEvents(prefix: string): object[] {
  const sources = Array.from({ length: 40 }, (_, i) => `185.234.${72 + (i % 8)}.${10 + i}`);
  return Array.from({ length: EVENTS }, (_, i) => {
    const [type, payload, port] = TYPES[i % TYPES.length]!;
    return {
      event_id: `${prefix}-${String(i).padStart(6, '0')}`,
      timestamp: new Date().toISOString(),
      event_type: type,
      source_ip: sources[i % sources.length],
      destination_ip: `10.0.0.${1 + (i % 250)}`,
      ...(port && { destination_port: port }),
      protocol: 'TCP',
      payload,
    };
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Counts document changes seen by a listener: each is at least one write (listeners coalesce). */
function watch(query: Query, onChange: (id: string, data: FirebaseFirestore.DocumentData, type: string) => void) {
  let changes = 0;
  const unsubscribe = query.onSnapshot((snapshot) => {
    for (const change of snapshot.docChanges()) {
      changes++;
      onChange(change.doc.id, change.doc.data(), change.type);
    }
  });
  return { unsubscribe, changes: () => changes };
}

async function publishSteadily(topicName: string, events: object[], publishedAt: Map<string, number>) {
  const topic = new PubSub({ projectId: PROJECT_ID }).topic(topicName, {
    batching: { maxMessages: 50, maxMilliseconds: 2 },
  });
  const start = performance.now();
  const sends: Promise<string>[] = [];
  for (let i = 0; i < events.length; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const event = events[i] as { event_id: string };
    publishedAt.set(event.event_id, performance.now());
    sends.push(topic.publishMessage({ json: event }));
  }
  await Promise.all(sends);
  await topic.flush();
}

async function waitUntil(done: () => boolean, label: string, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function rangeQuery(db: Firestore, collection: string, prefix: string): Query {
  return db.collection(collection).where('event_id', '>=', prefix).where('event_id', '<', `${prefix}\uf8ff`);
}

async function runBaseline(db: Firestore): Promise<Figures> {
  const prefix = runId('baseline');
  const events = makeEvents(prefix);
  const publishedAt = new Map<string, number>();
  const latencies: number[] = [];
  let last = 0;
  const watcher = watch(rangeQuery(db, 'benchBaseline', prefix), (_id, data, type) => {
    if (type !== 'added') return;
    last = performance.now();
    latencies.push(last - publishedAt.get(data.event_id)!);
  });
  const start = performance.now();
  await publishSteadily('bench-baseline', events, publishedAt);
  await waitUntil(() => latencies.length >= EVENTS, 'baseline documents');
  watcher.unsubscribe();
  return {
    label: 'baseline (1 write/message)',
    eventsPerSecond: EVENTS / ((last - start) / 1000),
    latencies: { 'publish→document': latencies },
    writesPerEvent: watcher.changes() / EVENTS,
  };
}

async function runPipeline(db: Firestore): Promise<Figures> {
  const prefix = runId('pipeline');
  const events = makeEvents(prefix);
  const publishedAt = new Map<string, number>();
  const toThreat: number[] = [];
  const toAlert: number[] = [];
  const alerted = new Set<string>();
  let lastThreat = 0;
  const threats = watch(rangeQuery(db, 'threats', prefix), (_id, data, type) => {
    const now = performance.now();
    if (type === 'added') {
      lastThreat = now;
      toThreat.push(now - publishedAt.get(data.event_id)!);
    }
    if (data.alertId && !alerted.has(data.event_id)) {
      alerted.add(data.event_id);
      toAlert.push(now - publishedAt.get(data.event_id)!);
    }
  });
  let alertingThreats = 0;
  const allAlerts = watch(db.collection('alerts'), () => {});
  const pointers = watch(db.collection('alertDedup'), () => {});
  const start = performance.now();
  await publishSteadily('security-events', events, publishedAt);
  await waitUntil(() => toThreat.length >= EVENTS, 'threats');
  // Threats that alert get their alert shortly after: wait until every one is linked.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const snapshot = await rangeQuery(db, 'threats', prefix).where('risk.severity', 'in', ['HIGH', 'CRITICAL']).count().get();
    alertingThreats = snapshot.data().count;
    if (alerted.size >= alertingThreats || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
  for (const watcher of [threats, allAlerts, pointers]) watcher.unsubscribe();
  return {
    label: 'ThreatStream pipeline',
    eventsPerSecond: EVENTS / ((lastThreat - start) / 1000),
    latencies: { 'publish→threat': toThreat, [`publish→alert (${alertingThreats} alerting)`]: toAlert },
    writesPerEvent: (threats.changes() + allAlerts.changes() + pointers.changes()) / EVENTS,
  };
}

function print(figures: Figures) {
  console.log(`\n${figures.label}`);
  console.log(`  sustained throughput  ${figures.eventsPerSecond.toFixed(1)} events/s`);
  for (const [name, values] of Object.entries(figures.latencies)) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(22)} p50 ${percentile(sorted, 50).toFixed(0)} ms  p95 ${percentile(sorted, 95).toFixed(0)} ms  p99 ${percentile(sorted, 99).toFixed(0)} ms  (n=${sorted.length})`,
    );
  }
  console.log(`  document writes/event ${figures.writesPerEvent.toFixed(2)} (seen by listeners; coalesced writes count once)`);
}

async function main() {
  const db = firestore();
  console.log(`pipeline benchmark: ${EVENTS} events at ${RATE}/s to each pipeline, Functions/Firestore/Pub/Sub emulators`);
  // Warm both: the first invocations pay for worker start-up and the GeoIP load.
  const warmup = makeEvents(runId('warmup')).slice(0, 20);
  await Promise.all([publishSteadily('bench-baseline', warmup, new Map()), publishSteadily('security-events', warmup, new Map())]);
  await new Promise((resolve) => setTimeout(resolve, 10_000));

  const baseline = await runBaseline(db);
  print(baseline);
  const pipeline = await runPipeline(db);
  print(pipeline);
  const ratio = pipeline.eventsPerSecond / baseline.eventsPerSecond;
  console.log(`\npipeline / baseline throughput: ${ratio.toFixed(2)} (target ≥ 0.70) ${ratio >= 0.7 ? 'PASS' : 'FAIL'}`);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
