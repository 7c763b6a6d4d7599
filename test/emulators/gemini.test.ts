// Gemini threat analysis on the Emulator Suite: Pub/Sub → ingest (rules) → threats/{id} →
// analysis-onThreatCreated (the real @google/genai SDK, pointed by GEMINI_BASE_URL at the fake
// Gemini API below) → the threat re-scored, its count moved and, raised into HIGH, its alert opened.
//
// The functions emulator must run with `--project emulator-tests`, which loads
// functions/.env.emulator-tests (GEMINI_BASE_URL=http://127.0.0.1:4777 and a placeholder key).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseThreat } from '../../functions/src/analysis/analyse-threat';
import { consultModel } from '../../functions/src/analysis/consult';
import { answerKey } from '../../functions/src/analysis/signature';
import { createModelRuntime, geminiSettingsFrom, type RawGeminiParams } from '../../functions/src/analysis/runtime';
import { threatIdFor } from '../../functions/src/firestore/refs';
import { readBucket } from '../../functions/src/metrics/read';
import { openOrJoinAlert } from '../../functions/src/alerts/store';
import { alertsFromSource, directAlertDeps } from '../support/alerts';
import { bruteForce } from '../support/events';
import { FakeGemini, type FakeGeminiMode } from '../support/fake-gemini';
import { privateMinute, threatDoc } from '../support/response-fixtures';
import { firestore, publishEvent, runId, settle, uniquePublicIp, waitFor } from '../support/emulators';

/** Where functions/.env.emulator-tests points GEMINI_BASE_URL. */
const FAKE_GEMINI_PORT = 4777;

const db = () => firestore();
let fake: FakeGemini;

beforeAll(async () => {
  try {
    fake = await FakeGemini.start({ port: FAKE_GEMINI_PORT });
  } catch (error) {
    throw new Error(`cannot listen on 127.0.0.1:${FAKE_GEMINI_PORT} for the fake Gemini API: ${String(error)}`);
  }
});
afterAll(async () => {
  await fake?.close();
});

async function threatFor(eventId: string) {
  const snapshot = await db().collection('threats').doc(threatIdFor(eventId)).get();
  return snapshot.exists ? snapshot.data()! : undefined;
}

/** The threat once the analysis function has recorded what the model did. */
function modelRecorded(eventId: string, timeoutMs = 30_000) {
  return waitFor(`the model record of ${eventId}`, async () => {
    const threat = await threatFor(eventId);
    return threat?.model ? threat : undefined;
  }, timeoutMs, 200);
}

const factorSum = (risk: { factors: { contribution: number }[] }) =>
  risk.factors.reduce((sum, factor) => sum + factor.contribution, 0);

