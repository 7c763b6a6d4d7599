// Detection on the stream, benchmarked on the Emulator Suite.
//
//   npx tsx bench/detection-emulators.ts [--observations 2000] [--rate 200] [--batch 1] [--flood-seconds 5]
//
// In one emulator session: (1) the one-write baseline function of bench/pipeline-emulators.ts and
// (2) detection-onObservation, each offered the same count of messages at the same steady rate.
// The observations are sshd failed logins, 40 sources at a time, each source reaching the
// brute-force threshold (10) within two seconds; each detection's latency runs from the publish of
// its last needed observation (the 10th failure) to its threat's createdAt. `--batch n` publishes
// n observations per message (a publisher that lingers), the rate staying per observation.
// Then Firestore writes per observation (window documents, from their own write counters, and
// the threat write's two documents per detection), and a single-key flood of 1,000
// observations/s for `--flood-seconds` through one instance's window store (what a production
// instance, running 80 messages at once, does; the Functions emulator runs one message per
// worker process, so its workers cannot group-commit each other's messages), reporting the busiest
// document's writes per second.
import type { NormalizedEvent } from '@threatstream/events';
import { PubSub } from '@google-cloud/pubsub';
import type { DocumentData, Firestore } from 'firebase-admin/firestore';
import { detectObservations } from '../functions/src/detection/detect';
import { RuleSet } from '../functions/src/detection/engine';
import { BUILT_IN_RULES } from '../functions/src/detection/pack';
import { DETECTION_WINDOWS, WindowStore } from '../functions/src/detection/window-store';
import { PROJECT_ID, firestore, runId } from '../test/support/emulators';
import { countOf, makeEvents, millis, percentile, POLL_MS, publishSteadily, rangeQuery, runUnderBenchEmulators, waitUntil } from './pipeline-workload';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const OBSERVATIONS = option('observations', 2000);
const RATE = option('rate', 200);
const BATCH = option('batch', 1);
const FLOOD_SECONDS = option('flood-seconds', 5);
/** Sources failing at once; each reaches the threshold of ten after 10 × SOURCES / RATE seconds. */
const SOURCES = 40;
const THRESHOLD = 10;

if (!process.env.FIRESTORE_EMULATOR_HOST) runUnderBenchEmulators('bench/detection-emulators.ts', args);

/** Failed sshd logins: cohorts of SOURCES sources, each sending THRESHOLD failures, in turn. */
function failure(run: string, i: number, at: number, net = '198.18'): NormalizedEvent {
  const cohort = Math.floor(i / (SOURCES * THRESHOLD));
  const k = i % SOURCES;
  const src = `${net}.${(cohort * SOURCES + k) % 250}.${1 + (Math.floor((cohort * SOURCES + k) / 250) % 250)}`;
  return {
    '@timestamp': new Date(at).toISOString(),
    event: { id: `${run}-${String(i).padStart(6, '0')}`, kind: 'event', category: ['authentication'], type: ['start'], action: 'ssh_login_failed', outcome: 'failure', dataset: 'syslog.sshd', original: `sshd[1]: Failed password for root from ${src} port 50022 ssh2`, format: 'syslog' },
    process: { name: 'sshd', pid: 1 },
    source: { ip: src, port: 50022 },
    destination: { ip: '10.0.0.5', port: 22 },
    user: { name: 'root' },
  } as NormalizedEvent;
}

/** Publishes observations at RATE/s, BATCH per message; returns each observation's publish time. */
async function publishObservations(run: string, count: number, net = '198.18'): Promise<Map<string, number>> {
  const topic = new PubSub({ projectId: PROJECT_ID }).topic('security-observations', { batching: { maxMessages: 50, maxMilliseconds: 2 } });
  const publishedAt = new Map<string, number>();
  const start = performance.now();
  const sends: Promise<string>[] = [];
  for (let i = 0; i < count; i += BATCH) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const now = Date.now();
    const events = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => failure(run, i + j, now, net));
    for (const event of events) publishedAt.set(event.event.id, now);
    sends.push(topic.publishMessage({ json: BATCH === 1 ? events[0] : { observations: events } }));
  }
  await Promise.all(sends);
  await topic.flush();
  return publishedAt;
}

