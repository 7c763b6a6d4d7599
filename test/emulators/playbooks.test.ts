// Response playbooks on the Emulator Suite.
//
// Part 1 goes through the Functions emulator: an alert written to Firestore → playbooks-onAlertCreated
// / onAlertUpdated → playbookRuns, blocklist, mail, auditLog, and signed webhooks received by a real
// HTTP server on 127.0.0.1:5311 (functions/.env.emulator-tests points the playbook endpoints there;
// the emulators must run with `--project emulator-tests`; the signing secret comes from
// functions/.secret.local).
//
// Part 2 calls the engine's plain functions (executePlaybook, runAutoPlaybooks, resumeStalledRuns)
// against the emulator's Firestore, with test playbooks held in memory, to drive what a trigger
// cannot be made to do on demand: concurrent duplicate deliveries, a crash mid-run, a hanging
// endpoint, a missing secret, dry runs.
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../../functions/src/domain/config';
import { playbookRunsForAlertQuery } from '../../functions/src/firestore/queries';
import { threatIdFor } from '../../functions/src/firestore/refs';
import type { AlertDoc, AuditActor, PlaybookRunDoc } from '../../functions/src/firestore/schema';
import { MissingSecretError } from '../../functions/src/playbooks/actions';
import { BUILTIN_PLAYBOOKS } from '../../functions/src/playbooks/builtins';
import { PlaybookSchema, type Playbook, type PlaybookInput } from '../../functions/src/domain/playbook';
import type { PlaybookDeps, PlaybookSource } from '../../functions/src/playbooks/deps';
import {
  AlertNotFoundError,
  decideApprovalAndResume,
  executePlaybook,
  expireApprovals,
  PlaybookNotFoundError,
  resumeStalledRuns,
  RunBusyError,
  runAutoPlaybooks,
} from '../../functions/src/playbooks/executor';
import { autoRunId } from '../../functions/src/playbooks/plan';
import { ApprovalRefused } from '../../functions/src/playbooks/run';
import { addNeverBlock, removeNeverBlock } from '../../functions/src/playbooks/never-block-store';
import { seedBuiltinPlaybooks } from '../../functions/src/playbooks/store';
import { createWebhookClient, type WebhookClient, type WebhookReceiverName } from '../../functions/src/playbooks/webhook-client';
import { firestore, runId, settle, uniquePublicIp, waitFor } from '../support/emulators';
import { alertDoc, fireSchedule, threatDoc, writeAlert } from '../support/response-fixtures';
import { EMULATOR_WEBHOOK_PORT, emulatorWebhookSecrets, verdictUnder, WEBHOOK_PATHS, WebhookReceiver, type Delivery } from '../support/webhook-server';

const db = () => firestore();
let receiver: WebhookReceiver;
// Each receiver's own secret, by its path (functions/.secret.local).
let secrets: Record<string, string>;
const RECEIVER_PATHS: Record<WebhookReceiverName, string> = {
  webhook: WEBHOOK_PATHS.generic,
  slack: WEBHOOK_PATHS.slack,
  edr: WEBHOOK_PATHS.edr,
  ticketing: WEBHOOK_PATHS.ticketing,
};

beforeAll(async () => {
  secrets = emulatorWebhookSecrets();
  receiver = await WebhookReceiver.start({ secrets, port: EMULATOR_WEBHOOK_PORT });
  receiver.setDefault('/tickets', { status: 201, json: { key: 'SOC-1234' } });
  receiver.setDefault('/edr/isolate', { status: 202, json: { isolationId: 'iso-1' } });
});
afterAll(async () => {
  await receiver?.close();
});
beforeEach(() => receiver.reset());
// reset() clears scripts; defaults are set again for each test.
beforeEach(() => {
  receiver.setDefault('/tickets', { status: 201, json: { key: 'SOC-1234' } });
  receiver.setDefault('/edr/isolate', { status: 202, json: { isolationId: 'iso-1' } });
});

async function runDoc(runIdValue: string): Promise<PlaybookRunDoc | undefined> {
  const snapshot = await db().collection('playbookRuns').doc(runIdValue).get();
  return snapshot.exists ? (snapshot.data() as PlaybookRunDoc) : undefined;
}

function finishedRun(runIdValue: string, timeoutMs = 45_000): Promise<PlaybookRunDoc> {
  return waitFor(
    `run ${runIdValue} to finish`,
    async () => {
      const run = await runDoc(runIdValue);
      return run && ['SUCCEEDED', 'FAILED', 'PARTIAL'].includes(run.status) ? run : undefined;
    },
    timeoutMs,
    200,
  );
}

const deliveriesOf = (runIdValue: string) => (delivery: Delivery) =>
  (delivery.headers['x-threatstream-delivery'] ?? '').startsWith(`${runIdValue}:`);

async function auditEntry(id: string) {
  const snapshot = await db().collection('auditLog').doc(id).get();
  return snapshot.exists ? snapshot.data()! : undefined;
}

async function runsForAlert(alertId: string) {
  return (await playbookRunsForAlertQuery(db(), alertId, 50).get()).docs.map((doc) => ({ id: doc.id, ...doc.data() }));
}

