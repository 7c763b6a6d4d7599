// Pipeline benchmark on the Emulator Suite.
//
//   npx tsx bench/pipeline-emulators.ts [--events 2000] [--rate 200] [--sources 40]
//
// Publishes the same stream of events, at a steady rate, to (1) a trivial function that writes
// one document per message and (2) ThreatStream's ingest → threat → alert pipeline, in one
// emulator session, and prints for each: sustained events/s, publish→document latency
// percentiles and Firestore document writes per event; then the pipeline as a ratio of the
// baseline. Started without emulators, it starts them itself with a config that adds the
// baseline function (bench/baseline-function, never deployed).
//
// The throughput runs are timed by the documents themselves (createdAt, alertedAt: written by
// the functions, on this machine's clock), read once at the end. No listener watches them: a
// listener on a growing result set costs the Firestore emulator and this process more CPU per
// write than the pipeline under test does, on the same two cores. Writes per event come from a
// separate, short run with listeners on every collection the pipeline writes.
import type { DocumentData, Firestore } from 'firebase-admin/firestore';
import { firestore, runId } from '../test/support/emulators';
import {
  countOf,
  makeEvents as makeWorkloadEvents,
  millis,
  percentile,
  PIPELINE_COLLECTIONS,
  POLL_MS,
  publishSteadily as publishWorkload,
  rangeQuery,
  runUnderBenchEmulators,
  waitUntil,
  writesPerEvent as countWritesPerEvent,
} from './pipeline-workload';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const EVENTS = option('events', 2000);
const RATE = option('rate', 200);
/**
 * Distinct source addresses the events come from, in turn. With the default, each sends 50 events
 * within the recent-activity window, and ingest instances soon know each to be at the factor's cap
 * (saturated-sources.ts); as many sources as events makes every event read its source's sightings.
 */
const SOURCES = option('sources', 40);
if (!(SOURCES >= 1 && SOURCES <= 4_000)) throw new Error('--sources: from 1 to 4000');
/** Events in the run that counts writes (listeners coalesce, so it is a lower bound). */
const WRITE_COUNT_EVENTS = option('write-count-events', 200);

// Not under the emulators yet: start them with the baseline codebase added, and run again.
if (!process.env.FIRESTORE_EMULATOR_HOST) runUnderBenchEmulators('bench/pipeline-emulators.ts', args);

const makeEvents = (prefix: string, count: number) => makeWorkloadEvents(prefix, count, SOURCES);
const publishSteadily = (topicName: string, events: { event_id: string }[]) => publishWorkload(topicName, events, RATE);
const writesPerEvent = (db: Firestore, topicName: string, queries: Parameters<typeof countWritesPerEvent>[2]) =>
  countWritesPerEvent(db, topicName, queries, makeEvents(runId('writes'), WRITE_COUNT_EVENTS), RATE);

interface Figures {
  label: string;
  eventsPerSecond: number;
  latencies: Record<string, number[]>;
}

async function runBaseline(db: Firestore): Promise<Figures> {
  const prefix = runId('baseline');
  const events = makeEvents(prefix, EVENTS);
  const documents = rangeQuery(db, 'benchBaseline', prefix);
  const start = Date.now();
  const publishedAt = await publishSteadily('bench-baseline', events);
  await waitUntil(async () => (await countOf(documents)) >= EVENTS, 'baseline documents', POLL_MS);
  const written = (await documents.select('event_id', 'createdAt').get()).docs.map((doc) => doc.data());
  const last = Math.max(...written.map((doc) => millis(doc.createdAt)));
  return {
    label: 'baseline (1 write/message)',
    eventsPerSecond: EVENTS / ((last - start) / 1000),
    latencies: { 'publish→document': written.map((doc) => millis(doc.createdAt) - publishedAt.get(doc.event_id)!) },
  };
}

const ALERTING = ['HIGH', 'CRITICAL'];

async function runPipeline(db: Firestore): Promise<Figures> {
  const prefix = runId('pipeline');
  const events = makeEvents(prefix, EVENTS);
  const threats = rangeQuery(db, 'threats', prefix);
  const start = Date.now();
  const publishedAt = await publishSteadily('security-events', events);
  await waitUntil(async () => (await countOf(threats)) >= EVENTS, 'threats', POLL_MS);
  // Threats that alert get their alert shortly after: wait until every one is linked.
  let written: DocumentData[] = [];
  await waitUntil(
    async () => {
      written = (await threats.select('event_id', 'createdAt', 'alertedAt', 'risk.severity').get()).docs.map((doc) => doc.data());
      return written.every((doc) => !ALERTING.includes(doc.risk.severity) || doc.alertedAt);
    },
    'alerts',
    3000,
  );
  const alerted = written.filter((doc) => doc.alertedAt);
  const last = Math.max(...written.map((doc) => millis(doc.createdAt)));
  return {
    label: 'ThreatStream pipeline',
    eventsPerSecond: EVENTS / ((last - start) / 1000),
    latencies: {
      'publish→threat': written.map((doc) => millis(doc.createdAt) - publishedAt.get(doc.event_id)!),
      [`publish→alert (${alerted.length} alerting)`]: alerted.map((doc) => millis(doc.alertedAt) - publishedAt.get(doc.event_id)!),
    },
  };
}

function print(figures: Figures, writes: number) {
  console.log(`\n${figures.label}`);
  console.log(`  sustained throughput  ${figures.eventsPerSecond.toFixed(1)} events/s`);
  for (const [name, values] of Object.entries(figures.latencies)) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(22)} p50 ${percentile(sorted, 50).toFixed(0)} ms  p95 ${percentile(sorted, 95).toFixed(0)} ms  p99 ${percentile(sorted, 99).toFixed(0)} ms  (n=${sorted.length})`,
    );
  }
  console.log(`  document writes/event ${writes.toFixed(2)} (at least: ${WRITE_COUNT_EVENTS} events with listeners on what it writes, which coalesce)`);
}

async function main() {
  const db = firestore();
  console.log(`pipeline benchmark: ${EVENTS} events at ${RATE}/s from ${SOURCES} sources to each pipeline, Functions/Firestore/Pub/Sub emulators`);
  // Warm both: the first invocations pay for worker start-up and the GeoIP load.
  await Promise.all([
    publishSteadily('bench-baseline', makeEvents(runId('warmup'), 20)),
    publishSteadily('security-events', makeEvents(runId('warmup'), 20)),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 10_000));

  // Writes first, on the quiet emulators: the throughput runs leave trigger backlogs behind.
  const baselineWrites = await writesPerEvent(db, 'bench-baseline', [db.collection('benchBaseline')]);
  const pipelineWrites = await writesPerEvent(db, 'security-events', [
    ...PIPELINE_COLLECTIONS.map((name) => db.collection(name)),
    db.collectionGroup('shards'),
    db.collectionGroup('sightings'),
  ]);

  const baseline = await runBaseline(db);
  print(baseline, baselineWrites);
  const pipeline = await runPipeline(db);
  print(pipeline, pipelineWrites);
  const ratio = pipeline.eventsPerSecond / baseline.eventsPerSecond;
  console.log(`\npipeline / baseline throughput: ${ratio.toFixed(2)} (target ≥ 0.70) ${ratio >= 0.7 ? 'PASS' : 'FAIL'}`);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
