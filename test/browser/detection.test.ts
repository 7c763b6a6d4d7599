// Detections in the browser (issues #22/#23): a detection threat shows its rule, counts and
// contributing events, and a suppressed one its exception and a badge in the stream; an analyst
// suppresses "like this" and the exception is listed; an admin pastes a bad rule and reads every
// reason, then a good one that is listed; the ATT&CK matrix shows an enabled rule's technique;
// a viewer sees none of the write controls.
//
// The detection threats are written through the pipeline's own ingest code (support/threats.ts)
// from the event to-threat.ts makes of a detection (detectionToEvent): the same payload.detection
// and metadata the detection runtime produces. The suppression is then set on the stored threat
// with the Admin SDK, shaped as detection/exceptions.ts's Suppression.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../functions/src/detection/detection';
import type { Suppression } from '../../functions/src/detection/exceptions';
import { detectionToEvent } from '../../functions/src/detection/to-threat';
import type { TestUser } from '../support/auth';
import { firestore, runId, waitFor } from '../support/emulators';
import { axeViolations, describeViolations } from './support/axe';
import { FUNCTION_ROUND_TRIP_MS, launchChromium, openDashboard, requireBuiltDashboard, screenshot, signIn, waitUntilLive } from './support/browser';
import { writeThreat, type WrittenThreat } from './support/threats';
import { demoUsers } from './support/users';

const VIEWPORT = { width: 1440, height: 1000 };

let browser: Browser;
let users: Record<'viewer' | 'analyst' | 'responder' | 'admin', TestUser>;
let detectionThreat: WrittenThreat;
let suppressedThreat: WrittenThreat;
let detection: Detection;
const createdRules: string[] = [];
const createdExceptions: string[] = [];
const extraThreats: string[] = [];

/** A vertical port scan from a documentation address (LOW: no alert, no playbook). */
function portScan(label: string, sourceIp: string): Detection {
  const id = runId(label);
  const sample = Array.from({ length: 8 }, (_, i) => `${id}-obs-${String(i).padStart(3, '0')}`);
  return {
    id: `det-${id}`,
    ruleId: 'port-scan-vertical',
    ruleVersion: 1,
    ruleKind: 'distinct',
    title: 'Vertical port scan',
    description: 'One source touches many ports of one host within a minute.',
    severity: 'LOW',
    eventType: 'port_scan',
    techniques: ['T1046'],
    key: { 'source.ip': sourceIp, 'destination.ip': '10.0.0.42' },
    count: 137,
    sample,
    firstSeen: new Date(Date.now() - 45_000).toISOString(),
    lastSeen: new Date().toISOString(),
    measures: { distinct: 120, events: 137 },
    values: ['21', '22', '23', '25', '80', '443'],
    source: { ip: sourceIp },
    destination: { ip: '10.0.0.42' },
    depth: 0,
  };
}

beforeAll(async () => {
  requireBuiltDashboard();
  [browser, users] = await Promise.all([launchChromium(), demoUsers()]);
  detection = portScan('browser-detection', '198.51.100.71');
  detectionThreat = await writeThreat(detectionToEvent(detection));
  suppressedThreat = await writeThreat(detectionToEvent(portScan('browser-suppressed', '198.51.100.72')));
  const suppression: Suppression = { exceptionId: 'exc-browser-scanner', reason: 'our weekly vulnerability scanner', owner: 'secops@threatstream.test', expiresAt: '2027-06-30T23:59:59.000Z' };
  await firestore().collection('threats').doc(suppressedThreat.threatId).update({ suppression });
});

afterAll(async () => {
  await browser?.close();
  const db = firestore();
  await Promise.all([
    ...[detectionThreat, suppressedThreat].filter(Boolean).map((threat) => db.collection('threats').doc(threat.threatId).delete()),
    ...extraThreats.map((id) => db.collection('threats').doc(id).delete()),
    ...createdRules.map((id) => db.collection('detectionRules').doc(id).delete()),
    ...createdExceptions.map((id) => db.collection('detectionExceptions').doc(id).delete()),
  ]);
});

async function signedIn(user: TestUser): Promise<Page> {
  const { page } = await openDashboard(browser, VIEWPORT);
  await signIn(page, user);
  await waitUntilLive(page);
  return page;
}

/** Closes whatever dialog a test left open (a failed one included), so the next can click the page. */
async function closeDialogs(page: Page | undefined): Promise<void> {
  for (let i = 0; page && i < 3 && (await page.locator('dialog[open]').count()) > 0; i++) await page.keyboard.press('Escape');
}

