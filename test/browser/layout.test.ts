// The dashboard holds its content after a long demo: with a full threat stream and a full alert
// list (what minutes of `npm start` leave), the page is exactly as tall as the window at
// 1440×1000, for an analyst and an admin; the lists scroll inside their panels, and nothing
// stretches the page or leaves an empty band below the panels.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../support/auth';
import { firestore, runId, uniquePublicIp, waitFor } from '../support/emulators';
import { alertDoc, writeAlert } from '../support/response-fixtures';
import { launchChromium, openDashboard, requireBuiltDashboard, screenshot, signIn, waitUntilLive } from './support/browser';
import { writeThreats, type WrittenThreat } from './support/threats';
import { demoUsers } from './support/users';

const VIEWPORT = { width: 1440, height: 1000 };
/** More than the dashboard lists (LIMITS: 100 threats, 50 alerts), so both lists are full. */
const THREATS = 110;
const ALERTS = 55;

let browser: Browser;
let users: Record<'analyst' | 'admin', TestUser>;
let threats: WrittenThreat[] = [];
const alertIds: string[] = [];

beforeAll(async () => {
  requireBuiltDashboard();
  [browser, users] = await Promise.all([launchChromium(), demoUsers()]);
  threats = await writeThreats(runId('layout'), THREATS);
  // Open alerts of a type no built-in playbook answers (xss), so they stay as written.
  for (let i = 0; i < ALERTS; i++) {
    const alertId = runId('layout-alert');
    const sourceIp = uniquePublicIp();
    await writeAlert(firestore(), alertId, alertDoc({ eventType: 'xss', sourceIp, severity: i % 3 === 0 ? 'CRITICAL' : 'HIGH', title: `XSS attempts from ${sourceIp}` }));
    alertIds.push(alertId);
  }
});

afterAll(async () => {
  await browser?.close();
  // Leave the other suites the estate they expect.
  const db = firestore();
  await Promise.all([
    ...threats.map((threat) => db.collection('threats').doc(threat.threatId).delete()),
    ...alertIds.map((id) => db.collection('alerts').doc(id).delete()),
  ]);
});

/** Heights that tell whether the page holds its content. */
function heights(page: Page) {
  return page.evaluate(() => {
    const rect = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
    const list = document.querySelector('.alert-list')!;
    const table = document.querySelector('.table-scroll')!;
    return {
      window: window.innerHeight,
      document: document.documentElement.scrollHeight,
      body: document.body.scrollHeight,
      mainScroll: document.querySelector('main')!.scrollHeight,
      mainClient: document.querySelector('main')!.clientHeight,
      footerBottom: rect('.bottom-bar').bottom,
      threatsBottom: rect('.threats').bottom,
      alertsBottom: rect('.alerts').bottom,
      alertListOverflows: list.scrollHeight > list.clientHeight,
      tableOverflows: table.scrollHeight > table.clientHeight,
    };
  });
}

describe.each(['analyst', 'admin'] as const)('the page at 1440×1000, signed in as %s, with full lists', (role) => {
  let page: Page;

  beforeAll(async () => {
    ({ page } = await openDashboard(browser, VIEWPORT));
    await signIn(page, users[role]);
    await waitUntilLive(page);
    await waitFor('a full threat stream', async () => ((await page.getByTestId('threat-count').textContent()) === '100' ? true : undefined), 60_000);
    await waitFor('a full alert list', async () => ((await page.getByTestId('alert-count').textContent()) === '50' ? true : undefined), 60_000);
  });

  afterAll(async () => {
    await page?.context().close();
  });

  it('is exactly as tall as the window: the lists scroll inside their panels', async () => {
    const h = await heights(page);
    await screenshot(page, `layout-${role}-1440x1000`);
    // The lists hold more than they show: this is the case that used to stretch the page.
    expect(h.alertListOverflows).toBe(true);
    expect(h.tableOverflows).toBe(true);
    expect(h.document).toBe(h.window);
    expect(h.body).toBe(h.window);
    // No band below the panels inside the page either: main shows all it holds…
    expect(h.mainScroll).toBeLessThanOrEqual(h.mainClient);
    // …and the panels reach down to the footer (within the dashboard's padding).
    expect(h.footerBottom).toBe(h.window);
    expect(h.alertsBottom).toBeGreaterThan(h.window - 60);
    expect(h.threatsBottom).toBeGreaterThan(h.window - 60);
  });

  it('stays so when the alert list and the threat table are scrolled to their ends', async () => {
    await page.evaluate(() => {
      for (const selector of ['.alert-list', '.table-scroll']) {
        const element = document.querySelector(selector)!;
        element.scrollTop = element.scrollHeight;
      }
      window.scrollTo(0, 100_000);
    });
    const h = await heights(page);
    expect(h.document).toBe(h.window);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
  });

  it('has no blank panel: each says something below its heading', async () => {
    const bodies = await page.evaluate(() =>
      ['.risk', '.charts', '.threats', '.alerts'].map((selector) => {
        const panel = document.querySelector<HTMLElement>(selector)!;
        const text = [...panel.children]
          .filter((child) => !child.classList.contains('panel-head') && !child.classList.contains('visually-hidden'))
          .map((child) => (child as HTMLElement).innerText.trim())
          .join(' ');
        return [selector, text.length] as const;
      }),
    );
    for (const [selector, length] of bodies) expect(length, `${selector} is blank`).toBeGreaterThan(0);
  });
});