describe('Gemini analysis on the emulators', () => {
  it('is configured: the analysis function reaches the fake Gemini API', async () => {
    const sourceIp = uniquePublicIp();
    await publishEvent(bruteForce(runId('probe'), sourceIp));
    await waitFor(
      'a request from the analysis function to the fake Gemini API. Run the emulators with ' +
        '`--project emulator-tests` (functions/.env.emulator-tests sets GEMINI_BASE_URL and a key)',
      async () => (fake.requestsMatching(sourceIp).length > 0 ? true : undefined),
      30_000,
      200,
    );
  });

  it('adds the model\'s analysis to a new threat and re-scores it, sending nothing secret', async () => {
    const eventId = runId('gemini');
    const sourceIp = uniquePublicIp();
    await publishEvent({ ...bruteForce(eventId, sourceIp), payload: { attempts: 150, user: 'root@corp.example', password: 'Winter2025!' } });
    const threat = await modelRecorded(eventId);

    expect(threat.model).toMatchObject({ status: 'analysed', name: 'gemini-3.5-flash-lite', droppedTechniques: ['T9999'] });
    expect(threat.analysis.engine).toBe('gemini');
    expect(threat.analysis.summary).toMatch(/password-guessing attack/);
    expect(threat.analysis.mitre.map((technique: { id: string }) => technique.id)).toEqual(
      expect.arrayContaining(['T1110', 'T1110.001']),
    );
    expect(threat.rulesAnalysis.engine).toBe('rules');
    expect(threat.risk.factors.at(-1).name).toBe('model_assessment');
    expect(factorSum(threat.risk)).toBe(threat.risk.score);

    const requests = fake.requestsMatching(sourceIp);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.apiKey).toBe('fake-gemini-key-for-emulator-tests');
    expect(requests[0]!.text).not.toContain('Winter2025!');
    expect(requests[0]!.text).not.toContain('root@');
  });

  it('answers a flood of one attack with one model call across the function\'s workers', async () => {
    const prefix = runId('flood');
    const sourceIp = uniquePublicIp();
    fake.rule({ match: sourceIp, mode: 'good', latencyMs: 300 });
    const count = 30;
    await Promise.all(
      Array.from({ length: count }, (_, i) => publishEvent(bruteForce(`${prefix}-${i}`, sourceIp, 100 + i))),
    );
    const threats = await Promise.all(Array.from({ length: count }, (_, i) => modelRecorded(`${prefix}-${i}`, 60_000)));
    const statuses = threats.map((threat) => threat.model.status);
    expect(statuses.filter((status) => status === 'analysed')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'cached')).toHaveLength(count - 1);
    expect(threats.every((threat) => threat.analysis.engine === 'gemini')).toBe(true);
    expect(fake.requestsMatching(sourceIp)).toHaveLength(1);
  }, 90_000);

  const failures: [FakeGeminiMode, string, number][] = [
    ['malformed', 'malformed_json', 1],
    ['schema_violation', 'schema_violation', 1],
    ['rate_limited', 'rate_limited', 2],
    ['server_error', 'server_error', 2],
    ['hang', 'timeout', 1],
  ];
  it('keeps the rules analysis, and says why, whenever the model fails', async () => {
    const cases = failures.map(([mode, reason, requests]) => ({
      mode,
      reason,
      requests,
      eventId: runId(`fail-${mode}`),
      sourceIp: uniquePublicIp(),
    }));
    for (const { mode, sourceIp } of cases) fake.rule({ match: sourceIp, mode });
    await Promise.all(cases.map(({ eventId, sourceIp }) => publishEvent(bruteForce(eventId, sourceIp))));

    for (const { mode, reason, requests, eventId, sourceIp } of cases) {
      const threat = await modelRecorded(eventId);
      expect(threat.model, mode).toMatchObject({ status: 'failed', reason });
      expect(threat.analysis.engine, mode).toBe('rules');
      expect(threat.rulesAnalysis, mode).toBeUndefined();
      expect(threat.risk.factors.map((factor: { name: string }) => factor.name), mode).not.toContain('model_assessment');
      expect(['HIGH', 'CRITICAL'], mode).toContain(threat.risk.severity);
      expect(fake.requestsMatching(sourceIp), mode).toHaveLength(requests);
    }
  }, 90_000);

  it('opens an alert when the model raises a MEDIUM threat to HIGH', async () => {
    const eventId = runId('escalate');
    const sourceIp = uniquePublicIp();
    fake.rule({ match: sourceIp, mode: 'good', answer: { severity: 'CRITICAL', confidence: 0.95 } });
    // A few failed SSH logins on an ordinary server: MEDIUM for the rules, and they are unsure.
    await publishEvent({
      ...bruteForce(eventId, sourceIp, 8),
      destination_ip: '10.0.0.20',
    });
    const threat = await modelRecorded(eventId);
    expect(threat.rulesAnalysis.engine).toBe('rules');
    expect(threat.risk.factors.at(-1)).toMatchObject({ name: 'model_assessment' });
    const rulesScore = threat.risk.score - threat.risk.factors.at(-1).contribution;
    expect(rulesScore).toBeGreaterThanOrEqual(40);
    expect(rulesScore).toBeLessThan(65);
    expect(threat.risk.severity).toBe('HIGH');

    const alertId = await waitFor('the escalated threat linked to an alert', async () => (await threatFor(eventId))?.alertId);
    const alerts = await alertsFromSource(sourceIp);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ id: alertId, severity: 'HIGH', status: 'OPEN', eventIds: [eventId] });

    // The model raised it: the alert says so, and brute-force-response's block waits for a person.
    expect(alerts[0]!.approvalConditions).toContain('model_raised');
    const run = await waitFor(
      'brute-force-response to reach its block',
      async () => {
        const snapshot = await db().collection('playbookRuns').where('alertId', '==', alertId).get();
        const found = snapshot.docs.map((doc) => doc.data()).find((doc) => doc.playbookId === 'brute-force-response');
        return found && found.status !== 'PENDING' && found.status !== 'RUNNING' ? found : undefined;
      },
      30_000,
      200,
    );
    expect(run.status).toBe('AWAITING_APPROVAL');
    expect(run.steps[0]).toMatchObject({ action: 'block_ip', status: 'AWAITING_APPROVAL' });
    expect((await db().collection('blocklist').doc(sourceIp).get()).exists).toBe(false);
  });

  describe('the model lowers a 65-79 threat: the alert rests on the rules severity', () => {
    // Rules 72 (HIGH); the model's −15 makes it 57 (MEDIUM). xss: no built-in playbook acts on it.
    const lowered = { name: 'model_assessment', contribution: -15, detail: 'fake: rates it LOW' };
    const rulesHigh = (eventId: string, sourceIp: string) => {
      const threat = threatDoc({ eventId, eventType: 'xss', sourceIp, severity: 'HIGH' });
      return { ...threat, risk: { score: 72, severity: 'HIGH' as const, factors: [{ name: 'fixture', contribution: 72, detail: 'fixture' }] } };
    };

    it('analysis write first: the threat reaches the alert trigger already lowered, and still alerts', async () => {
      const eventId = runId('lowered-first');
      const sourceIp = uniquePublicIp();
      const threat = rulesHigh(eventId, sourceIp);
      const model = { status: 'analysed', name: 'fake', latencyMs: 1, at: threat.createdAt };
      await db()
        .collection('threats')
        .doc(threatIdFor(eventId))
        .create({ ...threat, model, risk: { score: 57, severity: 'MEDIUM', factors: [...threat.risk.factors, lowered] } });
      const outcome = await openOrJoinAlert({ id: threatIdFor(eventId), source_ip: sourceIp, event_type: 'xss' }, directAlertDeps());
      expect(['opened', 'already_linked']).toContain(outcome.outcome);
      const alertId = await waitFor('the lowered threat linked to an alert', async () => (await threatFor(eventId))?.alertId);
      const alerts = await alertsFromSource(sourceIp);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ id: alertId, severity: 'HIGH', status: 'OPEN' });
    });

    it('alert trigger first: the alert opened on the rules severity stays when the analysis lowers the threat', async () => {
      const eventId = runId('lowered-after');
      const sourceIp = uniquePublicIp();
      // A slow answer: the alert trigger has read the threat long before the lowering lands.
      fake.rule({ match: sourceIp, mode: 'good', latencyMs: 1_000, answer: { severity: 'LOW', confidence: 0.95 } });
      await db().collection('threats').doc(threatIdFor(eventId)).create(rulesHigh(eventId, sourceIp));
      const alertId = await waitFor('the threat linked to an alert', async () => (await threatFor(eventId))?.alertId);
      const threat = await modelRecorded(eventId);
      expect(threat.risk.severity).toBe('MEDIUM');
      expect(threat.alertId).toBe(alertId);
      expect(await alertsFromSource(sourceIp)).toEqual([expect.objectContaining({ id: alertId, severity: 'HIGH', status: 'OPEN' })]);
    });
  });

  it('moves the count of a threat it re-scores to the new severity, in the buckets it was counted in', async () => {
    const eventId = runId('recount');
    const threatId = threatIdFor(eventId);
    const sourceIp = uniquePublicIp();
    fake.rule({ match: sourceIp, mode: 'good', answer: { severity: 'CRITICAL', confidence: 0.95 } });
    // Dated in a minute of its own, so that minute's buckets hold this threat alone: counted
    // MEDIUM on creation, then moved by the analysis that raises it.
    const at = privateMinute();
    const medium = threatDoc({ eventId, eventType: 'brute_force', sourceIp, severity: 'MEDIUM', destinationIp: '10.0.0.20' }, at);
    await db().collection('threats').doc(threatId).create({
      ...medium,
      destination_port: 22,
      analysis: { ...medium.analysis, confidence: 0.5 },
      risk: { score: 55, severity: 'MEDIUM', factors: [{ name: 'fixture', contribution: 55, detail: 'fixture' }] },
    });
    const threat = await modelRecorded(eventId);
    expect(['HIGH', 'CRITICAL']).toContain(threat.risk.severity);
    const moved = { events: 1, bySeverity: { MEDIUM: 0, [threat.risk.severity]: 1 } };
    await waitFor('the count moved', async () => {
      const bucket = await readBucket(db(), 'minute', at);
      return bucket.events === 1 && bucket.bySeverity.MEDIUM === 0 && bucket.bySeverity[threat.risk.severity as 'HIGH'] === 1 ? bucket : undefined;
    });
    await settle(async () => (await readBucket(db(), 'minute', at)).bySeverity, 1_500);
    expect(await readBucket(db(), 'minute', at)).toMatchObject(moved);
    expect(await readBucket(db(), 'hour', at)).toMatchObject(moved);
    // Raised into HIGH or above: the analysis opened its alert.
    const alertId = await waitFor('the re-scored threat linked to an alert', async () => (await threatFor(eventId))?.alertId);
    expect((await db().collection('alerts').doc(alertId).get()).get('eventIds')).toEqual([eventId]);
  });

  it('leaves a threat the policy does not select to the rules, without a call', async () => {
    const eventId = runId('quiet');
    // A short SYN scan between internal hosts: LOW, and the rules are sure of it.
    const sourceIp = `10.77.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    await publishEvent({
      event_id: eventId,
      timestamp: new Date().toISOString(),
      event_type: 'port_scan',
      source_ip: sourceIp,
      destination_ip: '10.0.0.20',
      payload: { ports: 3, scan_type: 'syn' },
    });
    await waitFor('the quiet threat', () => threatFor(eventId));
    await settle(() => threatFor(eventId), 3_000);
    const threat = (await threatFor(eventId))!;
    expect(threat.risk.severity).toBe('LOW');
    expect(threat.model).toBeUndefined();
    expect(threat.analysis.engine).toBe('rules');
    expect(fake.requestsMatching(sourceIp)).toHaveLength(0);
  });

  it('does nothing more when the trigger is delivered again for an analysed threat', async () => {
    const eventId = runId('again');
    const sourceIp = uniquePublicIp();
    // A slow answer (within the tests' 1.5 s timeout), so that the threat can be read as ingest
    // created it: what a redelivery of the trigger carries.
    fake.rule({ match: sourceIp, mode: 'good', latencyMs: 800 });
    await publishEvent(bruteForce(eventId, sourceIp));
    const created = await waitFor(`the threat of ${eventId}`, () => threatFor(eventId), 10_000, 50);
    expect(created.model).toBeUndefined();
    const before = await modelRecorded(eventId);
    expect(fake.requestsMatching(sourceIp)).toHaveLength(1);

    const runtime = createModelRuntime(
      geminiSettingsFrom({ ...TEST_PARAMS, apiKey: 'fake-gemini-key-for-emulator-tests', baseUrl: fake.url }),
      db() as never,
    );
    const outcome = await analyseThreat(threatIdFor(eventId), created as never, { db: db() as never, consult: runtime.consult, now: () => new Date(), alerts: directAlertDeps() });
    expect(outcome).toEqual({ outcome: 'already_done', status: 'analysed' });
    expect(fake.requestsMatching(sourceIp)).toHaveLength(1);
    expect((await threatFor(eventId))!.model.at.isEqual(before.model.at)).toBe(true);
  });

  it('serves a later event of the same attack from the cache, in any instance (Firestore modelCache)', async () => {
    const first = runId('cache-1');
    const sourceIp = uniquePublicIp();
    await publishEvent(bruteForce(first, sourceIp));
    await modelRecorded(first);

    const second = runId('cache-2');
    await publishEvent(bruteForce(second, sourceIp, 151));
    const threat = await modelRecorded(second);
    expect(threat.model.status).toBe('cached');
    expect(threat.analysis.engine).toBe('gemini');

    // A fresh instance (empty memory) finds the answer in Firestore and makes no call either.
    const stored = (await threatFor(second))!;
    const key = answerKey(stored as never, 'gemini-3.5-flash-lite').id;
    expect(threat.model.signature).toBe(key);
    expect((await db().collection('modelCache').doc(key).get()).data()).toMatchObject({ state: 'ready' });
    const coldStart = createModelRuntime(
      geminiSettingsFrom({ ...TEST_PARAMS, apiKey: 'fake-gemini-key-for-emulator-tests', baseUrl: fake.url }),
      db() as never,
    );
    const outcome = await consultModel(
      {
        eventId: stored.event_id,
        event: stored as never,
        source: stored.geo,
        destination: stored.destinationGeo,
        rules: stored.rulesAnalysis,
        risk: stored.risk,
        recentActivity: stored.recentActivity,
      },
      coldStart.consult,
    );
    expect(outcome).toMatchObject({ status: 'cached', source: 'shared' });
    expect(fake.requestsMatching(sourceIp)).toHaveLength(1);
  });
});

const TEST_PARAMS: RawGeminiParams = {
  apiKey: '',
  useVertex: false,
  project: 'demo-threatstream',
  vertexLocation: 'global',
  model: 'gemini-3.5-flash-lite',
  thinkingLevel: 'MINIMAL',
  baseUrl: '',
  timeoutMs: 1_500,
  eventsPerMinute: 100_000,
  batchSize: 8,
  batchWindowMs: 20,
  minConfidencePercent: 60,
  minSeverity: 'MEDIUM',
  samplePercent: 100,
  cacheTtlMinutes: 60,
  redactKeys: '',
  breakerFailures: 1_000,
  breakerCoolDownSeconds: 1,
};