/** Opens a threat's details from its row in the stream; returns the dialog. */
async function openThreat(page: Page, threatId: string) {
  const row = page.locator(`tr[data-threat-id="${threatId}"]`);
  await row.waitFor({ timeout: 30_000 });
  await row.locator('button.row-open').click();
  const dialog = page.locator(`dialog:has([data-threat-id="${threatId}"])`);
  await dialog.waitFor();
  return dialog;
}

describe('an analyst', () => {
  let page: Page;

  beforeAll(async () => {
    page = await signedIn(users.analyst);
  });

  afterEach(() => closeDialogs(page));

  afterAll(async () => {
    await page?.context().close();
  });

  it('sees a detection threat with its rule, counts, key, values and contributing events', async () => {
    const row = page.locator(`tr[data-threat-id="${detectionThreat.threatId}"]`);
    await row.waitFor({ timeout: 30_000 });
    await expect(row.locator('.detection-badge').count()).resolves.toBe(1);
    await expect(row.getAttribute('data-suppressed')).resolves.toBeNull();

    const dialog = await openThreat(page, detectionThreat.threatId);
    const section = dialog.getByTestId('detection');
    await expect(section.getByTestId('detection-rule').innerText()).resolves.toBe('Vertical port scan (port-scan-vertical v1)');
    await expect(section.getByTestId('detection-count').innerText()).resolves.toBe('137');
    const text = await section.innerText();
    expect(text).toContain('source.ip=198.51.100.71, destination.ip=10.0.0.42');
    expect(text).toContain('21, 22, 23, 25, 80, 443');
    expect(text).toMatch(/Distinct\s+120/);
    // The heading is upper-cased by CSS, which innerText follows.
    expect(text).toMatch(/sample of 8 of 137/i);
    await expect(section.getByTestId('contributing-events').locator('li').allInnerTexts()).resolves.toEqual(detection.sample);
    await expect(section.getByTestId('suppression').count()).resolves.toBe(0);

    await screenshot(page, 'detection-details-1440x1000');
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await page.keyboard.press('Escape');
  });

  it('sees a suppressed detection marked in the stream, never hidden, with its exception in the details', async () => {
    const row = page.locator(`tr[data-threat-id="${suppressedThreat.threatId}"]`);
    await row.waitFor({ timeout: 30_000 });
    await expect(row.getAttribute('data-suppressed')).resolves.toBe('true');
    await expect(row.locator('.suppressed-badge').innerText()).resolves.toBe('suppressed');

    const dialog = await openThreat(page, suppressedThreat.threatId);
    const note = dialog.getByTestId('suppression');
    await expect(note.innerText()).resolves.toMatch(/exc-browser-scanner: our weekly vulnerability scanner · owner secops@threatstream.test · expires 30\/06\/2027/);
    await page.keyboard.press('Escape');
  });

  it('creates an exception from the detection ("suppress like this") and finds it in the exceptions list', async () => {
    const reason = `browser test scanner ${runId('why')}`;
    const dialog = await openThreat(page, detectionThreat.threatId);
    await dialog.getByRole('button', { name: 'Suppress like this…' }).click();
    const form = dialog.getByTestId('exception-form');
    // Prefilled from the detection: its rule and the fields of its key.
    await expect(form.getByLabel('Rule id (* for every rule)').inputValue()).resolves.toBe('port-scan-vertical');
    await expect(form.getByLabel('Field 1', { exact: true }).inputValue()).resolves.toBe('source.ip');
    await expect(form.getByLabel('Values 1 (comma-separated)').inputValue()).resolves.toBe('198.51.100.71');
    await expect(form.getByLabel('Field 2', { exact: true }).inputValue()).resolves.toBe('destination.ip');
    await expect(form.getByLabel('Owner').inputValue()).resolves.toBe(users.analyst.email);

    // Reason is required: the form is not sent without one.
    await form.getByRole('button', { name: 'Create exception' }).click();
    await expect(form.getByLabel('Reason').evaluate((input) => (input as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing)).resolves.toBe(true);

    await form.getByLabel('Reason').fill(reason);
    await form.getByRole('button', { name: 'Create exception' }).click();
    const status = dialog.locator('.suppress-like-this p[role="status"]');
    await expect.poll(() => status.innerText(), { timeout: FUNCTION_ROUND_TRIP_MS }).toMatch(/^Exception \S+ created/);
    const exceptionId = /^Exception (\S+) created/.exec(await status.innerText())![1]!;
    createdExceptions.push(exceptionId);
    await page.keyboard.press('Escape');

    // Stored as sent: the rule, the key as an all-of match, the reason and the analyst as owner.
    const stored = (await firestore().collection('detectionExceptions').doc(exceptionId).get()).data();
    expect(stored).toMatchObject({
      ruleId: 'port-scan-vertical',
      reason,
      owner: users.analyst.email,
      match: { all: [{ field: 'source.ip', op: 'equals', values: ['198.51.100.71'] }, { field: 'destination.ip', op: 'equals', values: ['10.0.0.42'] }] },
    });

    await page.getByRole('button', { name: 'Exceptions' }).click();
    const listed = page.getByTestId('exceptions-dialog').locator(`tr[data-exception-id="${exceptionId}"]`);
    await listed.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    await expect(listed.getAttribute('data-state')).resolves.toBe('active');
    const rowText = await listed.innerText();
    expect(rowText).toContain(reason);
    expect(rowText).toContain('source.ip equals 198.51.100.71 and destination.ip equals 10.0.0.42');

    // Expire it: it stays listed, as expired.
    await listed.getByRole('button', { name: 'Expire now' }).click();
    await expect.poll(() => listed.getAttribute('data-state'), { timeout: FUNCTION_ROUND_TRIP_MS }).toBe('expired');
    await page.keyboard.press('Escape');
  });
});

describe('an admin', () => {
  let page: Page;

  beforeAll(async () => {
    page = await signedIn(users.admin);
  });

  afterEach(() => closeDialogs(page));

  afterAll(async () => {
    await page?.context().close();
  });

  it('pastes a bad rule and reads every reason it was refused, then a good one that is listed and enabled per environment', async () => {
    await page.getByRole('button', { name: 'Rules' }).click();
    const dialog = page.getByTestId('rules-dialog');
    await dialog.getByRole('button', { name: 'Add a rule…' }).click();
    const form = dialog.getByTestId('add-rule');

    // Three faults: an id with capitals and a space, a title too short, no description.
    await form.getByLabel('Rule text').fill(['id: Bad Rule', 'title: x', 'severity: MEDIUM', 'eventType: brute_force', 'kind: single', 'match: {field: destination.port, op: equals, values: [23]}'].join('\n'));
    await form.getByRole('button', { name: 'Add rule' }).click();
    const refusal = form.getByTestId('rule-refusal');
    await refusal.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    const reasons = await refusal.locator('li').allInnerTexts();
    expect(reasons.length, reasons.join('\n')).toBeGreaterThanOrEqual(3);
    expect(reasons.join('\n')).toMatch(/id/);
    expect(reasons.join('\n')).toMatch(/title/);
    expect(reasons.join('\n')).toMatch(/description/);

    const id = `ui-${runId('telnet').toLowerCase()}`;
    createdRules.push(id);
    await form.getByLabel('Rule text').fill(
      [
        `id: ${id}`,
        'title: Telnet login attempt',
        'description: Any connection to telnet, which nothing of ours should still expose or use.',
        'severity: MEDIUM',
        'eventType: brute_force',
        'techniques: [T1021]',
        'kind: single',
        'match: {field: destination.port, op: equals, values: [23]}',
      ].join('\n'),
    );
    await form.getByRole('button', { name: 'Add rule' }).click();
    const row = dialog.locator(`tr[data-rule-id="${id}"]`);
    await row.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    await expect(row.innerText()).resolves.toContain('Telnet login attempt');
    await expect(row.innerText()).resolves.toContain('T1021');

    // Enabled in local (the form's default); enable it in staging too.
    const local = row.getByLabel(`${id} enabled in local`);
    const staging = row.getByLabel(`${id} enabled in staging`);
    await expect(local.isChecked()).resolves.toBe(true);
    await expect(staging.isChecked()).resolves.toBe(false);
    await staging.check();
    await expect.poll(async () => (await firestore().collection('detectionRules').doc(id).get()).data()?.enabledIn, { timeout: FUNCTION_ROUND_TRIP_MS }).toEqual(['local', 'staging']);
    await expect.poll(() => staging.isChecked(), { timeout: FUNCTION_ROUND_TRIP_MS }).toBe(true);
    await page.keyboard.press('Escape');
  });
  it('uploads a Sigma rule file (its format recognised), and a detection of it shows the rule\'s false positives and references', async () => {
    const uuid = randomUUID();
    const sigma = [
      'title: Whoami execution',
      `id: ${uuid}`,
      'status: test',
      'level: high',
      'references: [https://example.com/whoami]',
      'falsepositives: [Admin scripts run by the helpdesk]',
      'tags: [attack.discovery, attack.t1033]',
      'logsource: { product: windows, category: process_creation }',
      'detection:',
      '  selection:',
      "    Image|endswith: '\\whoami.exe'",
      '  condition: selection',
      '',
    ].join('\n');
    const id = `sigma-${uuid}`;
    createdRules.push(id);
    await page.getByRole('button', { name: 'Rules' }).click();
    const dialog = page.getByTestId('rules-dialog');
    await dialog.getByRole('button', { name: 'Add a rule…' }).click();
    const form = dialog.getByTestId('add-rule');
    await form.getByLabel('Or upload a file').setInputFiles({ name: 'whoami.yml', mimeType: 'text/yaml', buffer: Buffer.from(sigma) });
    await expect.poll(() => form.getByLabel('Rule text').inputValue()).toBe(sigma);
    await expect(form.getByLabel('Format').inputValue()).resolves.toBe('sigma');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const row = dialog.locator(`tr[data-rule-id="${id}"]`);
    await row.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    const text = await row.innerText();
    expect(text).toContain('Whoami execution');
    expect(text).toMatch(/sigma\s*\(test\)/);
    expect(text).toContain('T1033');
    await page.keyboard.press('Escape');

    // A detection of that rule: its details carry the Sigma notes an analyst judges it by.
    const written = await writeThreat(
      detectionToEvent({ ...portScan('browser-sigma', '198.51.100.73'), ruleId: id, ruleKind: 'single', title: 'Whoami execution', eventType: 'unknown', techniques: ['T1033'], measures: {}, count: 1, sample: ['whoami-1'] }),
    );
    extraThreats.push(written.threatId);
    const details = await openThreat(page, written.threatId);
    const section = details.getByTestId('detection');
    await expect.poll(() => section.innerText(), { timeout: FUNCTION_ROUND_TRIP_MS }).toContain('Admin scripts run by the helpdesk');
    await expect(section.getByRole('link', { name: 'https://example.com/whoami' }).getAttribute('href')).resolves.toBe('https://example.com/whoami');
  });
});

describe('a viewer', () => {
  let page: Page;

  beforeAll(async () => {
    page = await signedIn(users.viewer);
  });

  afterEach(() => closeDialogs(page));

  afterAll(async () => {
    await page?.context().close();
  });

  it('sees the ATT&CK coverage matrix with a technique of an enabled rule highlighted', async () => {
    await page.getByRole('button', { name: 'ATT&CK coverage' }).click();
    const dialog = page.getByTestId('coverage-dialog');
    // T1046 Network Service Discovery: the built-in port-scan rules, enabled by default.
    const cell = dialog.locator('li[data-technique="T1046"].covered').first();
    await cell.waitFor({ timeout: FUNCTION_ROUND_TRIP_MS });
    expect(Number(await cell.getAttribute('data-rules'))).toBeGreaterThanOrEqual(1);
    await expect(cell.innerText()).resolves.toMatch(/T1046 Network Service Discovery\s+\d+ rules?/);
    // Tactics are columns, side by side.
    const tactics = dialog.locator('.coverage-tactic');
    expect(await tactics.count()).toBeGreaterThan(3);
    const [first, second] = [await tactics.nth(0).boundingBox(), await tactics.nth(1).boundingBox()];
    expect(second!.x).toBeGreaterThan(first!.x);
    expect(second!.y).toBe(first!.y);
    await screenshot(page, 'detection-coverage-1440x1000');
    // The page behind stays one window tall.
    await expect(page.locator('html').evaluate((html) => html.scrollHeight)).resolves.toBe(VIEWPORT.height);
    await page.keyboard.press('Escape');
  });

  it('sees no write controls: no rules or exceptions, no "suppress like this"', async () => {
    await expect(page.getByRole('button', { name: 'Rules' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Exceptions' }).count()).resolves.toBe(0);
    const dialog = await openThreat(page, detectionThreat.threatId);
    // The detection itself is visible to a viewer…
    await expect(dialog.getByTestId('detection-count').innerText()).resolves.toBe('137');
    // …but nothing to change.
    await expect(dialog.getByRole('button', { name: 'Suppress like this…' }).count()).resolves.toBe(0);
    await expect(dialog.getByTestId('exception-form').count()).resolves.toBe(0);
    await page.keyboard.press('Escape');
  });
});
