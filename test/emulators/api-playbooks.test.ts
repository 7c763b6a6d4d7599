// Playbooks and analytics through the API, over real HTTP on the Emulator Suite.
import { randomUUID } from 'node:crypto';
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketId, bucketStart } from '../../functions/src/metrics/buckets';
import { updateRiskIndex } from '../../functions/src/metrics/update-risk-index';
import { call, storeAlert, type ApiResponse } from '../support/api';
import { createUsersByRole, type Role, type TestUser } from '../support/auth';
import { firestore, uniquePublicIp, waitFor } from '../support/emulators';

let users: Record<Role | 'none', TestUser>;

beforeAll(async () => {
  users = await createUsersByRole();
});

describe('GET /playbooks', () => {
  it('lists the built-in playbooks with their triggers and steps', async () => {
    const response = await call('/playbooks', { token: users.viewer.idToken });
    expect(response.status).toBe(200);
    const ids = response.body.playbooks.map((playbook: { id: string }) => playbook.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'brute-force-response',
        'ransomware-containment',
        'data-exfiltration-response',
        'ddos-mitigation',
        'malware-containment',
      ]),
    );
    expect(ids).toEqual([...ids].sort());
    const bruteForce = response.body.playbooks.find((playbook: { id: string }) => playbook.id === 'brute-force-response');
    expect(bruteForce.trigger.eventTypes).toContain('brute_force');
    expect(bruteForce.steps.length).toBeGreaterThan(0);
    expect(typeof bruteForce.auto).toBe('boolean');
  });
});