describe('auto playbooks (Functions emulator)', () => {
  it('a brute-force alert blocks the source, posts a signed Slack message, queues a mail and audits each step', async () => {
    const alertId = runId('bf-alert');
    const sourceIp = uniquePublicIp();
    const alert = alertDoc({ eventType: 'brute_force', sourceIp, severity: 'HIGH', sourceCountry: 'NL', title: `Brute force from ${sourceIp} (NL)` });
    await writeAlert(db(), alertId, alert);

    const id = autoRunId(alertId, 'brute-force-response');
    const run = await finishedRun(id);
    expect(run).toMatchObject({ playbookId: 'brute-force-response', playbookVersion: 1, alertId, trigger: 'auto', dryRun: false, status: 'SUCCEEDED' });
    expect(run.actor).toEqual({ type: 'playbook', id: 'brute-force-response' });
    expect(run.steps.map((step) => [step.action, step.status, step.attempts])).toEqual([
      ['block_ip', 'SUCCEEDED', 1],
      ['notify_webhook', 'SUCCEEDED', 1],
      ['notify_email', 'SUCCEEDED', 1],
    ]);
    for (const step of run.steps) {
      expect(step.finishedAt!.toMillis()).toBeGreaterThanOrEqual(step.startedAt!.toMillis());
    }
    expect(run.leaseOwner).toBeNull();
    expect(run.expireAt.toMillis() - run.createdAt.toMillis()).toBe(180 * 86_400_000);

    // blocklist/{ip}: reason, alert, expiry 24 h after the block.
    const block = (await db().collection('blocklist').doc(sourceIp).get()).data()!;
    expect(block).toMatchObject({ ip: sourceIp, zone: 'public', alertId, runId: id, playbookId: 'brute-force-response' });
    expect(block.reason).toContain(`Brute force from ${sourceIp}`);
    expect(block.expireAt.toMillis() - block.updatedAt.toMillis()).toBe(24 * 3_600_000);

    // The Slack message: signed with the emulator's secret, Slack-shaped, idempotency key = run:step.
    const slack = await receiver.waitFor('the Slack message', (d) => d.path === '/slack' && deliveriesOf(id)(d));
    expect(slack.signature).toBe('valid');
    expect(slack.headers['x-threatstream-delivery']).toBe(`${id}:1`);
    expect(slack.json).toMatchObject({ text: expect.stringContaining(`[HIGH] Brute force from ${sourceIp} (NL)`), blocks: expect.any(Array) });

    // mail/{run}-{step}: the Trigger Email extension's format.
    const mail = (await db().collection('mail').doc(`${id}-2`).get()).data()!;
    expect(mail).toEqual({
      to: ['soc@threatstream.test'],
      message: {
        subject: `[ThreatStream] HIGH: Brute force from ${sourceIp} (NL)`,
        text: expect.stringContaining(`Source: ${sourceIp} (NL)`),
        html: expect.stringContaining('<table>'),
      },
    });

    // Audit: the run, and one entry per executed step.
    expect(await auditEntry(`${id}-run`)).toMatchObject({ action: 'playbook.auto_run', actor: { type: 'playbook', id: 'brute-force-response' } });
    expect(await auditEntry(`${id}-step-0`)).toMatchObject({
      action: 'playbook.block_ip',
      target: { collection: 'blocklist', id: sourceIp },
      changes: { action: 'blocklist.add', ip: sourceIp, runId: id, status: 'SUCCEEDED' },
    });
    expect(await auditEntry(`${id}-step-1`)).toMatchObject({ action: 'playbook.notify_webhook', changes: { status: 'SUCCEEDED' } });
    expect(await auditEntry(`${id}-step-2`)).toMatchObject({ action: 'playbook.notify_email', target: { collection: 'mail', id: `${id}-2` } });

    // The built-ins were seeded by the first trigger.
    const stored = await db().collection('playbooks').get();
    expect(stored.docs.map((doc) => doc.id)).toEqual(expect.arrayContaining(BUILTIN_PLAYBOOKS.map((p) => p.id)));
  });

  it('retries a webhook that answers 500, then 200', async () => {
    receiver.script('/slack', [{ status: 500, json: { error: 'try again' } }]);
    const alertId = runId('retry-alert');
    await writeAlert(db(), alertId, alertDoc({ eventType: 'suspicious_login', sourceIp: uniquePublicIp(), severity: 'CRITICAL' }));
    const id = autoRunId(alertId, 'brute-force-response');
    const run = await finishedRun(id);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps[1]!.output).toMatchObject({ status: 200, attempts: 2, log: [{ status: 500 }, { status: 200 }] });
    const slack = receiver.received((d) => d.path === '/slack' && deliveriesOf(id)(d));
    expect(slack).toHaveLength(2);
    expect(slack.every((d) => d.signature === 'valid' && d.headers['x-threatstream-delivery'] === `${id}:1`)).toBe(true);
  });

  it('refuses to block an internal source: that step fails, the others run, the run is PARTIAL', async () => {
    const alertId = runId('internal-alert');
    const sourceIp = '10.20.30.40';
    await writeAlert(db(), alertId, alertDoc({ eventType: 'brute_force', sourceIp, severity: 'HIGH' }));
    const id = autoRunId(alertId, 'brute-force-response');
    const run = await finishedRun(id);
    expect(run.status).toBe('PARTIAL');
    expect(run.steps[0]).toMatchObject({
      status: 'FAILED',
      error: { code: 'refused', message: expect.stringContaining('10.20.30.40 is in the private zone') },
    });
    expect(run.steps.slice(1).map((step) => step.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect((await db().collection('blocklist').doc(sourceIp).get()).exists).toBe(false);
    // The failure is audited too, and the alert itself is untouched.
    expect(await auditEntry(`${id}-step-0`)).toMatchObject({ changes: { status: 'FAILED' }, note: expect.stringContaining('refused') });
    expect((await db().collection('alerts').doc(alertId).get()).data()).toMatchObject({ status: 'OPEN', severity: 'HIGH' });
  });

  it('evaluates minOccurrences as threats join the alert, and still runs the playbook once', async () => {
    const alertId = runId('ddos-alert');
    const sourceIp = uniquePublicIp();
    const ref = db().collection('alerts').doc(alertId);
    await writeAlert(db(), alertId, alertDoc({ eventType: 'ddos', sourceIp, severity: 'HIGH' }));
    const id = autoRunId(alertId, 'ddos-mitigation');
    const noRunYet = async () => {
      await settle(async () => (await runsForAlert(alertId)).length, 1_500, 20_000);
      expect(await runDoc(id)).toBeUndefined();
    };
    await noRunYet();
    await ref.update({ occurrences: 2, updatedAt: Timestamp.now() });
    await noRunYet();
    await ref.update({ occurrences: 3, updatedAt: Timestamp.now() });
    const run = await finishedRun(id);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.map((step) => step.action)).toEqual(['block_ip', 'notify_webhook', 'create_ticket']);
    expect(run.steps[2]!.output).toMatchObject({ ticketId: 'SOC-1234', priority: 'P2' });
    const block = (await db().collection('blocklist').doc(sourceIp).get()).data()!;
    expect(block.expireAt.toMillis() - block.updatedAt.toMillis()).toBe(3_600_000);

    await ref.update({ occurrences: 4, updatedAt: Timestamp.now() });
    await ref.update({ occurrences: 5, updatedAt: Timestamp.now() });
    await settle(async () => (await runsForAlert(alertId)).map((r) => r.status), 1_500, 20_000);
    expect((await runsForAlert(alertId)).map((r) => r.playbookId)).toEqual(['ddos-mitigation']);
    expect(receiver.received((d) => d.path === '/tickets' && deliveriesOf(id)(d))).toHaveLength(1);
  });

  it('data exfiltration: blocks the external receiver, isolates the internal sender, escalates and opens a ticket', async () => {
    const alertId = runId('exfil-alert');
    const sender = '10.0.0.55';
    const receiverIp = uniquePublicIp();
    const eventId = runId('exfil-event');
    // The alert's latest threat names the destination (LOW: the alert trigger leaves it alone).
    const threatId = threatIdFor(eventId);
    await db()
      .collection('threats')
      .doc(threatId)
      .create(threatDoc({ eventId, eventType: 'data_exfiltration', sourceIp: sender, destinationIp: receiverIp, severity: 'LOW' }));
    await writeAlert(
      db(),
      alertId,
      alertDoc({ eventType: 'data_exfiltration', sourceIp: sender, severity: 'CRITICAL', threatIds: [threatId], eventIds: [eventId] }),
    );
    const id = autoRunId(alertId, 'data-exfiltration-response');
    const run = await finishedRun(id);
    expect(run.steps.map((step) => [step.action, step.status])).toEqual([
      ['block_ip', 'SUCCEEDED'],
      ['isolate_host', 'SUCCEEDED'],
      ['escalate', 'SUCCEEDED'],
      ['create_ticket', 'SUCCEEDED'],
      ['notify_webhook', 'SUCCEEDED'],
      ['notify_email', 'SUCCEEDED'],
    ]);
    expect(run.status).toBe('SUCCEEDED');
    expect((await db().collection('blocklist').doc(receiverIp).get()).data()).toMatchObject({ ip: receiverIp, alertId });
    expect((await db().collection('blocklist').doc(sender).get()).exists).toBe(false);

    const edr = await receiver.waitFor('the EDR request', (d) => d.path === '/edr/isolate' && deliveriesOf(id)(d));
    expect(edr.signature).toBe('valid');
    expect(edr.json).toMatchObject({ type: 'threatstream.edr.isolate_host', host: sender, alert: { id: alertId, destinationIp: receiverIp } });
    const ticket = await receiver.waitFor('the ticket', (d) => d.path === '/tickets' && deliveriesOf(id)(d));
    expect(ticket.json).toMatchObject({ priority: 'P1', queue: 'data-protection', labels: ['threatstream', 'data_exfiltration', 'critical'] });
    const generic = await receiver.waitFor('the generic webhook', (d) => d.path === '/generic' && deliveriesOf(id)(d));
    expect(generic.json).toMatchObject({ type: 'threatstream.alert.notification', alert: { id: alertId }, run: { id, step: 4 } });

    // One secret per receiver: each delivery verifies under its own receiver's secret only.
    for (const delivery of [edr, ticket, generic]) {
      expect(delivery.signature, delivery.path).toBe('valid');
      for (const [path, other] of Object.entries(secrets).filter(([path]) => path !== delivery.path)) {
        expect(verdictUnder(delivery, other), `${delivery.path} under ${path}'s secret`).toBe('mismatch');
      }
    }

    const alert = (await db().collection('alerts').doc(alertId).get()).data()!;
    expect(alert.assignee).toBe('data-protection');
    expect(await auditEntry(`${id}-step-2`)).toMatchObject({ action: 'playbook.escalate', target: { collection: 'alerts', id: alertId }, changes: { assignee: 'data-protection' } });
  });
});

