// Metric counters under a 1,000-event burst, on the Emulator Suite.
//
//   npx tsx bench/metrics-burst.ts [--events 1000] [--seconds 3]
//
// 1. Through the Functions emulator: writes `events` threat documents at once (BulkWriter);
//    metrics-onThreatCreated counts each into its minute and hour buckets.
// 2. Directly: `events` events offered at 1,000 events/s to one counting instance (the plain
//    countThreat, as one production instance runs it), a rate the Functions emulator cannot reach
//    on one machine.
// 3. The same, sustained for `seconds` seconds: every shard is then written once per lap of the
//    instance's cursor (1,000 events, a second at that rate).
// For each it prints the most writes a single document received in any one second, the mean per
// shard document, and the document writes per event, all read back from the emulator's commit
// times (every counted fact's ledger entry carries its batch's commit time and its shard).
// Started without emulators, it starts them itself (functions + firestore, --project emulator-tests).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { threatIdFor } from '../functions/src/firestore/refs';
import { DEFAULT_RETENTION_DAYS, METRIC_SHARDS, ShardCursor } from '../functions/src/metrics/buckets';
import { countThreat } from '../functions/src/metrics/counters';
import { readBucket, sumBucket } from '../functions/src/metrics/read';
import { firestore, runId, waitFor } from '../test/support/emulators';
import { threatDoc } from '../test/support/response-fixtures';
import { shardWriteReport, type WriteRateReport } from '../test/support/shard-writes';

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const EVENTS = option('events', 1_000);
const SECONDS = option('seconds', 3);

if (!process.env.FIRESTORE_EMULATOR_HOST) {
  execFileSync(
    'node',
    [join(ROOT, 'tools/emulators.mjs'), 'exec', `npx tsx bench/metrics-burst.ts ${args.join(' ')}`, '--only', 'functions,firestore', '--project', 'emulator-tests'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  process.exit(0);
}

/** A minute of 2001 of this run's own: its buckets hold only this burst. */
function privateMinute(): Date {
  return new Date(Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 525_600) * 60_000 + 7_000);
}

const SEVERITIES = ['LOW', 'INFO'] as const;
const TYPES = ['port_scan', 'xss', 'sql_injection', 'phishing'] as const;
const COUNTRIES = ['NL', 'DE', 'US', 'CN', 'RU'];

async function writesPerEvent(at: Date, report: WriteRateReport): Promise<number> {
  const db = firestore();
  const [minute, hour] = await Promise.all([readBucket(db, 'minute', at), readBucket(db, 'hour', at)]);
  return (report.facts + minute.writes + hour.writes) / report.facts;
}

function print(label: string, report: WriteRateReport, perEvent: number, extra: string): void {
  console.log(`${label}`);
  console.log(`  events counted                       ${report.facts} in ${(report.durationMs / 1000).toFixed(1)} s (${report.factsPerSecond.toFixed(0)} events/s) ${extra}`);
  console.log(`  shard documents written              ${report.shardDocuments} (${METRIC_SHARDS} shards per bucket, minute + hour)`);
  console.log(`  max writes to one document in 1 s    ${report.maxWritesPerDocPerSecond} (${report.busiestDoc})`);
  console.log(`  mean writes per shard document / s   ${report.meanWritesPerDocPerSecond.toFixed(3)} (successive writes ${Number.isFinite(report.meanGapMs) ? `${report.meanGapMs.toFixed(0)} ms` : 'never'} apart)`);
  console.log(`  shard documents by peak writes/s     ${JSON.stringify(report.histogram)}`);
  console.log(`  Firestore writes per event           ${perEvent.toFixed(2)} (ledger entry + minute shard + hour shard)`);
}

async function throughFunctions(): Promise<void> {
  const db = firestore();
  const at = privateMinute();
  const prefix = runId('bench-burst');
  const keys: string[] = [];
  const writer = db.bulkWriter();
  const started = Date.now();
  for (let i = 0; i < EVENTS; i++) {
    const eventId = `${prefix}-${String(i).padStart(5, '0')}`;
    const threatId = threatIdFor(eventId);
    keys.push(`threat-${threatId}`);
    void writer.create(
      db.collection('threats').doc(threatId),
      threatDoc(
        {
          eventId,
          eventType: TYPES[i % TYPES.length]!,
          sourceIp: `185.234.${72 + (i % 8)}.${10 + (i % 200)}`,
          severity: SEVERITIES[i % SEVERITIES.length]!,
          country: COUNTRIES[i % COUNTRIES.length]!,
        },
        at,
      ),
    );
  }
  await writer.close();
  const written = Date.now() - started;
  await waitFor('every threat to be counted', async () => ((await sumBucket(db, 'minute', at)).events >= EVENTS ? true : undefined), 600_000, 1_000);
  const report = await shardWriteReport(db, keys);
  print(`1. ${EVENTS} threat documents written at once (in ${written} ms), counted by metrics-onThreatCreated on the Functions emulator`, report, await writesPerEvent(at, report), '');
}

async function direct(events: number, label: string): Promise<void> {
  const db = firestore();
  const at = privateMinute();
  const prefix = runId('bench-direct');
  const deps = { db, now: () => new Date(), cursor: new ShardCursor(), retentionDays: DEFAULT_RETENTION_DAYS };
  const keys: string[] = [];
  const pending: Promise<unknown>[] = [];
  const started = Date.now();
  for (let i = 0; i < events; i++) {
    const due = started + i; // offered at 1,000 events/s
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const eventId = `${prefix}-${i}`;
    keys.push(`threat-${eventId}`);
    pending.push(countThreat(eventId, threatDoc({ eventId, eventType: 'ddos', sourceIp: '185.234.72.91', severity: 'HIGH', country: 'RU' }, at), deps));
  }
  const offeredMs = Date.now() - started;
  await Promise.all(pending);
  const report = await shardWriteReport(db, keys);
  print(`${label} ${events} events offered at 1,000/s (over ${offeredMs} ms) to countThreat in one instance, against the Firestore emulator`, report, await writesPerEvent(at, report), '');
}

async function main() {
  console.log('');
  await throughFunctions();
  console.log('');
  await direct(EVENTS, '2.');
  console.log('');
  await direct(1_000 * SECONDS, '3.');
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
