// Approvals in the browser: a responder sees a playbook step waiting, with what it will do and
// why, approves or rejects it; the run then goes on or leaves the step undone; the decision is
// audited; an analyst is shown neither the panel nor its buttons.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAlert } from '../support/api';
import type { TestUser } from '../support/auth';
import { firestore, uniquePublicIp, waitFor } from '../support/emulators';
import { axeViolations, describeViolations } from './support/axe';
import { DASHBOARD_URL, FUNCTION_ROUND_TRIP_MS, launchChromium, openDashboard, requireBuiltDashboard, screenshot, signIn, waitUntilLive } from './support/browser';
import { demoUsers } from './support/users';

let browser: Browser;
let analyst: TestUser;
let responder: TestUser;

beforeAll(async () => {
  requireBuiltDashboard();
  let users;
  [browser, users] = await Promise.all([launchChromium(), demoUsers()]);
  ({ analyst, responder } = users);
});

afterAll(async () => {
  await browser?.close();
});

/**
 * A brute-force alert whose severity came from the model: brute-force-response runs by itself and
 * its block waits for a responder. Returns once the approval is PENDING.
 */
async function pendingBlock(): Promise<{ alertId: string; sourceIp: string; approvalId: string; runId: string }> {
  const sourceIp = uniquePublicIp();
  const { id: alertId } = await storeAlert({
    eventType: 'brute_force',
    sourceIp,
    title: `Brute force from ${sourceIp} (NL)`,
    approvalConditions: ['model_raised'],
  });
  const approval = await waitFor(
    'the block to wait for approval',
    async () => {
      const snapshot = await firestore().collection('approvals').where('alertId', '==', alertId).where('status', '==', 'PENDING').get();
      return snapshot.docs[0];
    },
    60_000,
    200,
  );
  return { alertId, sourceIp, approvalId: approval.id, runId: approval.data().runId as string };
}

async function signedIn(user: TestUser): Promise<Page> {
  const { page } = await openDashboard(browser);
  await signIn(page, user);
  await waitUntilLive(page);
  return page;
}

/** The panel's entry for the block of `ip` (the panel reads the list again every 10 s). */
async function approvalItem(page: Page, ip: string): Promise<Locator> {
  const item = page.getByTestId('approval').filter({ hasText: `Block ${ip} for ` });
  await item.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
  return item;
}

async function run(runId: string) {
  return (await firestore().collection('playbookRuns').doc(runId).get()).data()!;
}

/** The run's first step as the alert's details show it, live from Firestore. */
async function firstStepShown(page: Page, alertId: string): Promise<Locator> {
  const alert = page.locator(`li[data-alert-id="${alertId}"]`);
  await alert.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
  const details = alert.getByRole('button', { name: 'Details and response' });
  if (await details.count()) await details.click();
  const step = alert.locator('li.run').first().locator('li.step').first();
  await step.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
  return step;
}