// ---- Part 2: the engine's plain functions ----

class StaticCatalog implements PlaybookSource {
  constructor(private readonly playbooks: Playbook[]) {}
  async list() {
    return this.playbooks;
  }
  async get(_db: unknown, id: string) {
    return this.playbooks.find((playbook) => playbook.id === id);
  }
}

/** A test playbook; its trigger (xss) matches no built-in, so the emulator's triggers leave its alerts alone. */
function testPlaybook(input: Partial<PlaybookInput> & Pick<PlaybookInput, 'steps'>): Playbook {
  return PlaybookSchema.parse({
    id: 'test-playbook',
    version: 1,
    name: 'Test playbook',
    description: 'test',
    auto: true,
    trigger: { severities: ['HIGH', 'CRITICAL'], eventTypes: ['xss'], minOccurrences: 1 },
    ...input,
  });
}

interface DepsOptions {
  playbooks: Playbook[];
  secret?: string | null;
  now?: () => Date;
  http?: WebhookClient;
  urls?: Partial<Record<'slack' | 'generic' | 'edr' | 'ticketing', string>>;
  neverBlock?: string;
}

function deps(options: DepsOptions): PlaybookDeps {
  return {
    db: db(),
    now: options.now ?? (() => new Date()),
    http: options.http ?? createWebhookClient({ backoff: { baseMs: 20, maxMs: 80 } }),
    detection: DEFAULT_DETECTION_CONFIG,
    settings: {
      slackWebhookUrl: options.urls?.slack ?? receiver.url('/slack'),
      webhookUrl: options.urls?.generic ?? receiver.url('/generic'),
      edrUrl: options.urls?.edr ?? receiver.url('/edr/isolate'),
      ticketingUrl: options.urls?.ticketing ?? receiver.url('/tickets'),
      emailTo: ['soc@threatstream.test'],
      webhookSecret: (name) => {
        const value = options.secret === undefined ? secrets[RECEIVER_PATHS[name]] : options.secret;
        if (!value) throw new MissingSecretError(name === 'webhook' ? 'PLAYBOOK_WEBHOOK_SECRET' : `PLAYBOOK_${name.toUpperCase()}_SECRET`);
        return value;
      },
      runRetentionDays: 30,
      approvalTimeoutMinutes: 30,
      neverBlockCidrs: options.neverBlock ?? '',
    },
    catalog: new StaticCatalog(options.playbooks),
  };
}

const responder: AuditActor = { type: 'user', id: 'uid-responder', email: 'responder@threatstream.test', role: 'responder' };

