// The risk index and the charts: riskIndex/current and its timeline through listeners, the
// severity, type and country charts from the metric buckets through the API.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBucket } from '../../functions/src/metrics/read';
import { updateRiskIndex } from '../../functions/src/metrics/update-risk-index';
import { createUser, type TestUser } from '../support/auth';
import { firestore, publishEvent, runId, waitFor } from '../support/emulators';
import { FUNCTION_ROUND_TRIP_MS, launchChromium, openDashboard, requireBuiltDashboard, screenshot, signIn, waitUntilLive } from './support/browser';
import { bruteForce } from '../support/events';

let browser: Browser;
let viewer: TestUser;
let page: Page;

beforeAll(async () => {
  requireBuiltDashboard();
  [browser, viewer] = await Promise.all([launchChromium(), createUser('viewer')]);
  ({ page } = await openDashboard(browser));
  await signIn(page, viewer);
  await waitUntilLive(page);
});

afterAll(async () => {
  await browser?.close();
});

/** What the scheduled function does every minute (the Functions emulator runs no schedules). */
function recompute(at: Date) {
  return updateRiskIndex({ db: firestore(), now: () => at, retentionDays: 1 });
}

describe('the risk index', () => {
  it('shows riskIndex/current and its timeline live, as the scheduled function rewrites them', async () => {
    // Threats this minute, counted into the metric buckets by the metrics trigger.
    const events = Array.from({ length: 4 }, (_, i) => bruteForce(`${runId('browser-risk')}-${i}`));
    const publishedAt = Date.now();
    await Promise.all(events.map((event) => publishEvent(event)));
    await waitFor(
      'the threats counted in the minute buckets',
      async () => {
        const minutes = Math.ceil((Date.now() - publishedAt) / 60_000) + 1;
        const buckets = await Promise.all(
          Array.from({ length: minutes + 1 }, (_, k) => readBucket(firestore(), 'minute', new Date(publishedAt + (k - 1) * 60_000))),
        );
        const counted = buckets.reduce((sum, bucket) => sum + bucket.events, 0);
        return counted >= events.length ? true : undefined;
      },
      // The metrics trigger may be behind other suites' threats.
      180_000,
      1_000,
    );

    // Twelve minutes of timeline, the last of them two minutes from now (so it includes this minute).
    const now = Date.now();
    let last;
    for (let k = 11; k >= 0; k--) last = await recompute(new Date(now + 120_000 - k * 60_000));

    const value = page.getByTestId('risk-index').locator('.risk-number');
    await expect.poll(() => value.textContent(), { timeout: 30_000 }).toBe(String(last!.index));
    await expect(page.getByTestId('risk-index').locator('.risk-level').textContent()).resolves.toBe(last!.level);
    const chart = page.locator('svg.line-chart');
    await expect.poll(async () => (await chart.getAttribute('aria-label')) ?? '', { timeout: 30_000 }).toMatch(/^Risk index, last 60 minutes: 1[0-2] minutes from/);
    expect(last!.index).toBeGreaterThan(0);
    await screenshot(page, '10-risk-index-viewer');
  });

  it('draws threats by severity, event type and country from the metric buckets', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    const severity = page.getByRole('list', { name: 'Threats this hour by severity' });
    await severity.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    await expect(severity.innerText()).resolves.toMatch(/HIGH|CRITICAL/);
    await expect(page.getByRole('list', { name: 'Threats this hour by event type' }).innerText()).resolves.toContain('Brute force');
    await expect(page.getByRole('list', { name: 'Threats this hour by source country' }).locator('li').count()).resolves.toBeGreaterThan(0);
    const total = Number((await page.getByTestId('hour-events').textContent())?.replace(/\D/g, ''));
    expect(total).toBeGreaterThanOrEqual(4);
    await screenshot(page, '11-charts');
  });
});
