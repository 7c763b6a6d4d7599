// `npm start` as the README runs it (tools/start.mjs: emulators, Kafka, bridge, demo stream), and
// the schedules it runs (tools/schedules.mjs): the risk index is computed and kept current, and a
// playbook run whose invocation died is finished by playbooks-resumeStalled.
//
// Not inside `emulators:exec`: start.mjs starts its own emulators, on the usual ports
// (`npm run test:stack`). THREATSTREAM_SCHEDULE_SPEEDUP=5 runs every schedule five times as
// often (resumeStalled every minute instead of every 5), so the test does not wait 5 minutes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../../functions/src/domain/config';
import type { PlaybookRunDoc } from '../../functions/src/firestore/schema';
import { PlaybookSchema, type Playbook } from '../../functions/src/domain/playbook';
import type { PlaybookDeps } from '../../functions/src/playbooks/deps';
import { runAutoPlaybooks } from '../../functions/src/playbooks/executor';
import { autoRunId } from '../../functions/src/playbooks/plan';
import { firestore, runId, uniquePublicIp, waitFor } from '../support/emulators';
import { alertDoc, writeAlert } from '../support/response-fixtures';

// The stack's emulators are on the usual ports (design.md), not in this process's environment.
process.env.FIRESTORE_EMULATOR_HOST ??= '127.0.0.1:8080';
const ROOT = resolve(__dirname, '../..');
const SPEEDUP = 5;

let stack: ChildProcess | undefined;
let upAt = 0;
const output: string[] = [];