describe('a responder', () => {
  let page: Page;

  beforeAll(async () => {
    page = await signedIn(responder);
  });


  afterAll(async () => {
    await page?.context().close();
  });

  it('sees the waiting block with what it will do and why, approves it: the address is blocked, the run goes on, the decision is audited', async () => {
    const { alertId, sourceIp, approvalId, runId } = await pendingBlock();
    const item = await approvalItem(page, sourceIp);
    const text = await item.innerText();
    expect(text).toContain(`Block ${sourceIp} for 24 h`);
    expect(text).toContain('Brute-force response, step 1');
    expect(text).toContain(`Brute force from ${sourceIp} (NL)`);
    expect(text).toMatch(/Why: Model raised · requested .+ · expires /);
    await screenshot(page, '12-approval-pending');
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    await item.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('approvals').getByRole('status').filter({ hasText: `Approved: Block ${sourceIp} for 24 h.` }).waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    await item.waitFor({ state: 'detached', timeout: FUNCTION_ROUND_TRIP_MS });

    expect((await firestore().collection('approvals').doc(approvalId).get()).data()).toMatchObject({
      status: 'APPROVED',
      decidedBy: { id: responder.uid, email: responder.email },
    });
    expect((await firestore().collection('blocklist').doc(sourceIp).get()).data()).toMatchObject({ ip: sourceIp, alertId, runId });
    // The run went on past the step to its end.
    const after = await waitFor('the run to finish', async () => {
      const data = await run(runId);
      return ['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(data.status) ? data : undefined;
    }, 30_000);
    expect(after.steps[0]).toMatchObject({ action: 'block_ip', status: 'SUCCEEDED', approval: { id: approvalId, status: 'APPROVED' } });
    expect(after.steps.slice(1).every((step: { status: string }) => step.status !== 'PENDING')).toBe(true);
    const audit = (await firestore().collection('auditLog').doc(`${approvalId}-decided`).get()).data();
    expect(audit).toMatchObject({ action: 'approval.approve', actor: { id: responder.uid } });
    // And the alert's details show the step done.
    const step = await firstStepShown(page, alertId);
    await expect.poll(() => step.getAttribute('data-step-status'), { timeout: FUNCTION_ROUND_TRIP_MS }).toBe('SUCCEEDED');
  });

  it('rejects a waiting block: nothing is blocked, the step is left undone, the decision is audited', async () => {
    const { alertId, sourceIp, approvalId, runId } = await pendingBlock();
    const item = await approvalItem(page, sourceIp);
    await item.getByRole('button', { name: 'Reject' }).click();
    await page.getByTestId('approvals').getByRole('status').filter({ hasText: `Rejected: Block ${sourceIp} for 24 h.` }).waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    await item.waitFor({ state: 'detached', timeout: FUNCTION_ROUND_TRIP_MS });

    expect((await firestore().collection('approvals').doc(approvalId).get()).data()).toMatchObject({ status: 'REJECTED', decidedBy: { id: responder.uid } });
    expect((await firestore().collection('blocklist').doc(sourceIp).get()).exists).toBe(false);
    const after = await waitFor('the run to finish', async () => {
      const data = await run(runId);
      return ['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(data.status) ? data : undefined;
    }, 30_000);
    expect(after.steps[0]).toMatchObject({ action: 'block_ip', status: 'SKIPPED', error: { code: 'approval_rejected' } });
    const audit = (await firestore().collection('auditLog').doc(`${approvalId}-decided`).get()).data();
    expect(audit).toMatchObject({ action: 'approval.reject', actor: { id: responder.uid } });
    const step = await firstStepShown(page, alertId);
    await expect.poll(() => step.getAttribute('data-step-status'), { timeout: FUNCTION_ROUND_TRIP_MS }).toBe('SKIPPED');
  });
});

describe('an analyst', () => {
  it('is shown no approvals and no approve or reject buttons while a step waits, and the API refuses a forced approval', async () => {
    const { approvalId, sourceIp } = await pendingBlock();
    // A responder would see it: the list is not empty.
    const listed = await fetch(new URL('/api/approvals?status=PENDING&limit=200', DASHBOARD_URL), {
      headers: { authorization: `Bearer ${responder.idToken}` },
    });
    expect(((await listed.json()) as { approvals: { id: string }[] }).approvals.map((a) => a.id)).toContain(approvalId);

    const { page } = await openDashboard(browser);
    // The panel asks the API for approvals as it mounts: a page that never asks never showed one.
    const approvalRequests: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/approvals')) approvalRequests.push(request.url());
    });
    try {
      await signIn(page, analyst);
      await waitUntilLive(page);
      await expect(page.locator('[data-role]').getAttribute('data-role')).resolves.toBe('analyst');
      // The alerts panel, inside which a responder's approvals panel mounts, has rendered.
      await page.locator('li[data-alert-id]').first().waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
      await expect(page.getByTestId('approvals').count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: /^(Approve|Reject)$/ }).count()).resolves.toBe(0);
      await expect(page.getByText(`Block ${sourceIp} for `).count()).resolves.toBe(0);
      expect(approvalRequests).toEqual([]);

      const forced = await fetch(new URL(`/api/approvals/${approvalId}/approve`, DASHBOARD_URL), {
        method: 'POST',
        headers: { authorization: `Bearer ${analyst.idToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(forced.status).toBe(403);
      expect((await firestore().collection('approvals').doc(approvalId).get()).data()?.status).toBe('PENDING');
    } finally {
      await page.context().close();
    }
  });
});
