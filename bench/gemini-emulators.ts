// The model path on the Emulator Suite: what configuring Gemini costs ingest, and how soon its
// verdict follows the threat.
//
//   npx tsx bench/gemini-emulators.ts [--events 2000] [--rate 200] [--sources 40] [--latency-ms 300]
//
// Runs the workload of bench/pipeline-emulators.ts (its events, rate and source repetition; see
// bench/pipeline-workload.ts) through ingest → threat → alert twice, each in a fresh emulator
// session: Gemini not configured, then configured (GEMINI_API_KEY and GEMINI_BASE_URL in
// functions/.env.local, the Functions emulator's own override file) against the fake Gemini API
// of test/support/fake-gemini.ts answering after --latency-ms. Everything else is the project's
// defaults. Prints, for each and side by side: ingest events/s, publish→threat p50/p99,
// threat→model verdict p50/p99 (the threat's `model.at`, stamped as its record is written),
// model requests per event, and Firestore document writes per event.
//
// Each session warms up and counts writes on sources of its own (sourceBase), so the measured run
// starts with nothing about its own signatures in the model cache, as a new campaign would.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentData, Firestore } from 'firebase-admin/firestore';
import { FakeGemini } from '../test/support/fake-gemini';
import { firestore, runId } from '../test/support/emulators';
import {
  countOf,
  makeEvents,
  millis,
  percentile,
  PIPELINE_COLLECTIONS,
  POLL_MS,
  publishSteadily,
  rangeQuery,
  waitUntil,
  writesPerEvent,
} from './pipeline-workload';

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const textOption = (name: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
};
const EVENTS = option('events', 2000);
const RATE = option('rate', 200);
const SOURCES = option('sources', 40);
const LATENCY_MS = option('latency-ms', 300);
const WRITE_COUNT_EVENTS = option('write-count-events', 200);
/** Where the configured session's fake Gemini API listens (not 4777: the test sessions' port). */
const FAKE_GEMINI_PORT = 4778;
const ENV_LOCAL = join(ROOT, 'functions/.env.local');
const ALERTING = ['HIGH', 'CRITICAL'];

interface SessionFigures {
  session: 'off' | 'on';
  eventsPerSecond: number;
  publishToThreat: { p50: number; p99: number };
  threatToVerdict?: { p50: number; p99: number; n: number; byStatus: Record<string, number> };
  modelRequests: number;
  modelRequestsPerEvent: number;
  writesPerEvent: number;
}

// ---------------------------------------------------------------------------------------------
// Orchestrator: two emulator sessions, then the comparison.