describe('approvals', () => {
  /** A brute-force alert the model raised: brute-force-response's block waits for a responder. */
  async function pendingBlock() {
    const sourceIp = uniquePublicIp();
    const { id: alertId } = await storeAlert({ eventType: 'brute_force', sourceIp, approvalConditions: ['model_raised'] });
    const approval = await waitFor(
      'the block to wait for approval',
      async () => {
        const snapshot = await firestore().collection('approvals').where('alertId', '==', alertId).get();
        return snapshot.docs[0];
      },
      55_000,
      200,
    );
    return { alertId, sourceIp, approvalId: approval.id };
  }

  it('responders see pending approvals with what will happen; lower roles get 403, no token 401', async () => {
    const { approvalId, sourceIp, alertId } = await pendingBlock();
    const response = await call('/approvals?status=PENDING&limit=200', { token: users.responder.idToken });
    expect(response.status).toBe(200);
    const mine = response.body.approvals.find((approval: { id: string }) => approval.id === approvalId);
    expect(mine).toMatchObject({
      id: approvalId,
      status: 'PENDING',
      action: 'block_ip',
      alertId,
      playbookId: 'brute-force-response',
      reasons: ['model_raised'],
      preview: { ip: sourceIp, dryRun: true },
    });
    expect(typeof mine.expiresAt).toBe('string');
    expect(mine).not.toHaveProperty('expireAt');
    for (const role of ['viewer', 'analyst'] as const) {
      expect((await call('/approvals', { token: users[role].idToken })).status).toBe(403);
    }
    expect((await call('/approvals')).status).toBe(401);
    expect((await call('/approvals?status=MAYBE', { token: users.responder.idToken })).status).toBe(400);
    expect((await call(`/approvals/${approvalId}/approve`, { token: users.analyst.idToken, body: {} })).status).toBe(403);
  });

  it('a responder rejects: nothing is blocked, the run finishes without it, the decision is audited; a second decision is 409', async () => {
    const { approvalId, sourceIp } = await pendingBlock();
    const response = await call(`/approvals/${approvalId}/reject`, { token: users.responder.idToken, body: { note: 'shared NAT address' } });
    expect(response.status).toBe(200);
    expect(response.body.approval).toMatchObject({ id: approvalId, status: 'REJECTED', note: 'shared NAT address', decidedBy: { id: users.responder.uid } });
    expect(response.body.run.steps[0]).toMatchObject({ action: 'block_ip', status: 'SKIPPED', error: { code: 'approval_rejected' } });
    expect(['PARTIAL', 'FAILED']).toContain(response.body.run.status);
    expect((await firestore().collection('blocklist').doc(sourceIp).get()).exists).toBe(false);
    const audit = (await firestore().collection('auditLog').doc(`${approvalId}-decided`).get()).data()!;
    expect(audit).toMatchObject({ action: 'approval.reject', actor: { id: users.responder.uid }, note: 'shared NAT address' });

    const again = await call(`/approvals/${approvalId}/approve`, { token: users.responder.idToken, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBeDefined();
    expect((await call('/approvals/no-such-approval/approve', { token: users.responder.idToken, body: {} })).status).toBe(404);
  });

  it('a responder approves: the block is made', async () => {
    const { approvalId, sourceIp } = await pendingBlock();
    const response = await call(`/approvals/${approvalId}/approve`, { token: users.responder.idToken, body: {} });
    expect(response.status).toBe(200);
    expect(response.body.approval.status).toBe('APPROVED');
    expect(response.body.run.steps[0]).toMatchObject({ action: 'block_ip', status: 'SUCCEEDED' });
    expect((await firestore().collection('blocklist').doc(sourceIp).get()).data()).toMatchObject({ ip: sourceIp });
  });
});

describe('never-block list', () => {
  it('admins add and remove entries (audited); responders read them; others are refused; bad CIDRs are 400', async () => {
    const cidr = `${uniquePublicIp()}`;
    const add = await call('/never-block', { token: users.admin.idToken, body: { cidr, reason: 'our resolver' } });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({ cidr: `${cidr}/32`, changed: true });
    const list = await call('/never-block', { token: users.responder.idToken });
    expect(list.status).toBe(200);
    expect(list.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ id: add.body.id, cidr: `${cidr}/32`, reason: 'our resolver' })]));
    expect(Array.isArray(list.body.param)).toBe(true);
    expect((await call('/never-block', { token: users.analyst.idToken })).status).toBe(403);
    expect((await call('/never-block', { token: users.responder.idToken, body: { cidr, reason: 'x' } })).status).toBe(403);
    const bad = await call('/never-block', { token: users.admin.idToken, body: { cidr: '300.1.1.1/8', reason: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('not a valid CIDR');
    const removed = await call('/never-block/remove', { token: users.admin.idToken, body: { cidr } });
    expect(removed.body).toMatchObject({ changed: true });
    expect((await call('/never-block/remove', { token: users.admin.idToken, body: { cidr } })).body).toMatchObject({ changed: false });
    const audit = await firestore().collection('auditLog').where('target.id', '==', add.body.id).get();
    expect(audit.docs.map((doc) => doc.data().action).sort()).toEqual(['never_block.add', 'never_block.remove']);
  });
});

describe('POST /playbooks/execute', () => {
  it('a responder dry-runs a playbook: the run records what each step would do, and the audit log says who', async () => {
    const { id: alertId } = await storeAlert({ eventType: 'brute_force', sourceIp: '185.234.72.91' });
    const response = await call('/playbooks/execute', {
      token: users.responder.idToken,
      body: { alertId, playbookId: 'brute-force-response', dryRun: true },
    });
    expect(response.status).toBe(200);
    const { runId, outcome, run } = response.body;
    expect(outcome).toBe('finished');
    expect(run).toMatchObject({
      id: runId,
      playbookId: 'brute-force-response',
      alertId,
      trigger: 'manual',
      dryRun: true,
      actor: { type: 'user', id: users.responder.uid, role: 'responder' },
    });
    expect(['SUCCEEDED', 'PARTIAL', 'FAILED']).toContain(run.status);
    expect(run.steps.length).toBeGreaterThan(0);
    expect(run.steps.every((step: { status: string }) => ['SUCCEEDED', 'FAILED', 'SKIPPED'].includes(step.status))).toBe(true);
    expect(run).not.toHaveProperty('leaseOwner');
    expect(typeof run.createdAt).toBe('string');

    const stored = (await firestore().collection('playbookRuns').doc(runId).get()).data()!;
    expect(stored.dryRun).toBe(true);
    const audit = await firestore().collection('auditLog').where('target.id', '==', runId).get();
    expect(audit.docs.map((doc) => doc.data())).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'playbook.dry_run', actor: expect.objectContaining({ id: users.responder.uid }) })]),
    );
    // A dry run blocks nothing.
    expect((await firestore().collection('blocklist').doc('185.234.72.91').get()).data()?.runId).not.toBe(runId);
  });

  it('the same Idempotency-Key answers with the same run', async () => {
    const { id: alertId } = await storeAlert();
    const key = `key-${randomUUID()}`;
    const send = () =>
      call('/playbooks/execute', {
        token: users.admin.idToken,
        headers: { 'idempotency-key': key },
        body: { alertId, playbookId: 'open-investigation', dryRun: true },
      });
    const first = await send();
    expect(first.status).toBe(200);
    const second = await send();
    expect(second.status).toBe(200);
    expect(second.body.runId).toBe(first.body.runId);
    expect(second.body.outcome).toBe('already_finished');
  });

  it.each([
    ['an unknown playbook', { playbookId: 'no-such-playbook' }, /playbook no-such-playbook/],
    ['an unknown alert', { alertId: 'no-such-alert' }, /alert no-such-alert/],
  ])('404 for %s', async (_name, override, message) => {
    const { id: alertId } = await storeAlert();
    const response = await call('/playbooks/execute', {
      token: users.responder.idToken,
      body: { alertId, playbookId: 'brute-force-response', dryRun: true, ...override },
    });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toMatch(message);
  });

  it.each([
    ['no alertId', { playbookId: 'brute-force-response' }, 'body.alertId'],
    ['dryRun not a boolean', { alertId: 'a', playbookId: 'brute-force-response', dryRun: 'yes' }, 'body.dryRun'],
    ['an unknown field', { alertId: 'a', playbookId: 'brute-force-response', force: true }, 'body'],
    ['a path in an id', { alertId: 'a/b', playbookId: 'brute-force-response' }, 'body.alertId'],
  ])('400 for %s', async (_name, body, path) => {
    const response = await call('/playbooks/execute', { token: users.responder.idToken, body });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(path);
  });
});