async function xssAlert(fields: Partial<AlertDoc> = {}) {
  const alertId = runId('xss-alert');
  const alert = alertDoc({ eventType: 'xss', sourceIp: uniquePublicIp(), severity: 'HIGH', ...fields });
  await writeAlert(db(), alertId, alert);
  return { alertId, alert };
}

describe('executePlaybook (manual runs)', () => {
  const everyAction = testPlaybook({
    auto: false,
    steps: [
      { action: 'block_ip', params: { target: 'source', ttlHours: 2 } },
      { action: 'notify_webhook', params: { format: 'slack' } },
      { action: 'notify_email' },
      { action: 'create_ticket' },
      { action: 'escalate', params: { severity: 'CRITICAL', assignee: 'ir-team' } },
    ],
  });

  it('a dry run records what each step would do, and does none of it', async () => {
    const { alertId, alert } = await xssAlert();
    const result = await executePlaybook({ playbookId: everyAction.id, alertId, actor: responder, dryRun: true }, deps({ playbooks: [everyAction] }));
    expect(result.outcome).toBe('finished');
    expect(result.run).toMatchObject({ dryRun: true, trigger: 'manual', actor: responder, status: 'SUCCEEDED' });
    expect(result.run.steps.map((step) => step.output?.dryRun)).toEqual([true, true, true, true, true]);
    expect(result.run.steps[0]!.output).toMatchObject({ ip: alert.sourceIp, zone: 'public', ttlHours: 2 });
    expect(result.run.steps[1]!.output).toMatchObject({ url: `http://127.0.0.1:${EMULATOR_WEBHOOK_PORT}/slack/…`, body: { text: expect.any(String) } });
    expect(result.run.steps[4]!.output).toMatchObject({ severity: { from: 'HIGH', to: 'CRITICAL' }, assignee: { from: null, to: 'ir-team' }, changed: true });

    expect((await db().collection('blocklist').doc(alert.sourceIp).get()).exists).toBe(false);
    expect((await db().collection('mail').doc(`${result.runId}-2`).get()).exists).toBe(false);
    expect(receiver.received(deliveriesOf(result.runId))).toHaveLength(0);
    expect((await db().collection('alerts').doc(alertId).get()).data()).toMatchObject({ severity: 'HIGH', assignee: null });
    expect(await auditEntry(`${result.runId}-run`)).toMatchObject({ action: 'playbook.dry_run', actor: { type: 'user', id: 'uid-responder' } });
    expect(await auditEntry(`${result.runId}-step-0`)).toBeUndefined();
  });

  it('a real run does all of it and records the responder as the actor', async () => {
    const { alertId, alert } = await xssAlert();
    const result = await executePlaybook({ playbookId: everyAction.id, alertId, actor: responder, dryRun: false }, deps({ playbooks: [everyAction] }));
    expect(result.run.status).toBe('SUCCEEDED');
    expect((await db().collection('blocklist').doc(alert.sourceIp).get()).data()).toMatchObject({ blockedBy: responder, runId: result.runId });
    expect(receiver.received(deliveriesOf(result.runId)).map((d) => d.path).sort()).toEqual(['/slack', '/tickets']);
    expect((await db().collection('alerts').doc(alertId).get()).data()).toMatchObject({ severity: 'CRITICAL', assignee: 'ir-team' });
    expect(await auditEntry(`${result.runId}-step-4`)).toMatchObject({
      action: 'playbook.escalate',
      actor: responder,
      changes: { severity: 'CRITICAL', assignee: 'ir-team' },
    });
  });

  it('the same idempotency key from the same responder returns the same run instead of a second one', async () => {
    const { alertId } = await xssAlert();
    const request = { playbookId: everyAction.id, alertId, actor: responder, dryRun: false, requestKey: runId('key') };
    const first = await executePlaybook(request, deps({ playbooks: [everyAction] }));
    const second = await executePlaybook(request, deps({ playbooks: [everyAction] }));
    expect(second).toMatchObject({ runId: first.runId, outcome: 'already_finished' });
    expect(receiver.received((d) => d.path === '/slack' && deliveriesOf(first.runId)(d))).toHaveLength(1);
  });

  it('unknown playbooks and alerts are typed errors (the API answers 404)', async () => {
    const { alertId } = await xssAlert();
    await expect(
      executePlaybook({ playbookId: 'nope', alertId, actor: responder, dryRun: true }, deps({ playbooks: [everyAction] })),
    ).rejects.toBeInstanceOf(PlaybookNotFoundError);
    await expect(
      executePlaybook({ playbookId: everyAction.id, alertId: 'no-such-alert', actor: responder, dryRun: true }, deps({ playbooks: [everyAction] })),
    ).rejects.toBeInstanceOf(AlertNotFoundError);
  });

  it('a missing signing secret fails the webhook step loudly (nothing is sent unsigned); other steps still run', async () => {
    const playbook = testPlaybook({ auto: false, steps: [{ action: 'notify_webhook', params: { format: 'generic' } }, { action: 'notify_email' }] });
    const { alertId } = await xssAlert();
    const result = await executePlaybook({ playbookId: playbook.id, alertId, actor: responder, dryRun: false }, deps({ playbooks: [playbook], secret: null }));
    expect(result.run.status).toBe('PARTIAL');
    expect(result.run.steps[0]).toMatchObject({
      status: 'FAILED',
      error: { code: 'missing_secret', message: expect.stringContaining('PLAYBOOK_WEBHOOK_SECRET has no value') },
    });
    expect(result.run.steps[1]!.status).toBe('SUCCEEDED');
    expect(receiver.received(deliveriesOf(result.runId))).toHaveLength(0);
  });

  it('a hanging endpoint times out per attempt, is retried, fails its step and the run goes on', async () => {
    receiver.setDefault('/edr/isolate', { hang: true });
    const playbook = testPlaybook({
      auto: false,
      steps: [
        // The step's budget is far above 2 × 300 ms so that only the attempts can end it, even
        // when a loaded emulator is slow to answer the step's own reads (CI saw 5 s run out).
        { action: 'isolate_host', params: { target: 'source', attemptTimeoutMs: 300, maxAttempts: 2 }, timeoutMs: 60_000 },
        { action: 'notify_email' },
      ],
    });
    const { alertId } = await xssAlert({ sourceIp: '10.9.8.7' });
    const started = Date.now();
    const result = await executePlaybook({ playbookId: playbook.id, alertId, actor: responder, dryRun: false }, deps({ playbooks: [playbook] }));
    // Bounded by the attempts (2 × 300 ms and a backoff), not by the endpoint: it never answers.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.run.status).toBe('PARTIAL');
    expect(result.run.steps[0]).toMatchObject({
      status: 'FAILED',
      error: { code: 'timeout', message: expect.stringContaining('timed out after 300 ms') },
      output: { attempts: 2 },
    });
    expect(receiver.received((d) => d.path === '/edr/isolate' && deliveriesOf(result.runId)(d))).toHaveLength(2);
    expect(result.run.steps[1]!.status).toBe('SUCCEEDED');
  });

  it('a step whose budget runs out is a timeout', async () => {
    receiver.setDefault('/edr/isolate', { hang: true });
    const playbook = testPlaybook({
      auto: false,
      steps: [{ action: 'isolate_host', params: { target: 'source', attemptTimeoutMs: 10_000, maxAttempts: 3 }, timeoutMs: 500 }],
    });
    const { alertId } = await xssAlert({ sourceIp: '10.9.8.6' });
    const result = await executePlaybook({ playbookId: playbook.id, alertId, actor: responder, dryRun: false }, deps({ playbooks: [playbook] }));
    expect(result.run).toMatchObject({ status: 'FAILED', steps: [{ status: 'FAILED', error: { code: 'timeout' } }] });
  });

  it('onFailure "stop" skips the rest (a 4xx is not retried)', async () => {
    receiver.setDefault('/tickets-refused', { status: 400, json: { error: 'bad queue' } });
    const playbook = testPlaybook({
      auto: false,
      steps: [{ action: 'create_ticket', onFailure: 'stop' }, { action: 'notify_email' }, { action: 'notify_webhook' }],
    });
    const { alertId } = await xssAlert();
    const result = await executePlaybook(
      { playbookId: playbook.id, alertId, actor: responder, dryRun: false },
      deps({ playbooks: [playbook], urls: { ticketing: receiver.url('/tickets-refused') } }),
    );
    expect(result.run.status).toBe('FAILED');
    expect(result.run.steps.map((step) => [step.status, step.error?.code])).toEqual([
      ['FAILED', 'delivery_failed'],
      ['SKIPPED', 'skipped'],
      ['SKIPPED', 'skipped'],
    ]);
    expect(result.run.steps[0]!.output).toMatchObject({ status: 400, attempts: 1 });
    expect((await db().collection('mail').doc(`${result.runId}-1`).get()).exists).toBe(false);
  });

  it('escalate only raises severity and keeps an analyst\'s assignee unless told to overwrite', async () => {
    const playbook = testPlaybook({ auto: false, steps: [{ action: 'escalate', params: { severity: 'HIGH', assignee: 'bot' } }] });
    const { alertId } = await xssAlert({ severity: 'CRITICAL', assignee: 'alice' });
    const result = await executePlaybook({ playbookId: playbook.id, alertId, actor: responder, dryRun: false }, deps({ playbooks: [playbook] }));
    expect(result.run.steps[0]!.output).toMatchObject({ changed: false, severity: { from: 'CRITICAL', to: 'CRITICAL' }, assignee: { from: 'alice', to: 'alice' } });
    expect((await db().collection('alerts').doc(alertId).get()).data()).toMatchObject({ severity: 'CRITICAL', assignee: 'alice' });
  });

  it('a block is extended by a longer one and never shortened by a shorter one', async () => {
    const long = testPlaybook({ id: 'block-long', auto: false, steps: [{ action: 'block_ip', params: { ttlHours: 72 } }] });
    const short = testPlaybook({ id: 'block-short', auto: false, steps: [{ action: 'block_ip', params: { ttlHours: 1 } }] });
    const { alertId, alert } = await xssAlert();
    const d = deps({ playbooks: [long, short] });
    await executePlaybook({ playbookId: 'block-long', alertId, actor: responder, dryRun: false }, d);
    const first = (await db().collection('blocklist').doc(alert.sourceIp).get()).data()!;
    const result = await executePlaybook({ playbookId: 'block-short', alertId, actor: responder, dryRun: false }, d);
    const second = (await db().collection('blocklist').doc(alert.sourceIp).get()).data()!;
    expect(second.expireAt.toMillis()).toBe(first.expireAt.toMillis());
    expect(result.run.steps[0]!.output).toMatchObject({ previousExpireAt: first.expireAt.toDate().toISOString() });
  });
});

