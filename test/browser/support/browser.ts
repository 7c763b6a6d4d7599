// Debian's Chromium driven by playwright-core, against the dashboard that the Hosting emulator
// serves from dashboard/dist on 127.0.0.1:5000. No browser is ever downloaded.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import type { TestUser } from '../../support/auth';

export const ROOT = resolve(__dirname, '../../..');
export const DASHBOARD_URL = process.env.DASHBOARD_URL ?? 'http://127.0.0.1:5000/';
export const SCREENSHOTS = join(ROOT, 'test-results/screenshots');
export const LAPTOP = { width: 1366, height: 768 } as const;

/**
 * How long a test waits for what the dashboard gets through a function (an API call, a trigger's
 * write). A function's first call in a session, and any call that finds its workers busy, starts
 * a worker process in the Functions emulator first: on a loaded two-core machine that alone took
 * 18 s (a 15 s wait for "Exception … created" ran out on it). The bound is the emulator's start-up,
 * not the dashboard's speed; a passing test waits only as long as the answer takes.
 */
export const FUNCTION_ROUND_TRIP_MS = 60_000;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // performance.memory with exact figures (not bucketed), for the memory checks.
  '--enable-precise-memory-info',
];

export function requireBuiltDashboard(): void {
  if (!existsSync(join(ROOT, 'dashboard/dist/index.html'))) {
    throw new Error('dashboard/dist is missing: run `npm run build -w dashboard` before the browser tests');
  }
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); never download one`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface DashboardPage {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged as errors, and uncaught exceptions: a test can assert there are none. */
  errors: string[];
}

export async function openDashboard(browser: Browser, viewport: { width: number; height: number } = LAPTOP): Promise<DashboardPage> {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce', locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(DASHBOARD_URL);
  return { context, page, errors };
}

export async function signIn(page: Page, user: Pick<TestUser, 'email' | 'password'>): Promise<void> {
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Waits until the header says the listeners are in sync with the backend. */
export async function waitUntilLive(page: Page, timeout = 30_000): Promise<void> {
  await page.locator('[data-connection="live"]').waitFor({ timeout });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export interface MemoryFigures {
  /** V8 heap in use after a full garbage collection, bytes. */
  heapUsed: number;
  /** DOM nodes alive. */
  nodes: number;
  /** JS event listeners attached. */
  listeners: number;
}

/** Heap and DOM figures from the DevTools protocol, after forcing a garbage collection. */
export async function memoryFigures(cdp: CDPSession): Promise<MemoryFigures> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((entry) => entry.name === name)?.value ?? NaN;
  return { heapUsed: metric('JSHeapUsedSize'), nodes: metric('Nodes'), listeners: metric('JSEventListeners') };
}

/** How many snapshot listeners the page holds (dashboard/src/lib/listeners.ts). */
export function activeListeners(page: Page): Promise<number> {
  return page.evaluate(() => window.threatstream?.activeListeners() ?? -1);
}

declare global {
  interface Window {
    threatstream?: { activeListeners(): number; listenerNames(): string[] };
  }
}