interface Run {
  perSecond: number;
  latencies: number[];
}

async function runBaseline(db: Firestore): Promise<Run> {
  const prefix = runId('baseline');
  const messages = Math.ceil(OBSERVATIONS / BATCH);
  const events = makeEvents(prefix, messages, SOURCES);
  const documents = rangeQuery(db, 'benchBaseline', prefix);
  const start = Date.now();
  const publishedAt = await publishSteadily('bench-baseline', events, RATE / BATCH);
  await untilAllOrStalled(() => countOf(documents), messages, 'baseline documents');
  const written = (await documents.select('event_id', 'createdAt').get()).docs.map((doc) => doc.data());
  const last = Math.max(...written.map((doc) => millis(doc.createdAt)));
  if (written.length < messages) console.log(`  (baseline: ${messages - written.length} of ${messages} messages never reached the function)`);
  return { perSecond: (written.length * BATCH) / ((last - start) / 1000), latencies: written.map((doc) => millis(doc.createdAt) - publishedAt.get(doc.event_id)!) };
}

async function runDetection(db: Firestore): Promise<Run & { detections: number; windowWrites: number; groups: number }> {
  const run = runId('det');
  const expected = Math.floor(OBSERVATIONS / (SOURCES * THRESHOLD)) * SOURCES;
  const start = Date.now();
  const publishedAt = await publishObservations(run, OBSERVATIONS);
  // Each source's tenth failure completes its detection; its id is in the detection's sample.
  const lastNeeded = [...publishedAt.keys()].filter((id) => Math.floor(Number(id.slice(-6)) / SOURCES) % THRESHOLD === THRESHOLD - 1);
  const threats = () => db.collection('threats').where('payload.detection.rule_id', '==', 'ssh-brute-force').where('source_ip', '>=', '198.18.').where('source_ip', '<', '198.19.').get();
  let found: DocumentData[] = [];
  await untilAllOrStalled(
    async () => {
      found = (await threats()).docs.map((doc) => doc.data()).filter((t) => (t.payload.detection.sample_event_ids as string[]).some((id) => id.startsWith(run)));
      return found.length;
    },
    expected,
    'detection threats',
  );
  const latencies: number[] = [];
  for (const threat of found) {
    const sample = threat.payload.detection.sample_event_ids as string[];
    const last = sample.find((id) => lastNeeded.includes(id)) ?? sample[sample.length - 1]!;
    latencies.push(millis(threat.createdAt) - publishedAt.get(last)!);
  }
  if (found.length < expected) console.log(`  (detection: ${expected - found.length} of ${expected} detections missing: messages that never reached the function)`);
  const lastWritten = Math.max(...found.map((t) => millis(t.createdAt)));
  const groups = await db.collection(DETECTION_WINDOWS).where('group', '>=', 'source.ip=198.18.').where('group', '<', 'source.ip=198.19.').get();
  const windowWrites = groups.docs.filter((doc) => millis(doc.data().updatedAt) >= start).reduce((total, doc) => total + (doc.data().writes as number), 0);
  return { perSecond: OBSERVATIONS / ((lastWritten - start) / 1000), latencies, detections: found.length, windowWrites, groups: groups.size };
}

/**
 * Waits until `count()` reaches `expected`, or stops growing for 20 s: the Functions emulator's
 * Pub/Sub bridge drops a message it fails to hand over (README, "What holds ingest back on the
 * emulators"), and the figures then say how many never arrived. Before the first result it
 * waits up to 120 s: the first threats of large batches on a loaded machine can take over 20 s.
 */
async function untilAllOrStalled(count: () => Promise<number>, expected: number, label: string): Promise<void> {
  let last = -1;
  let since = Date.now();
  await waitUntil(
    async () => {
      const now = await count();
      if (now !== last) [last, since] = [now, Date.now()];
      return now >= expected || Date.now() - since > (now === 0 ? 120_000 : 20_000);
    },
    label,
    POLL_MS,
  );
}