describe('at-least-once delivery and crashes (runAutoPlaybooks, resumeStalledRuns)', () => {
  const autoPlaybook = testPlaybook({
    steps: [{ action: 'block_ip' }, { action: 'notify_webhook', params: { format: 'generic' } }, { action: 'notify_email' }],
  });

  it('three concurrent deliveries of one alert make one run, one block, one webhook, one mail', async () => {
    const { alertId, alert } = await xssAlert();
    const d = deps({ playbooks: [autoPlaybook] });
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => runAutoPlaybooks(alertId, undefined, alert, d)));
    const id = autoRunId(alertId, autoPlaybook.id);
    // One delivery ran it; the others found it running (RunBusyError: retried later) or finished.
    const finished = outcomes.filter((o) => o.status === 'fulfilled' && o.value[0]?.outcome === 'finished');
    expect(finished).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(RunBusyError);
      else expect(['finished', 'already_finished']).toContain(outcome.value[0]!.outcome);
    }
    const again = await runAutoPlaybooks(alertId, undefined, alert, d);
    expect(again.map((r) => r.outcome)).toEqual(['already_finished']);

    expect((await runsForAlert(alertId)).map((r) => r.id)).toEqual([id]);
    expect((await runDoc(id))!.steps.map((step) => step.attempts)).toEqual([1, 1, 1]);
    expect(receiver.received(deliveriesOf(id))).toHaveLength(1);
    // Mail documents are named run-step: a second execution of the step would have found it.
    expect((await db().collection('mail').doc(`${id}-2`).get()).exists).toBe(true);
    expect((await runDoc(id))!.steps[2]!.output).toMatchObject({ mailId: `${id}-2`, alreadyQueued: false });
  });

  /** An HTTP client that fails like an instance dying mid-call: a transient error the engine does not absorb. */
  function crashingClient(failures: number): WebhookClient & { calls: number } {
    const real = createWebhookClient();
    const client = {
      calls: 0,
      async post(request: Parameters<WebhookClient['post']>[0]) {
        client.calls++;
        if (client.calls <= failures) throw Object.assign(new Error('instance lost (simulated)'), { code: 14 });
        return real.post(request);
      },
    };
    return client;
  }

  it('a run that crashed mid-way is resumed after its lease: finished steps are not run again', async () => {
    const { alertId, alert } = await xssAlert();
    const id = autoRunId(alertId, autoPlaybook.id);
    const http = crashingClient(1);
    await expect(runAutoPlaybooks(alertId, undefined, alert, deps({ playbooks: [autoPlaybook], http }))).rejects.toThrow(/instance lost/);
    const crashed = (await runDoc(id))!;
    expect(crashed.status).toBe('RUNNING');
    expect(crashed.steps.map((step) => [step.status, step.attempts])).toEqual([
      ['SUCCEEDED', 1],
      ['RUNNING', 1],
      ['PENDING', 0],
    ]);

    // A redelivery while the lease is live leaves it alone (and is retried later).
    await expect(runAutoPlaybooks(alertId, undefined, alert, deps({ playbooks: [autoPlaybook], http }))).rejects.toBeInstanceOf(RunBusyError);

    // Once the lease has run out, the sweeper resumes it at the interrupted step.
    const later = () => new Date(Date.now() + 10 * 60_000);
    const resumed = await resumeStalledRuns(deps({ playbooks: [autoPlaybook], http, now: later }));
    expect(resumed.find((r) => r.runId === id)?.outcome).toBe('finished');
    const run = (await runDoc(id))!;
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.map((step) => [step.status, step.attempts])).toEqual([
      ['SUCCEEDED', 1],
      ['SUCCEEDED', 2],
      ['SUCCEEDED', 1],
    ]);
    expect(receiver.received(deliveriesOf(id))).toHaveLength(1);
  });

  it('a step interrupted three times is failed instead of being retried for ever', async () => {
    const { alertId, alert } = await xssAlert();
    const id = autoRunId(alertId, autoPlaybook.id);
    const http = crashingClient(100);
    await expect(runAutoPlaybooks(alertId, undefined, alert, deps({ playbooks: [autoPlaybook], http }))).rejects.toThrow(/instance lost/);
    let minutes = 10;
    const resumeLater = () => resumeStalledRuns(deps({ playbooks: [autoPlaybook], http, now: () => new Date(Date.now() + minutes * 60_000) }));
    await expect(resumeLater()).rejects.toThrow(/instance lost/);
    minutes += 10;
    await expect(resumeLater()).rejects.toThrow(/instance lost/);
    minutes += 10;
    await resumeLater();
    const run = (await runDoc(id))!;
    expect(run.status).toBe('PARTIAL');
    expect(run.steps[1]).toMatchObject({ status: 'FAILED', attempts: 3, error: { code: 'interrupted' } });
    expect(run.steps[2]!.status).toBe('SUCCEEDED');
    expect(http.calls).toBe(3);
  });
});

