// Detection on the stream, on the Emulator Suite: observations published to Pub/Sub
// `security-observations` run through the deployed detection-onObservation function, whose
// windows live in Firestore (detectionWindows), and come out as threats (and alerts) named by
// detection id. Each case's expected detections come from the in-memory engine over the same events.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { parseRecord, type NormalizedEvent } from '@threatstream/events';
import type { DocumentData } from 'firebase-admin/firestore';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../../functions/src/domain/config';
import { loadIpIntelligence } from '../../functions/src/domain/enrich/geoip';
import { detectObservations } from '../../functions/src/detection/detect';
import type { Detection } from '../../functions/src/detection/detection';
import { DetectionEngine, RuleSet } from '../../functions/src/detection/engine';
import { BUILT_IN_PACK, BUILT_IN_RULES } from '../../functions/src/detection/pack';
import { WindowStore, windowRef } from '../../functions/src/detection/window-store';
import { writeDetectionThreat } from '../../functions/src/detection/write-threat';
import { hashedId, threatIdFor } from '../../functions/src/firestore/refs';
import { SaturatedSources } from '../../functions/src/pipeline/saturated-sources';
import { PROJECT_ID, firestore, runId, settle, uniquePublicIp, waitFor } from '../support/emulators';

const pubsub = new PubSub({ projectId: PROJECT_ID });
const topic = pubsub.topic('security-observations');
const db = () => firestore();

afterAll(async () => {
  await pubsub.close();
});

/** A real sshd line from Elastic Beats' system/auth test log, as the template for a run's failures. */
const AUTH_LOG = join(__dirname, '../../packages/events/samples/syslog/beats-system-auth-test.log');
const REAL_FAILURE = readFileSync(AUTH_LOG, 'utf8').split('\n').find((line) => line.includes('Failed password for root from'))!;

/** The sample line from `ip`, at second `at` past a fixed minute, from port `port`. */
function authFailure(ip: string, at: number, port: number, user = 'root'): NormalizedEvent {
  const time = `Feb 20 08:${String(35 + Math.floor(at / 60)).padStart(2, '0')}:${String(at % 60).padStart(2, '0')}`;
  const line = REAL_FAILURE.replace(/^\w{3} +\d+ [\d:]{8}/, time)
    .replace(/from [\d.]+ port \d+/, `from ${ip} port ${port}`)
    .replace('for root', `for ${user}`)
    .replace(/sshd\[\d+\]/, `sshd[${port}]`);
  const parsed = parseRecord(line, { now: new Date('2026-02-20T12:00:00Z') });
  if (!parsed.ok) throw new Error(`${parsed.reason}: ${line}`);
  return parsed.events[0]!;
}

const PRIVATE = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|127\.)/;

/** A pack case's events with this run's own public addresses and event ids (windows outlive a test). */
function fresh(events: readonly NormalizedEvent[]): NormalizedEvent[] {
  const run = runId('obs');
  const ips = new Map<string, string>();
  const text = JSON.stringify(events).replace(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g, (ip) => {
    if (PRIVATE.test(ip)) return ip;
    if (!ips.has(ip)) ips.set(ip, uniquePublicIp());
    return ips.get(ip)!;
  });
  return (JSON.parse(text) as NormalizedEvent[]).map((event) => ({ ...event, event: { ...event.event, id: `${event.event.id}-${run}` } }));
}

function expectedDetections(events: readonly NormalizedEvent[]): Detection[] {
  const engine = new DetectionEngine(BUILT_IN_RULES);
  return events.flatMap((event) => engine.observe(event));
}

function caseEvents(ruleId: string, caseIndex = 0): NormalizedEvent[] {
  const entry = BUILT_IN_PACK.find((e) => e.rule.id === ruleId)!;
  return fresh(entry.cases.filter((c) => c.fires > 0)[caseIndex]!.events);
}

