// Alerts in the browser: live arrival with an announcement, acknowledge and resolve through the
// API, playbook runs with their steps, a manual dry run, and what a viewer may (not) do.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threatIdFor } from '../../functions/src/firestore/refs';
import type { TestUser } from '../support/auth';
import { firestore, publishEvent, runId, uniquePublicIp, waitFor } from '../support/emulators';
import { axeViolations, describeViolations } from './support/axe';
import { DASHBOARD_URL, FUNCTION_ROUND_TRIP_MS, activeListeners, launchChromium, openDashboard, requireBuiltDashboard, screenshot, signIn, waitUntilLive } from './support/browser';
import { bruteForce } from '../support/events';
import { demoUsers } from './support/users';

let browser: Browser;
let analyst: TestUser;
let responder: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  requireBuiltDashboard();
  let users;
  [browser, users] = await Promise.all([launchChromium(), demoUsers()]);
  ({ analyst, responder, viewer } = users);
});

afterAll(async () => {
  await browser?.close();
});

async function alertDoc(alertId: string) {
  return (await firestore().collection('alerts').doc(alertId).get()).data();
}

/** Publishes a brute-force event from a new address and returns the id of the alert it opens. */
async function newAlert(label: string): Promise<{ alertId: string; sourceIp: string }> {
  const eventId = runId(label);
  const sourceIp = uniquePublicIp();
  await publishEvent(bruteForce(eventId, sourceIp));
  const alertId = await waitFor(
    'the alert of the new threat',
    async () => (await firestore().collection('threats').doc(threatIdFor(eventId)).get()).data()?.alertId as string | undefined,
    60_000,
  );
  return { alertId, sourceIp };
}

async function signedIn(user: TestUser): Promise<Page> {
  const { page } = await openDashboard(browser);
  await signIn(page, user);
  await waitUntilLive(page);
  return page;
}