/** Stops start.mjs as Ctrl-C does (it stops its children in order), then its whole group. */
async function stopStack() {
  if (!stack || stack.exitCode !== null || stack.signalCode !== null) return;
  const exited = new Promise((done) => stack!.once('exit', done));
  stack.kill('SIGINT');
  const timer = setTimeout(() => {
    try {
      process.kill(-stack!.pid!, 'SIGKILL');
    } catch {}
  }, 60_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  // The demo stream at npm start's own rate (2/s). At 10/s its trigger invocations outran two
  // loaded cores, and a schedule's firing queued behind them in the Functions emulator: the
  // recomputed risk index came after the wait below (CI-like run, 2026-12-07).
  stack = spawn(process.execPath, [join(ROOT, 'tools/start.mjs'), '--demo-rate', '2'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', THREATSTREAM_SCHEDULE_SPEEDUP: String(SPEEDUP) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [stack.stdout!, stack.stderr!]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  await waitFor(
    'npm start to say ThreatStream is running',
    async () => {
      if (stack!.exitCode !== null) throw new Error(`tools/start.mjs exited ${stack!.exitCode}:\n${output.join('').slice(-4_000)}`);
      return output.join('').includes('ThreatStream is running') || undefined;
    },
    240_000,
    250,
  );
  upAt = Date.now();
}, 300_000);

afterAll(async () => {
  await stopStack();
  // What npm start printed, for a failure's post-mortem (test-results/ is git-ignored).
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  writeFileSync(join(ROOT, 'test-results/stack-start.log'), output.join(''));
}, 90_000);

describe('npm start runs the schedules', () => {
  it('lists the scheduled functions it found in the code, with their own schedules', async () => {
    // The scheduler re-reads the Functions emulator's list every few seconds: scheduled functions
    // register only once Pub/Sub is up, which can be after "ThreatStream is running".
    const lines = ['schedules: metrics-updateRiskIndex runs every 1 minutes', 'schedules: playbooks-resumeStalled runs every 5 minutes'];
    await waitFor('the scheduler to list both schedules', async () => lines.every((line) => output.join('').includes(line)) || undefined, 60_000, 500);
    for (const line of lines) expect(output.join('')).toContain(line);
  }, 90_000);

  it('computes riskIndex/current within two minutes, from the demo stream, and keeps it current', async () => {
    const db = firestore();
    const first = await waitFor(
      'riskIndex/current',
      async () => (await db.collection('riskIndex').doc('current').get()).data(),
      120_000,
      500,
    );
    expect(Date.now() - upAt).toBeLessThan(120_000);
    expect(first).toMatchObject({ kind: 'current', windowMinutes: 30 });
    // The next firing moves it on: computed again, later.
    const next = await waitFor(
      'riskIndex/current recomputed',
      async () => {
        const doc = (await db.collection('riskIndex').doc('current').get()).data();
        return doc && doc.computedAt.toMillis() > first.computedAt.toMillis() ? doc : undefined;
      },
      // Two periods, and room for a firing that waits its turn behind the demo stream's triggers.
      (2 * 60_000) / SPEEDUP + 45_000,
      500,
    );
    expect(next.computedAt.toMillis()).toBeGreaterThan(first.computedAt.toMillis());
    // The demo stream's threats are what it counts.
    expect((await db.collection('threats').limit(1).get()).size).toBe(1);
  }, 240_000);

  it('finishes a playbook run whose invocation died, when playbooks-resumeStalled fires', async () => {
    const db = firestore();
    // A run that an instance started an hour ago and died in (its lease long run out), as
    // test/emulators/playbooks.test.ts makes one. Its playbook (xss) matches no built-in.
    const playbook: Playbook = PlaybookSchema.parse({
      id: 'stack-test-playbook',
      version: 1,
      name: 'Stack test playbook',
      description: 'test',
      auto: true,
      trigger: { severities: ['HIGH', 'CRITICAL'], eventTypes: ['xss'], minOccurrences: 1 },
      steps: [{ action: 'block_ip' }, { action: 'notify_webhook', params: { format: 'generic' } }],
    });
    const alertId = runId('stack-xss-alert');
    const alert = alertDoc({ eventType: 'xss', sourceIp: uniquePublicIp(), severity: 'HIGH' });
    await writeAlert(db, alertId, alert);
    const dyingAtTheWebhook: PlaybookDeps = {
      db,
      now: () => new Date(Date.now() - 3_600_000),
      http: {
        post: async () => {
          throw Object.assign(new Error('instance lost (simulated)'), { code: 14 });
        },
      },
      detection: DEFAULT_DETECTION_CONFIG,
      settings: {
        slackWebhookUrl: '',
        webhookUrl: 'http://127.0.0.1:9/never-reached',
        edrUrl: '',
        ticketingUrl: '',
        emailTo: [],
        webhookSecret: () => 'unused',
        runRetentionDays: 1,
        approvalTimeoutMinutes: 30,
        neverBlockCidrs: '',
      },
      catalog: { list: async () => [playbook], get: async (_db, id) => (id === playbook.id ? playbook : undefined) },
    };
    await expect(runAutoPlaybooks(alertId, undefined, alert, dyingAtTheWebhook)).rejects.toThrow(/instance lost/);
    const id = autoRunId(alertId, playbook.id);
    const runDoc = async () => (await db.collection('playbookRuns').doc(id).get()).data() as PlaybookRunDoc | undefined;
    const stalled = (await runDoc())!;
    expect(stalled.status).toBe('RUNNING');
    expect(stalled.steps.map((step) => step.status)).toEqual(['SUCCEEDED', 'RUNNING']);

    // Nothing but the schedule resumes it: no trigger is delivered for this run again.
    const run = await waitFor(
      `run ${id} resumed by the schedule`,
      async () => {
        const doc = await runDoc();
        return doc && doc.status !== 'RUNNING' ? doc : undefined;
      },
      (5 * 60_000) / SPEEDUP + 20_000,
      500,
    );
    expect(run.steps.map((step) => [step.action, step.status, step.attempts])).toEqual([
      ['block_ip', 'SUCCEEDED', 1],
      // Run again where it was interrupted, with the demo project's config: no webhook there.
      ['notify_webhook', 'FAILED', 2],
    ]);
    expect(run.steps[1]!.error).toMatchObject({ code: 'not_configured' });
    expect(run.status).toBe('PARTIAL');
  });
});