function publish(event: NormalizedEvent): Promise<string> {
  return topic.publishMessage({ data: Buffer.from(JSON.stringify(event)), attributes: { event_id: event.event.id, format: event.event.format, kind: 'event' } });
}

async function threatOf(detectionId: string): Promise<DocumentData | undefined> {
  const snapshot = await db().collection('threats').doc(threatIdFor(detectionId)).get();
  return snapshot.exists ? snapshot.data() : undefined;
}

function waitForThreat(detectionId: string, timeoutMs = 50_000): Promise<DocumentData> {
  return waitFor(`the threat of detection ${detectionId}`, () => threatOf(detectionId), timeoutMs);
}

/** Threats from detections of `ruleId` whose key names `ip` (every detection's source or key). */
async function detectionThreatsFrom(ip: string, ruleId: string): Promise<DocumentData[]> {
  const snapshot = await db().collection('threats').where('source_ip', '==', ip).get();
  return snapshot.docs.map((doc) => doc.data()).filter((threat) => threat.payload?.detection?.rule_id === ruleId);
}

describe('detection on security-observations', () => {
  it('an SSH brute force from sshd auth log lines becomes a brute-force threat naming the rule and the count', async () => {
    const ip = uniquePublicIp();
    const events = Array.from({ length: 10 }, (_, i) => authFailure(ip, i * 3, 40_000 + i));
    const expected = expectedDetections(events);
    expect(expected.map((d) => d.ruleId)).toEqual(['ssh-brute-force']);
    for (const event of events) await publish(event);
    const threat = await waitForThreat(expected[0]!.id);
    expect(threat).toMatchObject({ event_type: 'brute_force', source_ip: ip, payload: { detection: { rule_id: 'ssh-brute-force', count: 10 } } });
    expect(threat.payload.detection.sample_event_ids).toContain(events[0]!.event.id);
    expect(threat.analysis.summary).toMatch(/ssh-brute-force/);
  });

  it('a detection scored HIGH opens an alert as any threat does', async () => {
    const events = caseEvents('ssh-brute-force');
    const [detection] = expectedDetections(events);
    for (const event of events) await publish(event);
    const threat = await waitForThreat(detection!.id);
    expect(threat.risk.severity).toMatch(/HIGH|CRITICAL/);
    const alerted = await waitFor('its alert', async () => (await threatOf(detection!.id))?.alertId as string | undefined);
    expect((await db().collection('alerts').doc(alerted).get()).exists).toBe(true);
  });

  it('port-scan-vertical: flows published one message each, taken in any order, give one port-scan threat', async () => {
    const events = caseEvents('port-scan-vertical');
    const expected = expectedDetections(events);
    expect(expected.map((d) => d.ruleId)).toEqual(['port-scan-vertical']);
    // Distinct counting does not depend on the order the workers take the messages in (the
    // detection id does: it names the first event counted, so the threat is found by source).
    await Promise.all(events.map(publish));
    const ip = events[0]!.source!.ip!;
    const found = await waitFor('the port-scan threat', async () => {
      const threats = await detectionThreatsFrom(ip, 'port-scan-vertical');
      return threats.length > 0 ? threats : undefined;
    });
    await settle(() => detectionThreatsFrom(ip, 'port-scan-vertical').then((t) => t.length), 2_000);
    expect(await detectionThreatsFrom(ip, 'port-scan-vertical')).toHaveLength(1);
    expect(found[0]!.payload.detection.measures.distinct).toBe(expected[0]!.measures.distinct);
  });

  // A publisher's batch of a whole pack case: every detection, the kill chain over them included.
  it.each<[string, number]>([
    ['success-after-failures', 1],
    ['kill-chain-recon-exploit-c2', 0],
  ])('%s: the pack case in one batch message gives every detection the engine finds, the chain included', async (ruleId, caseIndex) => {
    const events = caseEvents(ruleId, caseIndex);
    const expected = expectedDetections(events);
    expect(expected.map((d) => d.ruleId)).toContain(ruleId);
    await topic.publishMessage({ data: Buffer.from(JSON.stringify({ observations: events })) });
    for (const detection of expected) {
      const threat = await waitForThreat(detection.id);
      expect(threat.payload.detection).toMatchObject({ rule_id: detection.ruleId, count: detection.count });
    }
  });

  // Issue 22: "failures then a success" means by the events' times. Here the success is stored
  // first (its own message, its window written before any failure is published), then each
  // failure in its own message: the last failure completes the chain, and the threat is written once.
  it('success-after-failures: the success published before its failures, one message each, gives one threat', async () => {
    const events = caseEvents('success-after-failures', 1);
    const [detection, ...others] = expectedDetections(events).filter((d) => d.ruleId === 'success-after-failures');
    expect(others).toEqual([]);
    const success = events.at(-1)!;
    expect(success.event.outcome).toBe('success');
    const ip = success.source!.ip!;
    await publish(success);
    await waitFor('the success in its window document', async () => ((await windowRef(db(), `source.ip=${ip}`).get()).exists ? true : undefined));
    for (const failure of events.slice(0, -1)) await publish(failure);
    const threat = await waitForThreat(detection!.id);
    expect(threat.payload.detection).toMatchObject({ rule_id: 'success-after-failures', count: 6 });
    await settle(() => detectionThreatsFrom(ip, 'success-after-failures').then((t) => t.length), 2_000);
    expect(await detectionThreatsFrom(ip, 'success-after-failures')).toHaveLength(1);
  });

  it('a batch message ({"observations": [...]}) is detected as its observations one by one are', async () => {
    const events = caseEvents('port-scan-horizontal');
    const expected = expectedDetections(events);
    expect(expected.length).toBeGreaterThan(0);
    await topic.publishMessage({ data: Buffer.from(JSON.stringify({ observations: events })) });
    for (const detection of expected) await waitForThreat(detection.id);
  });

  it('an observation delivered twice counts once', async () => {
    const ip = uniquePublicIp();
    const events = Array.from({ length: 10 }, (_, i) => authFailure(ip, i * 2, 41_000 + i));
    // Nine failures, each published twice: nine distinct, below the threshold of ten.
    for (const event of events.slice(0, 9)) {
      await publish(event);
      await publish(event);
    }
    await settle(() => detectionThreatsFrom(ip, 'ssh-brute-force').then((t) => t.length), 3_000);
    expect(await detectionThreatsFrom(ip, 'ssh-brute-force')).toHaveLength(0);
    await publish(events[9]!);
    const [detection] = expectedDetections(events);
    const threat = await waitForThreat(detection!.id);
    expect(threat.payload.detection.count).toBe(10);
  });

  it('two instances at once (the function and this process, each with its own store) lose no update', async () => {
    const ip = uniquePublicIp();
    // Ten users from one source: password spraying needs all ten distinct users counted.
    const events = Array.from({ length: 10 }, (_, i) => authFailure(ip, i, 42_000 + i, `user${i}`));
    const intel = await loadIpIntelligence();
    const here = new WindowStore(db(), { minIntervalMs: 1000, now: Date.now });
    const ingest = {
      db: db(),
      intel,
      config: DEFAULT_DETECTION_CONFIG,
      saturatedSources: new SaturatedSources(),
      retentionDays: 1,
      maxRetryAgeMs: 3_600_000,
      now: () => new Date(),
    };
    const rules = new RuleSet(BUILT_IN_RULES);
    // Even ones through the function (each message may run in its own worker), odd ones here, all at once.
    await Promise.all(
      events.map((event, i) =>
        i % 2 === 0
          ? publish(event)
          : detectObservations([event], {
              catalog: async () => ({ rules, exceptions: [] }),
              applyGroup: (group, items) => here.apply(group, items),
              writeThreat: (detection, suppression) => writeDetectionThreat(detection, suppression, `test-${i}`, ingest),
              countExceptionHit: async () => undefined,
              now: Date.now,
            }),
      ),
    );
    const spraying = await waitFor('the password spraying threat', async () => {
      const found = await detectionThreatsFrom(ip, 'password-spraying');
      return found.length > 0 ? found : undefined;
    });
    await settle(() => detectionThreatsFrom(ip, 'password-spraying').then((t) => t.length), 2_000);
    expect(await detectionThreatsFrom(ip, 'password-spraying')).toHaveLength(1);
    expect(spraying[0]!.payload.detection.measures.distinct).toBe(10);
    const brute = await detectionThreatsFrom(ip, 'ssh-brute-force');
    expect(brute.map((t) => t.payload.detection.count)).toEqual([10]);
  });

  it('a message that is not an observation is kept in rejectedEvents with its reason, and the rest of a batch still counts', async () => {
    const data = Buffer.from(`{"not an observation": true, "run": "${runId('bad-obs')}"}`);
    await topic.publishMessage({ data });
    const rejected = await waitFor('the rejected message', async () => (await db().collection('rejectedEvents').doc(hashedId(data)).get()).data());
    expect(rejected.reason).toMatch(/^observation: /);

    const ip = uniquePublicIp();
    const events = Array.from({ length: 10 }, (_, i) => authFailure(ip, i, 43_000 + i));
    const broken = { event: 'broken', run: runId('bad-item') };
    await topic.publishMessage({ data: Buffer.from(JSON.stringify({ observations: [...events.slice(0, 5), broken, ...events.slice(5)] })), attributes: { kind: 'observations', count: '11' } });
    const [detection] = expectedDetections(events);
    expect((await waitForThreat(detection!.id)).payload.detection.count).toBe(10);
    // The bad observation is kept on its own (counted by metrics-onEventRejected), with where it was.
    const item = await waitFor('the rejected observation', async () => (await db().collection('rejectedEvents').doc(hashedId(Buffer.from(JSON.stringify(broken)))).get()).data());
    expect(item.reason).toMatch(/^observation: observations\.5: /);
    expect(item.attributes).toMatchObject({ kind: 'observations', observation_index: '5' });
    expect(JSON.parse(Buffer.from(item.rawBase64, 'base64').toString())).toEqual(broken);
  });

  it('a detection an exception covers is stored with its suppression, opens no alert, and counts a hit', async () => {
    // The case above that opens an alert, from a source an exception covers.
    const events = caseEvents('ssh-brute-force');
    const ip = events[0]!.source!.ip!;
    const exceptionId = runId('exception');
    await db()
      .collection('detectionExceptions')
      .doc(exceptionId)
      .set({
        ruleId: 'ssh-brute-force',
        match: { field: 'source.ip', op: 'equals', values: [ip] },
        reason: 'our own vulnerability scanner',
        owner: 'secops@example.com',
        createdBy: 'secops@example.com',
        createdAt: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        hits: 0,
      });
    for (const event of events) await publish(event);
    const [detection] = expectedDetections(events);
    const threat = await waitForThreat(detection!.id);
    expect(threat.suppression).toMatchObject({ exceptionId, owner: 'secops@example.com', reason: 'our own vulnerability scanner' });
    expect(threat.risk.severity).toMatch(/HIGH|CRITICAL/);
    await waitFor('the hit counted', async () => (((await db().collection('detectionExceptions').doc(exceptionId).get()).data()?.hits as number) === 1 ? true : undefined));
    // Its alert would have opened by now (the unsuppressed brute force above alerts within seconds).
    await settle(async () => (await threatOf(detection!.id))?.alertId ?? null, 3_000);
    expect((await threatOf(detection!.id))?.alertId).toBeUndefined();
    const alerts = await db().collection('alerts').where('sourceIp', '==', ip).get();
    expect(alerts.size).toBe(0);
  });
});