describe('an analyst', () => {
  let page: Page;

  beforeAll(async () => {
    page = await signedIn(analyst);
  });

  afterAll(async () => {
    await page?.context().close();
  });

  it('sees a new alert arrive live and announced, acknowledges it with a note and sees its state change, then resolves it', async () => {
    const { alertId, sourceIp } = await newAlert('browser-ack');
    const item = page.locator(`li[data-alert-id="${alertId}"]`);
    await item.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    await expect(item.getAttribute('data-status')).resolves.toBe('OPEN');
    await expect(item.innerText()).resolves.toContain(sourceIp);
    await expect(page.getByTestId('alert-announcer').textContent()).resolves.toMatch(/^New (HIGH|CRITICAL) alert: /);

    const listenersBefore = await activeListeners(page);
    await item.getByRole('button', { name: 'Details and response' }).click();
    // Expanding an alert attaches one listener, on its playbook runs.
    await expect.poll(() => activeListeners(page)).toBe(listenersBefore + 1);
    // The brute-force response playbook runs by itself on this alert: its run and steps show up.
    const autoRun = item.locator('li.run').first();
    await autoRun.waitFor({ timeout: 60_000 });
    await expect(autoRun.innerText()).resolves.toContain('auto');
    await expect.poll(async () => autoRun.getAttribute('data-run-status'), { timeout: 60_000 }).toMatch(/SUCCEEDED|FAILED|PARTIAL/);
    await expect(autoRun.locator('li.step').count()).resolves.toBeGreaterThan(0);

    await item.getByLabel('Note (optional)').fill('Looking into it: <b>not markup</b>');
    await screenshot(page, '06-alert-expanded-analyst');
    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator(`li[data-alert-id="${alertId}"][data-status="ACKNOWLEDGED"]`).waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    await expect(item.locator('.status').textContent()).resolves.toBe('ACKNOWLEDGED');
    await expect(item.getByRole('button', { name: 'Acknowledge' }).count()).resolves.toBe(0);
    const acknowledged = await alertDoc(alertId);
    expect(acknowledged).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: analyst.uid, assignee: analyst.uid });
    await screenshot(page, '07-alert-acknowledged');

    await item.getByLabel('Note (optional)').fill('False positive: a pen test');
    await item.getByRole('button', { name: 'Resolve' }).click();
    // Resolved alerts leave the active list, and its listener on runs goes with it.
    await item.waitFor({ state: 'detached', timeout: FUNCTION_ROUND_TRIP_MS });
    await expect.poll(() => activeListeners(page)).toBe(listenersBefore);
    expect(await alertDoc(alertId)).toMatchObject({ status: 'RESOLVED', resolvedBy: analyst.uid, resolutionNote: 'False positive: a pen test' });
  });

  it('sees an alert someone else resolved leave the list, live, with its runs listener detached', async () => {
    const { alertId } = await newAlert('browser-elsewhere');
    const item = page.locator(`li[data-alert-id="${alertId}"]`);
    await item.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    const listenersBefore = await activeListeners(page);
    await item.getByRole('button', { name: 'Details and response' }).click();
    await expect.poll(() => activeListeners(page)).toBe(listenersBefore + 1);
    // Someone else resolves it, through the API, while this analyst has it open.
    const response = await fetch(new URL(`/api/alerts/${alertId}/resolve`, DASHBOARD_URL), {
      method: 'POST',
      headers: { authorization: `Bearer ${responder.idToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    await item.waitFor({ state: 'detached', timeout: FUNCTION_ROUND_TRIP_MS });
    await expect.poll(() => activeListeners(page)).toBe(listenersBefore);
  });

  it('cannot run playbooks (the responder role can): no runner is offered', async () => {
    const { alertId } = await newAlert('browser-analyst-runner');
    const item = page.locator(`li[data-alert-id="${alertId}"]`);
    await item.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    await item.getByRole('button', { name: 'Details and response' }).click();
    await item.getByRole('button', { name: 'Acknowledge' }).waitFor();
    await expect(item.getByRole('button', { name: /playbook/i }).count()).resolves.toBe(0);
  });
});

describe('a responder', () => {
  it('dry-runs a playbook on an alert and sees the run with its steps, recorded as a dry run', async () => {
    const page = await signedIn(responder);
    try {
      const { alertId } = await newAlert('browser-dry-run');
      const item = page.locator(`li[data-alert-id="${alertId}"]`);
      await item.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
      await item.getByRole('button', { name: 'Details and response' }).click();
      await item.getByLabel('Playbook', { exact: true }).selectOption('open-investigation');
      await expect(item.getByLabel(/^Dry run/).isChecked()).resolves.toBe(true);
      await item.getByRole('button', { name: 'Dry-run playbook' }).click();
      const dryRun = item.locator('li.run', { has: page.locator('.dry-run') });
      await dryRun.waitFor({ timeout: 60_000 });
      // Finished (a step may fail here: no ticketing endpoint is configured on the emulators).
      await expect.poll(() => dryRun.getAttribute('data-run-status'), { timeout: 60_000 }).toMatch(/^(SUCCEEDED|FAILED|PARTIAL)$/);
      await expect(dryRun.innerText()).resolves.toContain(`by ${responder.email}`);
      // The runner's own message comes from the API's answer, which can reach the page after the
      // run listener has already shown the finished run.
      const runnerMessage = item.getByRole('status').filter({ hasText: /Dry run of Open an investigation: / });
      await runnerMessage.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
      await expect(runnerMessage.count()).resolves.toBe(1);
      const runs = await firestore().collection('playbookRuns').where('alertId', '==', alertId).where('dryRun', '==', true).get();
      expect(runs.size).toBe(1);
      const run = runs.docs[0]!.data();
      expect(run).toMatchObject({ playbookId: 'open-investigation', trigger: 'manual', actor: { id: responder.uid } });
      await expect(dryRun.getAttribute('data-run-status')).resolves.toBe(run.status);
      // Every step, with the status the run record has, and its output or error on demand.
      const stepStatuses = await dryRun.locator('li.step').evaluateAll((steps) => steps.map((step) => step.getAttribute('data-step-status')));
      expect(stepStatuses).toEqual(run.steps.map((step: { status: string }) => step.status));
      const failedAt = run.steps.findIndex((step: { error: unknown }) => step.error);
      if (failedAt >= 0) {
        const step = dryRun.locator('li.step').nth(failedAt);
        await step.getByText('Error', { exact: true }).click();
        await expect(step.locator('pre').textContent()).resolves.toContain(run.steps[failedAt].error.code);
      }
      await screenshot(page, '08-playbook-dry-run');
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});

describe('a viewer', () => {
  it('sees alerts but no action buttons, and the API refuses a forced acknowledge with 403', async () => {
    const page = await signedIn(viewer);
    try {
      await expect(page.locator('[data-role]').getAttribute('data-role')).resolves.toBe('viewer');
      const { alertId } = await newAlert('browser-viewer');
      const item = page.locator(`li[data-alert-id="${alertId}"]`);
      await item.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
      await item.getByRole('button', { name: 'Details' }).click();
      await item.locator('.runs').waitFor();
      // Playbook runs are analyst-only in the rules: the viewer is told so, with no error shown.
      await item.locator('.runs-restricted').waitFor();
      await expect(item.locator('.runs [role="alert"], .runs .error').count()).resolves.toBe(0);
      for (const name of [/acknowledge/i, /resolve/i, /playbook/i]) {
        await expect(page.getByRole('button', { name }).count()).resolves.toBe(0);
      }
      await expect(page.getByLabel('Note (optional)').count()).resolves.toBe(0);
      await screenshot(page, '09-viewer');

      // Forced: the viewer's own ID token, from the page, through Hosting's /api rewrite.
      const forced = await page.evaluate(
        async ({ path, token }) => {
          const response = await fetch(path, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ note: 'forced' }),
          });
          return { status: response.status, body: await response.json() };
        },
        { path: `/api/alerts/${alertId}/acknowledge`, token: viewer.idToken },
      );
      expect(forced.status).toBe(403);
      expect(forced.body.error.code).toBeTruthy();
      expect((await alertDoc(alertId))?.status).toBe('OPEN');
    } finally {
      await page.context().close();
    }
  });
});