describe('the scheduled sweeper (playbooks-resumeStalled on the Functions emulator)', () => {
  it('finishes a run whose invocation died, when its schedule fires', async () => {
    const playbook = testPlaybook({ steps: [{ action: 'block_ip' }, { action: 'notify_webhook', params: { format: 'generic' } }] });
    const { alertId, alert } = await xssAlert();
    const id = autoRunId(alertId, playbook.id);
    // A run that an instance started an hour ago and died in: its lease ran out long since.
    const dying: WebhookClient = {
      post: async () => {
        throw Object.assign(new Error('instance lost (simulated)'), { code: 14 });
      },
    };
    const anHourAgo = () => new Date(Date.now() - 3_600_000);
    await expect(runAutoPlaybooks(alertId, undefined, alert, deps({ playbooks: [playbook], http: dying, now: anHourAgo }))).rejects.toThrow(/instance lost/);
    expect((await runDoc(id))!.status).toBe('RUNNING');

    // Fired now, as Cloud Scheduler does (an HTTP POST to the function), rather than waiting for
    // its schedule: test/stack/start.test.ts sees the schedules run under `npm start`.
    await fireSchedule('playbooks-resumeStalled');
    const run = await finishedRun(id);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.map((step) => [step.status, step.attempts])).toEqual([
      ['SUCCEEDED', 1],
      ['SUCCEEDED', 2],
    ]);
    const delivery = await receiver.waitFor('the resumed webhook', (d) => d.path === '/generic' && deliveriesOf(id)(d));
    expect(delivery.signature).toBe('valid');
  });
});

describe('seeding', () => {
  it('creates, keeps, upgrades and never downgrades a built-in by version', async () => {
    const base = { ...BUILTIN_PLAYBOOKS[0]!, id: runId('seed-test').toLowerCase(), auto: false };
    const now = new Date();
    const at = (version: number) => seedBuiltinPlaybooks(db(), now, [{ ...base, version, name: `v${version}` }]);
    expect((await at(1))[0]!.outcome).toBe('created');
    expect((await at(1))[0]!.outcome).toBe('unchanged');
    expect((await at(2))[0]!.outcome).toBe('upgraded');
    expect((await at(1))[0]!.outcome).toBe('kept_newer');
    const stored = (await db().collection('playbooks').doc(base.id).get()).data()!;
    expect(stored).toMatchObject({ version: 2, name: 'v2', source: 'builtin' });
    await db().collection('playbooks').doc(base.id).delete();
  });

  it('concurrent seeders (many cold starts at once) agree', async () => {
    const base = { ...BUILTIN_PLAYBOOKS[0]!, id: runId('seed-race').toLowerCase(), auto: false };
    const outcomes = (await Promise.all([1, 2, 3, 4].map(() => seedBuiltinPlaybooks(db(), new Date(), [base])))).map((r) => r[0]!.outcome);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'unchanged')).toHaveLength(3);
    await db().collection('playbooks').doc(base.id).delete();
  });
});