function runSession(session: 'off' | 'on', outFile: string) {
  const passOn = args.filter((_, i) => !['--session', '--out'].includes(args[i] ?? '') && !['--session', '--out'].includes(args[i - 1] ?? ''));
  execFileSync(
    'node',
    [
      join(ROOT, 'tools/emulators.mjs'),
      'exec',
      `npx tsx bench/gemini-emulators.ts --session ${session} --out ${outFile} ${passOn.join(' ')}`,
      '--only',
      'functions,firestore,pubsub',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

function orchestrate() {
  if (existsSync(ENV_LOCAL)) {
    console.error(`${ENV_LOCAL} exists: this bench writes that file for its configured run; move yours aside first.`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'gemini-emulators-'));
  try {
    runSession('off', join(dir, 'off.json'));
    // A session stopped early (Ctrl-C) exits 0 too: go on only with its figures.
    if (!existsSync(join(dir, 'off.json'))) throw new Error('the "off" session ended without its figures');
    writeFileSync(
      ENV_LOCAL,
      `# Written by bench/gemini-emulators.ts for its configured run; deleted when it ends.\n` +
        `GEMINI_API_KEY=fake-gemini-key-for-bench\nGEMINI_BASE_URL=http://127.0.0.1:${FAKE_GEMINI_PORT}\n`,
    );
    try {
      runSession('on', join(dir, 'on.json'));
    } finally {
      rmSync(ENV_LOCAL, { force: true });
    }
    const off: SessionFigures = JSON.parse(readFileSync(join(dir, 'off.json'), 'utf8'));
    const on: SessionFigures = JSON.parse(readFileSync(join(dir, 'on.json'), 'utf8'));
    compare(off, on);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compare(off: SessionFigures, on: SessionFigures) {
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const ingestRatio = on.eventsPerSecond / off.eventsPerSecond;
  const p50Change = on.publishToThreat.p50 / off.publishToThreat.p50 - 1;
  const p99Change = on.publishToThreat.p99 / off.publishToThreat.p99 - 1;
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
  console.log(`\nmodel path, ${EVENTS} events at ${RATE}/s from ${SOURCES} sources; fake Gemini answering after ${LATENCY_MS} ms`);
  console.log('                                   Gemini off        Gemini on');
  console.log(`  ingest events/s                  ${off.eventsPerSecond.toFixed(1).padEnd(17)} ${on.eventsPerSecond.toFixed(1)}`);
  console.log(`  publish→threat p50 / p99 (ms)    ${`${off.publishToThreat.p50} / ${off.publishToThreat.p99}`.padEnd(17)} ${on.publishToThreat.p50} / ${on.publishToThreat.p99}`);
  const v = on.threatToVerdict;
  console.log(
    `  threat→model verdict p50 / p99   ${'—'.padEnd(17)} ${v ? `${v.p50} / ${v.p99} ms (n=${v.n}: ${Object.entries(v.byStatus).map(([s, n]) => `${n} ${s}`).join(', ')})` : 'none'}`,
  );
  console.log(`  model requests per event         ${off.modelRequestsPerEvent.toFixed(4).padEnd(17)} ${on.modelRequestsPerEvent.toFixed(4)} (${on.modelRequests} requests)`);
  console.log(`  document writes per event        ${off.writesPerEvent.toFixed(2).padEnd(17)} ${on.writesPerEvent.toFixed(2)}`);
  console.log('');
  console.log(`ingest, Gemini on / off: ${ingestRatio.toFixed(3)} (target ≥ 0.95) ${verdict(ingestRatio >= 0.95)}`);
  console.log(
    `publish→threat, on against off: p50 ${pct(p50Change)}, p99 ${pct(p99Change)} (target within 10 %) ${verdict(Math.abs(p50Change) <= 0.1 && Math.abs(p99Change) <= 0.1)}`,
  );
  console.log(`model requests per event: ${on.modelRequestsPerEvent.toFixed(4)} (target ≤ 0.1) ${verdict(on.modelRequestsPerEvent <= 0.1)}`);
  console.log(`writes per event the model path adds: ${(on.writesPerEvent - off.writesPerEvent).toFixed(2)} (at least; listeners coalesce)`);
}

// ---------------------------------------------------------------------------------------------
// One session, inside the emulators.

async function measuredRun(db: Firestore, session: 'off' | 'on') {
  const prefix = runId(`gemini-${session}`);
  const events = makeEvents(prefix, EVENTS, SOURCES);
  const threats = rangeQuery(db, 'threats', prefix);
  const start = Date.now();
  const publishedAt = await publishSteadily('security-events', events, RATE);
  // A loaded machine can make the emulators' Pub/Sub delivery stall: say so rather than wait.
  let seen = -1;
  let movedAt = Date.now();
  await waitUntil(
    async () => {
      const count = await countOf(threats);
      if (count !== seen) [seen, movedAt] = [count, Date.now()];
      if (Date.now() - movedAt > 90_000) throw new Error(`${EVENTS - count} of ${EVENTS} events never became threats (no progress for 90 s): Pub/Sub delivery stalled`);
      return count >= EVENTS;
    },
    'threats',
    POLL_MS,
  );
  // Alerts, and (Gemini on) the model's records, follow the threats: wait until both settle.
  let written: DocumentData[] = [];
  let modelRecords = -1;
  let stableSince = Date.now();
  await waitUntil(
    async () => {
      written = (await threats.select('event_id', 'createdAt', 'alertedAt', 'risk.severity', 'model').get()).docs.map((doc) => doc.data());
      const alertsDone = written.every((doc) => !ALERTING.includes(doc.risk.severity) || doc.alertedAt);
      const records = written.filter((doc) => doc.model).length;
      if (records !== modelRecords) {
        modelRecords = records;
        stableSince = Date.now();
      }
      return alertsDone && Date.now() - stableSince >= 6_000;
    },
    'alerts and model records',
    POLL_MS,
  );
  const last = Math.max(...written.map((doc) => millis(doc.createdAt)));
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const toThreat = sorted(written.map((doc) => millis(doc.createdAt) - publishedAt.get(doc.event_id)!));
  const modelled = written.filter((doc) => doc.model);
  const toVerdict = sorted(modelled.map((doc) => millis(doc.model.at) - millis(doc.createdAt)));
  const byStatus: Record<string, number> = {};
  for (const doc of modelled) byStatus[doc.model.status] = (byStatus[doc.model.status] ?? 0) + 1;
  return {
    eventsPerSecond: EVENTS / ((last - start) / 1000),
    publishToThreat: { p50: percentile(toThreat, 50), p99: percentile(toThreat, 99) },
    threatToVerdict:
      modelled.length > 0 ? { p50: percentile(toVerdict, 50), p99: percentile(toVerdict, 99), n: modelled.length, byStatus } : undefined,
  };
}

async function session(name: 'off' | 'on', outFile: string) {
  const db = firestore();
  const fake = name === 'on' ? await FakeGemini.start({ port: FAKE_GEMINI_PORT, latencyMs: LATENCY_MS }) : undefined;
  if (fake) fake.recordBodies = false;
  console.log(`gemini-emulators, session "${name}": ${EVENTS} events at ${RATE}/s from ${SOURCES} sources`);
  // Warm up (worker start-up, GeoIP load) and count writes on sources the measured run never uses.
  const warmup = runId('warmup');
  await publishSteadily('security-events', makeEvents(warmup, 20, SOURCES, 1000), RATE);
  // On a loaded machine a threat can take seconds: wait for the warm-up's, then for the model.
  await waitUntil(async () => (await countOf(rangeQuery(db, 'threats', warmup))) >= 20, 'the warm-up threats', 1_000, 180_000);
  if (fake) {
    await waitUntil(async () => fake.requests.length > 0, 'a request to the fake Gemini API (is functions/.env.local loaded?)', 500, 60_000);
  }
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const writes = await writesPerEvent(
    db,
    'security-events',
    [...PIPELINE_COLLECTIONS.map((c) => db.collection(c)), db.collectionGroup('shards'), db.collectionGroup('sightings')],
    makeEvents(runId('writes'), WRITE_COUNT_EVENTS, SOURCES, 2000),
    RATE,
  );
  const requestsBefore = fake?.requests.length ?? 0;
  const run = await measuredRun(db, name);
  const modelRequests = (fake?.requests.length ?? 0) - requestsBefore;
  const figures: SessionFigures = {
    session: name,
    ...run,
    modelRequests,
    modelRequestsPerEvent: modelRequests / EVENTS,
    writesPerEvent: writes,
  };
  console.log(JSON.stringify(figures));
  writeFileSync(outFile, JSON.stringify(figures));
  await fake?.close();
}

const sessionName = textOption('session');
if (!sessionName) {
  orchestrate();
} else {
  if (!process.env.FIRESTORE_EMULATOR_HOST) throw new Error('--session runs inside tools/emulators.mjs exec');
  if (sessionName !== 'off' && sessionName !== 'on') throw new Error('--session off|on');
  session(sessionName, textOption('out')!)
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
