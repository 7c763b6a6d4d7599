// The dashboard in a real browser: sign-in, the live threat stream, the details dialog by
// keyboard, attacker-controlled strings rendered as text, accessibility and the offline state.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threatIdFor } from '../../functions/src/firestore/refs';
import type { TestUser } from '../support/auth';
import { firestore, publishEvent, runId, waitFor } from '../support/emulators';
import { axeViolations, describeViolations } from './support/axe';
import {
  DASHBOARD_URL,
  launchChromium,
  openDashboard,
  requireBuiltDashboard,
  screenshot,
  signIn,
  waitUntilLive,
} from './support/browser';
import { HOSTILE_MARKUP, bruteForce, xssAttempt } from '../support/events';
import { writeThreats } from './support/threats';
import { demoUsers } from './support/users';

let browser: Browser;
let analyst: TestUser;

beforeAll(async () => {
  requireBuiltDashboard();
  // The demo analyst of tools/users.mjs, signed in through the form like a person would.
  [browser, { analyst }] = await Promise.all([launchChromium(), demoUsers()]);
});

afterAll(async () => {
  await browser?.close();
});

/** Errors the page reported, minus the browser's own log line for an HTTP error the app handles. */
function unexpected(errors: string[]): string[] {
  return errors.filter((error) => !error.includes('Failed to load resource'));
}

async function threatDoc(eventId: string) {
  const snapshot = await firestore().collection('threats').doc(threatIdFor(eventId)).get();
  return snapshot.exists ? snapshot.data() : undefined;
}

describe('hosting', () => {
  it('serves the dashboard and the project configuration (/__/firebase/init.json) for the demo project', async () => {
    const page = await fetch(DASHBOARD_URL);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const init = await fetch(new URL('/__/firebase/init.json', DASHBOARD_URL));
    expect(init.status).toBe(200);
    expect(await init.json()).toMatchObject({ projectId: 'demo-threatstream' });
  });
});

describe('signed in as an analyst', () => {
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ({ page, errors } = await openDashboard(browser));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, '01-sign-in');
    await signIn(page, analyst);
    await waitUntilLive(page);
  });

  afterAll(async () => {
    await page?.context().close();
  });

  it('shows who is signed in and their role from the custom claim', async () => {
    await expect(page.locator('.user-email').textContent()).resolves.toBe(analyst.email);
    await expect(page.locator('[data-role]').getAttribute('data-role')).resolves.toBe('analyst');
    await expect(page.getByRole('link', { name: 'IP Geolocation by DB-IP' }).getAttribute('href')).resolves.toBe('https://db-ip.com');
  });

  it('shows a threat published to Pub/Sub after the page loaded, without a reload', async () => {
    await page.evaluate(() => {
      (window as unknown as { loadedOnce: number }).loadedOnce = 42;
    });
    const eventId = runId('browser-live');
    const event = bruteForce(eventId);
    await publishEvent(event);

    const row = page.locator(`tr[data-event-id="${eventId}"]`);
    await row.waitFor({ timeout: 60_000 });
    // Same document, same JavaScript realm: the row arrived through the listener.
    await expect(page.evaluate(() => (window as unknown as { loadedOnce?: number }).loadedOnce)).resolves.toBe(42);

    const stored = await waitFor('the stored threat', () => threatDoc(eventId));
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain(event.source_ip);
    expect(text).toContain(stored.geo.country);
    expect(text).toContain(`AS${stored.geo.asn}`);
    expect(text).toContain('T1110');
    expect(text).toContain(String(stored.risk.score));
    await expect(row.locator('.severity').textContent()).resolves.toBe(stored.risk.severity);
    // Newest first: it is the first row.
    await expect(page.locator('tbody tr').first().getAttribute('data-event-id')).resolves.toBe(eventId);
    await screenshot(page, '02-dashboard-analyst');
    expect(unexpected(errors)).toEqual([]);
  });

  it("opens a threat's risk factor breakdown by keyboard alone, and returns focus when it closes", async () => {
    // Both rows shown before any key is pressed: a row arriving later would shift the others.
    const written = await writeThreats(runId('browser-keys'), 2);
    for (const { threatId } of written) await page.locator(`tbody tr[data-threat-id="${threatId}"]`).waitFor();
    // Tab from the top of the page to the first row's button.
    await page.locator('body').focus();
    let reached = false;
    for (let presses = 0; presses < 40 && !reached; presses++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.classList.contains('row-open') ?? false);
    }
    expect(reached).toBe(true);
    // Down to the second row and back up, with the arrow keys.
    await page.keyboard.press('ArrowDown');
    const second = await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-threat-id'));
    await expect(page.locator('tbody tr').nth(1).getAttribute('data-threat-id')).resolves.toBe(second);
    await page.keyboard.press('ArrowUp');
    const threatId = await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-threat-id'));
    await expect(page.locator('tbody tr').first().getAttribute('data-threat-id')).resolves.toBe(threatId);
    // The focused element shows a visible focus ring.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');

    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const stored = (await firestore().collection('threats').doc(threatId!).get()).data()!;
    await expect(dialog.locator('.factors tbody tr').count()).resolves.toBe(stored.risk.factors.length);
    await expect(dialog.locator('.score.big').textContent()).resolves.toBe(String(stored.risk.score));
    for (const factor of stored.risk.factors as { detail: string }[]) {
      await expect(dialog.getByText(factor.detail, { exact: true }).count()).resolves.toBeGreaterThan(0);
    }
    await screenshot(page, '03-threat-details');

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const focused = await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-threat-id'));
    expect(focused).toBe(threatId);
  });

  it('renders attacker-controlled payloads as text, never as HTML', async () => {
    const eventId = runId('browser-xss');
    await publishEvent(xssAttempt(eventId));
    const row = page.locator(`tr[data-event-id="${eventId}"]`);
    await row.waitFor({ timeout: 60_000 });
    await row.getByRole('button').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // The payload is shown as JSON text: the markup is there, character for character (quotes escaped).
    const payload = await dialog.locator('.payload').first().textContent();
    expect(payload).toContain(JSON.stringify(HOSTILE_MARKUP).slice(1, -1));
    await expect(page.locator('dialog img, dialog script:not([src]), dialog b').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    await screenshot(page, '04-threat-details-hostile-payload');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('passes axe-core WCAG 2.1 AA checks (contrast, names, labels) on the main view and the details dialog', async () => {
    const main = await axeViolations(page);
    expect(main, describeViolations(main)).toEqual([]);
    await page.locator('tbody tr').first().getByRole('button').click();
    await page.getByRole('dialog').waitFor();
    const dialog = await axeViolations(page, 'dialog');
    expect(dialog, describeViolations(dialog)).toEqual([]);
    await page.keyboard.press('Escape');
  });

  it('says so when the browser goes offline, and goes live again when it is back', async () => {
    await page.context().setOffline(true);
    await page.locator('[data-connection="offline"]').waitFor({ timeout: 15_000 });
    // What was on screen stays on screen.
    await expect(page.locator('tbody tr').count()).resolves.toBeGreaterThan(0);
    await screenshot(page, '05-offline');
    await page.context().setOffline(false);
    await waitUntilLive(page, 60_000);
  });
});

describe('the sign-in form', () => {
  it('says when the password is wrong, and is usable with labels', async () => {
    const { page } = await openDashboard(browser);
    try {
      await page.getByLabel('Email').fill(analyst.email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(/do not match/);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
