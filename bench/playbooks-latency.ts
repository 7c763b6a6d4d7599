// Playbook latency on the Emulator Suite: alert created → first step done (and → run finished).
//
//   npx tsx bench/playbooks-latency.ts [--alerts 60] [--rate 5] [--warmup 3]
//
// Writes brute-force alerts (each from its own public address) at a steady rate; the Functions
// emulator's playbooks-onAlertCreated runs "Brute-force response" on each (block_ip, then a Slack
// webhook to a local receiver, then a mail document). For every run it reads the alert's commit
// time and the run's step timestamps, and prints percentiles. The first runs pay the emulator's
// worker start-up and the playbook seeding: they are run first and reported apart (warm-up).
// Started without emulators, it starts them itself (functions + firestore, --project emulator-tests).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { autoRunId } from '../functions/src/playbooks/plan';
import { firestore, runId, uniquePublicIp, waitFor } from '../test/support/emulators';
import { alertDoc, writeAlert } from '../test/support/response-fixtures';
import { EMULATOR_WEBHOOK_PORT, emulatorWebhookSecrets, WebhookReceiver } from '../test/support/webhook-server';

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const ALERTS = option('alerts', 60);
const RATE = option('rate', 5);
const WARMUP = option('warmup', 3);

if (!process.env.FIRESTORE_EMULATOR_HOST) {
  execFileSync(
    'node',
    [
      join(ROOT, 'tools/emulators.mjs'),
      'exec',
      `npx tsx bench/playbooks-latency.ts ${args.join(' ')}`,
      '--only',
      'functions,firestore',
      '--project',
      'emulator-tests',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  process.exit(0);
}

interface Sample {
  firstStepMs: number;
  runMs: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function line(label: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (n: number) => `${Math.round(n)} ms`.padStart(8);
  return `${label.padEnd(34)} n=${String(sorted.length).padStart(3)}  p50 ${f(percentile(sorted, 50))}  p90 ${f(percentile(sorted, 90))}  p99 ${f(percentile(sorted, 99))}  max ${f(sorted.at(-1) ?? NaN)}`;
}

async function measure(count: number, ratePerSecond: number): Promise<Sample[]> {
  const db = firestore();
  const created: { alertId: string; writeTime: number }[] = [];
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const alertId = runId('latency');
    const writeTime = await writeAlert(db, alertId, alertDoc({ eventType: 'brute_force', sourceIp: uniquePublicIp(), severity: 'HIGH' }));
    created.push({ alertId, writeTime: writeTime.toMillis() });
  }
  const samples: Sample[] = [];
  for (const { alertId, writeTime } of created) {
    const run = await waitFor(
      `the run of ${alertId}`,
      async () => {
        const doc = (await db.collection('playbookRuns').doc(autoRunId(alertId, 'brute-force-response')).get()).data();
        return doc?.finishedAt ? doc : undefined;
      },
      120_000,
      100,
    );
    if (run.status !== 'SUCCEEDED') throw new Error(`run for ${alertId} ended ${run.status}: ${JSON.stringify(run.steps.map((s: { error: unknown }) => s.error))}`);
    samples.push({
      firstStepMs: run.steps[0].finishedAt.toMillis() - writeTime,
      runMs: run.finishedAt.toMillis() - writeTime,
    });
  }
  return samples;
}

async function main() {
  const receiver = await WebhookReceiver.start({ secrets: emulatorWebhookSecrets(), port: EMULATOR_WEBHOOK_PORT });
  try {
    const warm = await measure(WARMUP, 1);
    const samples = await measure(ALERTS, RATE);
    const slack = receiver.received((d) => d.path === '/slack');
    console.log('');
    console.log(`Playbook latency on the Emulator Suite (Brute-force response: block_ip → Slack webhook → mail)`);
    console.log(`${ALERTS} alerts at ${RATE}/s after ${WARMUP} warm-up alerts; ${slack.length} Slack deliveries, ${slack.filter((d) => d.signature === 'valid').length} with a valid signature`);
    console.log(line('warm-up: alert → first step done', warm.map((s) => s.firstStepMs)));
    console.log(line('alert created → first step done', samples.map((s) => s.firstStepMs)));
    console.log(line('alert created → run finished', samples.map((s) => s.runMs)));
  } finally {
    await receiver.close();
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