describe('GET /playbooks/history', () => {
  it("pages an alert's runs newest first with a cursor", async () => {
    const { id: alertId } = await storeAlert();
    const runIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await call('/playbooks/execute', {
        token: users.responder.idToken,
        body: { alertId, playbookId: 'open-investigation', dryRun: true },
      });
      expect(response.status).toBe(200);
      runIds.push(response.body.runId);
    }
    const first = await call(`/playbooks/history?alertId=${alertId}&limit=2`, { token: users.analyst.idToken });
    expect(first.status).toBe(200);
    expect(first.body.runs.map((run: { id: string }) => run.id)).toEqual([runIds[2], runIds[1]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call(`/playbooks/history?alertId=${alertId}&limit=2&cursor=${first.body.nextCursor}`, {
      token: users.analyst.idToken,
    });
    expect(second.body.runs.map((run: { id: string }) => run.id)).toEqual([runIds[0]]);
    expect(second.body.nextCursor).toBeNull();

    const all = await call('/playbooks/history?limit=1', { token: users.analyst.idToken });
    expect(all.status).toBe(200);
    expect(all.body.runs).toHaveLength(1);
  });

  it('bounds a page of large runs by bytes: it stops early, says so, and the cursor goes on to every run once', async () => {
    const { id: alertId } = await storeAlert();
    const executed = await call('/playbooks/execute', {
      token: users.responder.idToken,
      body: { alertId, playbookId: 'open-investigation', dryRun: true },
    });
    expect(executed.status).toBe(200);
    const runs = firestore().collection('playbookRuns');
    const template = (await runs.doc(executed.body.runId).get()).data()!;
    await runs.doc(executed.body.runId).delete();
    // Eight runs of ~300 KB (an EDR answer can be that large): 2.4 MB, where a page stops at 1 MiB.
    const base = Date.now();
    const ids = Array.from({ length: 8 }, (_, i) => `large-run-${alertId}-${i}`);
    await Promise.all(
      ids.map((id, i) =>
        runs.doc(id).set({
          ...template,
          createdAt: Timestamp.fromMillis(base - i * 1_000),
          steps: template.steps.map((step: Record<string, unknown>) => ({ ...step, output: { edrResponse: 'r'.repeat(300_000) } })),
        }),
      ),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: ApiResponse<{ runs: { id: string }[]; nextCursor: string | null; truncated?: unknown }> = await call(
        `/playbooks/history?alertId=${alertId}&limit=8${cursor ? `&cursor=${cursor}` : ''}`,
        { token: users.analyst.idToken },
      );
      expect(response.status).toBe(200);
      expect(Buffer.byteLength(response.text)).toBeLessThan(1.1 * 1024 * 1024);
      if (pages === 0) {
        expect(response.body.runs.length).toBeLessThan(8);
        expect(response.body.truncated).toEqual({ reason: 'max_bytes', maxBytes: 1024 * 1024, requested: 8, returned: response.body.runs.length });
      }
      seen.push(...response.body.runs.map((run) => run.id));
      cursor = response.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(ids);
    expect(pages).toBeGreaterThan(2);
  });

  it('403 for a viewer: runs hold blocked addresses, EDR responses and e-mail addresses (as in firestore.rules)', async () => {
    const response = await call('/playbooks/history?limit=1', { token: users.viewer.idToken });
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: 'permission_denied', details: { required: 'analyst', role: 'viewer' } });
  });

  it.each(['limit=0', 'limit=201', 'cursor=bm8tc3VjaC1ydW4'])('400 for %s', async (query) => {
    const response = await call(`/playbooks/history?${query}`, { token: users.analyst.idToken });
    expect(response.status).toBe(400);
  });
});