describe('approvals', () => {
  const blockThenTell = testPlaybook({
    steps: [
      { action: 'block_ip', params: { target: 'source', ttlHours: 2 } },
      { action: 'notify_webhook', params: { format: 'generic' } },
    ],
  });

  async function approval(id: string) {
    return (await db().collection('approvals').doc(id).get()).data();
  }

  async function blocked(ip: string, runIdValue: string) {
    return (await db().collection('blocklist').doc(ip).get()).data()?.runId === runIdValue;
  }

  it('a model-raised alert: the automatic block waits for a responder, who approves it; everything audited', async () => {
    const { alertId, alert } = await xssAlert({ approvalConditions: ['model_raised'] });
    const [paused] = await runAutoPlaybooks(alertId, undefined, alert, deps({ playbooks: [blockThenTell] }));
    expect(paused!.outcome).toBe('awaiting_approval');
    const id = paused!.runId;
    const run = (await runDoc(id))!;
    expect(run.status).toBe('AWAITING_APPROVAL');
    expect(run.leaseOwner).toBeNull();
    expect(run.steps.map((step) => step.status)).toEqual(['AWAITING_APPROVAL', 'PENDING']);
    expect(await blocked(alert.sourceIp, id)).toBe(false);
    expect(receiver.deliveries.filter(deliveriesOf(id))).toHaveLength(0);

    const pending = (await approval(`${id}-0`))!;
    expect(pending).toMatchObject({ status: 'PENDING', runId: id, stepIndex: 0, action: 'block_ip', alertId, reasons: ['model_raised'] });
    expect(pending.preview).toMatchObject({ dryRun: true, ip: alert.sourceIp, ttlHours: 2 });
    expect(pending.expiresAt.toMillis() - pending.requestedAt.toMillis()).toBe(30 * 60_000);
    expect(await auditEntry(`${id}-0-requested`)).toMatchObject({ action: 'approval.request', changes: { action: 'block_ip', reasons: ['model_raised'] } });

    // A redelivered trigger neither runs the step nor throws (the run is not busy, it waits).
    const again = await runAutoPlaybooks(alertId, undefined, alert, deps({ playbooks: [blockThenTell] }));
    expect(again.map((result) => result.outcome)).toEqual(['awaiting_approval']);
    expect(await blocked(alert.sourceIp, id)).toBe(false);

    const decided = await decideApprovalAndResume({ approvalId: `${id}-0`, decision: 'approve', actor: responder, note: 'seen it' }, deps({ playbooks: [blockThenTell] }));
    expect(decided.approval).toMatchObject({ status: 'APPROVED', decidedBy: responder, note: 'seen it' });
    expect(decided.run!.outcome).toBe('finished');
    expect(decided.run!.run.status).toBe('SUCCEEDED');
    expect(decided.run!.run.steps[0]!.approval).toMatchObject({ status: 'APPROVED', decidedBy: responder });
    expect(await blocked(alert.sourceIp, id)).toBe(true);
    expect(await auditEntry(`${id}-0-decided`)).toMatchObject({ action: 'approval.approve', actor: responder, note: 'seen it' });

    // A second decision is refused: the approval is decided once.
    await expect(
      decideApprovalAndResume({ approvalId: `${id}-0`, decision: 'reject', actor: responder }, deps({ playbooks: [blockThenTell] })),
    ).rejects.toBeInstanceOf(ApprovalRefused);
  });

  it('rejected: the block is not done, the rest of the run goes on, the run is PARTIAL', async () => {
    const { alertId, alert } = await xssAlert({ approvalConditions: ['spoofable_source'] });
    const [paused] = await runAutoPlaybooks(alertId, undefined, alert, deps({ playbooks: [blockThenTell] }));
    const id = paused!.runId;
    const decided = await decideApprovalAndResume({ approvalId: `${id}-0`, decision: 'reject', actor: responder }, deps({ playbooks: [blockThenTell] }));
    expect(decided.approval.status).toBe('REJECTED');
    const run = decided.run!.run;
    expect(run.status).toBe('PARTIAL');
    expect(run.steps.map((step) => [step.status, step.error?.code ?? null])).toEqual([
      ['SKIPPED', 'approval_rejected'],
      ['SUCCEEDED', null],
    ]);
    expect(await blocked(alert.sourceIp, id)).toBe(false);
    expect(await auditEntry(`${id}-0-decided`)).toMatchObject({ action: 'approval.reject', actor: responder });
  });

  it('nobody decides: the approval expires after its time into "not done", and the run finishes', async () => {
    const { alertId, alert } = await xssAlert({ approvalConditions: ['low_rules_confidence'] });
    const [paused] = await runAutoPlaybooks(alertId, undefined, alert, deps({ playbooks: [blockThenTell] }));
    const id = paused!.runId;
    // Before its time, the sweep leaves it alone.
    await expireApprovals(deps({ playbooks: [blockThenTell] }));
    expect((await approval(`${id}-0`))!.status).toBe('PENDING');
    const later = () => new Date(Date.now() + 31 * 60_000);
    const expired = await expireApprovals(deps({ playbooks: [blockThenTell], now: later }));
    expect(expired).toContain(`${id}-0`);
    expect((await approval(`${id}-0`))).toMatchObject({ status: 'EXPIRED', decidedBy: { type: 'system' } });
    const run = await finishedRun(id);
    expect(run.steps.map((step) => [step.status, step.error?.code ?? null])).toEqual([
      ['SKIPPED', 'approval_expired'],
      ['SUCCEEDED', null],
    ]);
    expect(await blocked(alert.sourceIp, id)).toBe(false);
    expect(await auditEntry(`${id}-0-decided`)).toMatchObject({ action: 'approval.expire' });
  });

  it('an approve that arrives after the expiry is refused and the step is not done', async () => {
    const { alertId, alert } = await xssAlert({ approvalConditions: ['model_raised'] });
    const [paused] = await runAutoPlaybooks(alertId, undefined, alert, deps({ playbooks: [blockThenTell] }));
    const id = paused!.runId;
    const later = () => new Date(Date.now() + 31 * 60_000);
    const decided = await decideApprovalAndResume({ approvalId: `${id}-0`, decision: 'approve', actor: responder }, deps({ playbooks: [blockThenTell], now: later }));
    expect(decided.decided).toBe('expire');
    expect(decided.approval.status).toBe('EXPIRED');
    expect(await blocked(alert.sourceIp, id)).toBe(false);
  });

  it('a step with requiresApproval waits even on a clean alert and a manual run; non-destructive steps of a flagged alert do not wait', async () => {
    const playbook = testPlaybook({
      auto: false,
      steps: [
        { action: 'notify_webhook', params: { format: 'generic' } },
        { action: 'create_ticket', requiresApproval: true },
      ],
    });
    const { alertId } = await xssAlert({ approvalConditions: ['model_raised'] });
    const result = await executePlaybook({ playbookId: playbook.id, alertId, actor: responder, dryRun: false }, deps({ playbooks: [playbook] }));
    expect(result.outcome).toBe('awaiting_approval');
    expect(result.run.steps.map((step) => step.status)).toEqual(['SUCCEEDED', 'AWAITING_APPROVAL']);
    expect((await approval(`${result.runId}-1`))!.reasons).toEqual(['step_requires_approval']);
  });

  it('a dry run waits for nobody and says which steps would wait, and why', async () => {
    const { alertId } = await xssAlert({ approvalConditions: ['model_raised', 'spoofable_source'] });
    const playbook = testPlaybook({
      auto: false,
      steps: [
        { action: 'block_ip', params: { target: 'source', ttlHours: 2 } },
        { action: 'notify_webhook', params: { format: 'generic' } },
        { action: 'create_ticket', requiresApproval: true },
      ],
    });
    const result = await executePlaybook({ playbookId: playbook.id, alertId, actor: responder, dryRun: true }, deps({ playbooks: [playbook] }));
    expect(result.outcome).toBe('finished');
    expect(result.run.steps.map((step) => step.output?.wouldWaitForApproval ?? null)).toEqual([
      ['model_raised', 'spoofable_source'],
      null,
      ['step_requires_approval'],
    ]);
    expect(await db().collection('approvals').doc(`${result.runId}-0`).get()).toHaveProperty('exists', false);
  });
});