/** A single key at 1,000 observations/s, each its own invocation of the function's handler, in this one process (one instance). */
async function runFlood(db: Firestore): Promise<{ observations: number; writes: number; seconds: number; detections: number }> {
  const run = runId('flood');
  const store = new WindowStore(db, { minIntervalMs: 1000, now: Date.now });
  const rules = new RuleSet(BUILT_IN_RULES);
  const ip = `198.19.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  let detections = 0;
  const pending: Promise<unknown>[] = [];
  const start = performance.now();
  const count = FLOOD_SECONDS * 1000;
  for (let i = 0; i < count; i++) {
    const due = start + i;
    if (due - performance.now() > 1) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
    const event = { ...failure(run, i, Date.now()), source: { ip, port: 50022 } } as NormalizedEvent;
    pending.push(
      detectObservations([event], {
        catalog: async () => ({ rules, exceptions: [] }),
        applyGroup: (group, items) => store.apply(group, items),
        writeThreat: async () => {
          detections++;
          return 'created';
        },
        countExceptionHit: async () => undefined,
        now: Date.now,
      }),
    );
  }
  await Promise.all(pending);
  const doc = (await db.collection(DETECTION_WINDOWS).where('group', '==', `source.ip=${ip}`).get()).docs[0]!.data();
  const seconds = (millis(doc.updatedAt) - millis(doc.createdAt)) / 1000;
  return { observations: count, writes: doc.writes as number, seconds, detections };
}

function line(name: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `  ${name.padEnd(44)} p50 ${percentile(sorted, 50).toFixed(0)} ms  p95 ${percentile(sorted, 95).toFixed(0)} ms  p99 ${percentile(sorted, 99).toFixed(0)} ms  (n=${sorted.length})`;
}

async function main() {
  const db = firestore();
  console.log(`detection benchmark: ${OBSERVATIONS} observations at ${RATE}/s, ${BATCH} per message, ${SOURCES} sources at a time; Functions/Firestore/Pub/Sub emulators`);
  // Warm both functions' workers (start-up, the GeoIP load).
  await Promise.all([publishSteadily('bench-baseline', makeEvents(runId('warmup'), 20, 4), 20), publishObservations(runId('warm'), 20, '198.20')]);
  await new Promise((resolve) => setTimeout(resolve, 10_000));

  const baseline = await runBaseline(db);
  console.log(`\nbaseline (1 write/message, ${Math.ceil(OBSERVATIONS / BATCH)} messages)`);
  console.log(`  sustained  ${baseline.perSecond.toFixed(1)} observations/s`);
  console.log(line('publish→document', baseline.latencies));

  const detection = await runDetection(db);
  console.log(`\ndetection-onObservation (${detection.detections} brute-force detections)`);
  console.log(`  sustained  ${detection.perSecond.toFixed(1)} observations/s`);
  console.log(line('last needed observation published→threat', detection.latencies));
  const threatWrites = detection.detections * 2; // the threat and its source sighting, one batch
  console.log(`  Firestore writes/observation  ${((detection.windowWrites + threatWrites) / OBSERVATIONS).toFixed(3)} (window documents ${(detection.windowWrites / OBSERVATIONS).toFixed(3)}: ${detection.windowWrites} writes to ${detection.groups} groups; threats and sightings ${(threatWrites / OBSERVATIONS).toFixed(3)}; the alerts they open are the pipeline's as for any threat)`);

  const flood = await runFlood(db);
  console.log(`\nsingle-key flood, one instance: ${flood.observations} observations at 1,000/s`);
  console.log(`  busiest document  ${flood.writes} writes in ${flood.seconds.toFixed(1)} s = ${(flood.writes / Math.max(flood.seconds, 1)).toFixed(2)} writes/s; ${(flood.writes / flood.observations).toFixed(4)} writes/observation; ${flood.detections} detection(s)`);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