describe('analytics', () => {
  // One more shard in the current hour's bucket, as the metrics triggers write them; removed
  // afterwards so later suites see only what the pipeline counted.
  const now = new Date();
  const hour = bucketId('hour', bucketStart('hour', now));
  const shard = () => firestore().collection('metrics').doc(hour).collection('shards').doc(shardId);
  const shardId = `api-test-${randomUUID()}`;
  const COUNT = 1000;
  let before: { currentHour: { events: number } };

  beforeAll(async () => {
    before = (await call('/analytics/dashboard', { token: users.viewer.idToken })).body;
    await shard().set({
      bucket: hour,
      granularity: 'hour',
      bucketStart: Timestamp.fromDate(bucketStart('hour', now)),
      writes: 1,
      events: COUNT,
      rejected: 0,
      alertsOpened: 0,
      alertsClosed: 0,
      bySeverity: { CRITICAL: COUNT },
      byType: { ransomware: COUNT },
      byCountry: { QZ: COUNT },
      expireAt: Timestamp.fromMillis(now.getTime() + 86_400_000),
    });
  });

  afterAll(async () => {
    await shard().delete();
  });

  it('GET /analytics/dashboard counts the current hour from the metric buckets', async () => {
    const after = await call('/analytics/dashboard', { token: users.viewer.idToken });
    expect(after.status).toBe(200);
    expect(after.body.currentHour.start).toBe(bucketStart('hour', now).toISOString());
    expect(after.body.currentHour.events - before.currentHour.events).toBeGreaterThanOrEqual(COUNT);
    expect(after.body.currentHour.topCountries[0]).toEqual({ key: 'QZ', count: COUNT });
    expect(after.body.currentHour.topEventTypes.map((entry: { key: string }) => entry.key)).toContain('ransomware');
    expect(after.body.currentHour.bySeverity.CRITICAL).toBeGreaterThanOrEqual(COUNT);
    expect(after.body.lastMinutes).toHaveLength(15);
    expect(typeof after.body.activeAlerts).toBe('number');
  });

  it('GET /analytics/risk-index serves riskIndex/current and the timeline', async () => {
    const written = await updateRiskIndex({ db: firestore(), now: () => new Date(), retentionDays: 1 });
    const response = await call('/analytics/risk-index?window=1h', { token: users.viewer.idToken });
    expect(response.status).toBe(200);
    expect(response.body.current).toMatchObject({ kind: 'current', index: written.index, level: written.level });
    expect(response.body.timeline[0]).toMatchObject({ minute: written.minute, index: written.index });
  });

  it('GET /analytics/timeline returns the buckets of the window, oldest first', async () => {
    const response = await call('/analytics/timeline?window=1h&bucket=minute', { token: users.viewer.idToken });
    expect(response.status).toBe(200);
    expect(response.body.buckets).toHaveLength(60);
    const starts = response.body.buckets.map((bucket: { start: string }) => Date.parse(bucket.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(starts[59]).toBe(bucketStart('minute', new Date()).getTime());
    const weekly = await call('/analytics/timeline?window=7d&bucket=hour', { token: users.viewer.idToken });
    expect(weekly.body.buckets).toHaveLength(168);
    // More than 180 minutes of minute buckets is answered in hours, and says so.
    const coarse = await call('/analytics/timeline?window=24h&bucket=minute', { token: users.viewer.idToken });
    expect(coarse.status).toBe(200);
    expect(coarse.body).toMatchObject({ window: '24h', bucket: 'hour' });
    expect(coarse.body.buckets).toHaveLength(24);
  });

  it.each(['window=1y', 'bucket=second', 'window=24h&window=1h'])('GET /analytics/timeline: 400 for %s', async (query) => {
    const response = await call(`/analytics/timeline?${query}`, { token: users.viewer.idToken });
    expect(response.status).toBe(400);
  });

  it('GET /analytics/summary sums the last 24 hours', async () => {
    const response = await call('/analytics/summary', { token: users.viewer.idToken });
    expect(response.status).toBe(200);
    expect(response.body.window).toBe('24h');
    expect(response.body.events).toBeGreaterThanOrEqual(COUNT);
    expect(response.body.bySeverity.CRITICAL).toBeGreaterThanOrEqual(COUNT);
    expect(response.body.peakHour.events).toBeGreaterThanOrEqual(COUNT);
    expect(response.body.riskIndex.points).toBeGreaterThanOrEqual(1);
  });
});