describe('what block_ip may block', () => {
  const blockSource = testPlaybook({ auto: false, steps: [{ action: 'block_ip', params: { target: 'source', ttlHours: 1 } }, { action: 'notify_email' }] });
  const admin: AuditActor = { type: 'user', id: 'uid-admin', role: 'admin' };

  it('the NEVER_BLOCK_CIDRS param wins over a responder\'s run and over an approval', async () => {
    const { alertId, alert } = await xssAlert();
    const protectedNet = `${alert.sourceIp.split('.').slice(0, 3).join('.')}.0/24`;
    const result = await executePlaybook({ playbookId: blockSource.id, alertId, actor: responder, dryRun: false }, deps({ playbooks: [blockSource], neverBlock: `192.0.2.1, ${protectedNet}` }));
    expect(result.run.steps[0]).toMatchObject({ status: 'FAILED', error: { code: 'refused', message: expect.stringContaining('never-block list') } });
    expect(result.run.steps[1]!.status).toBe('SUCCEEDED');
    expect((await db().collection('blocklist').doc(alert.sourceIp).get()).exists).toBe(false);

    // Approved by a person: still refused.
    const flagged = await xssAlert({ approvalConditions: ['model_raised'], sourceIp: alert.sourceIp });
    const auto = { ...blockSource, auto: true };
    const [paused] = await runAutoPlaybooks(flagged.alertId, undefined, flagged.alert, deps({ playbooks: [auto], neverBlock: protectedNet }));
    expect(paused!.outcome).toBe('awaiting_approval');
    const decided = await decideApprovalAndResume({ approvalId: `${paused!.runId}-0`, decision: 'approve', actor: responder }, deps({ playbooks: [auto], neverBlock: protectedNet }));
    expect(decided.run!.run.steps[0]).toMatchObject({ status: 'FAILED', error: { code: 'refused' } });
    expect((await db().collection('blocklist').doc(alert.sourceIp).get()).exists).toBe(false);
  });

  it('the admin-managed list (Firestore, audited) wins too; removing the entry lets the block through', async () => {
    const { alertId, alert } = await xssAlert();
    const added = await addNeverBlock(db(), alert.sourceIp, 'partner VPN', admin, new Date());
    expect(added.added).toBe(true);
    const audit = await db().collection('auditLog').where('target.id', '==', added.id).get();
    expect(audit.docs.map((doc) => doc.data())).toEqual([expect.objectContaining({ action: 'never_block.add', actor: admin, changes: { cidr: `${alert.sourceIp}/32`, reason: 'partner VPN' } })]);

    const refused = await executePlaybook({ playbookId: blockSource.id, alertId, actor: responder, dryRun: true }, deps({ playbooks: [blockSource] }));
    expect(refused.run.steps[0]).toMatchObject({ status: 'FAILED', error: { code: 'refused', message: expect.stringContaining('partner VPN') } });

    expect(await removeNeverBlock(db(), alert.sourceIp, admin, new Date())).toBe(true);
    const done = await executePlaybook({ playbookId: blockSource.id, alertId, actor: responder, dryRun: false }, deps({ playbooks: [blockSource] }));
    expect(done.run.steps[0]!.status).toBe('SUCCEEDED');
    expect((await db().collection('blocklist').doc(alert.sourceIp).get()).data()?.runId).toBe(done.runId);
  });

  it('only addresses the alert\'s own threats saw: a destination from a threat of another alert is refused', async () => {
    const elsewhere = uniquePublicIp();
    const eventId = runId('foreign-threat');
    const threatId = threatIdFor(eventId);
    await db()
      .collection('threats')
      .doc(threatId)
      .create({ ...threatDoc({ eventId, eventType: 'xss', sourceIp: '10.0.0.77', destinationIp: elsewhere, severity: 'LOW' }), alertId: 'another-alert' });
    const { alertId } = await xssAlert({ sourceIp: '10.0.0.77', threatIds: [threatId], eventIds: [eventId] });
    const external = testPlaybook({ auto: false, steps: [{ action: 'block_ip', params: { target: 'external', ttlHours: 1 } }] });
    const result = await executePlaybook({ playbookId: external.id, alertId, actor: responder, dryRun: false }, deps({ playbooks: [external] }));
    expect(result.run.steps[0]).toMatchObject({ status: 'FAILED', error: { code: 'refused', message: expect.stringContaining("none of alert") } });
    expect((await db().collection('blocklist').doc(elsewhere).get()).exists).toBe(false);
  });
});
