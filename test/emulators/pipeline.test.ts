// The core pipeline on the Emulator Suite: Pub/Sub → ingest → threats → alerts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecord } from '@threatstream/events';
import { Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { openOrJoinAlert } from '../../functions/src/alerts/store';
import { DEFAULT_DETECTION_CONFIG } from '../../functions/src/domain/config';
import { loadIpIntelligence, type IpIntelligence } from '../../functions/src/domain/enrich/geoip';
import { RECENT_ACTIVITY_SATURATION } from '../../functions/src/domain/scoring';
import { ingestMessage, type IngestDeps } from '../../functions/src/pipeline/ingest';
import { SaturatedSources } from '../../functions/src/pipeline/saturated-sources';
import { sourceSightingRef, sourceSightingsCollection, threatIdFor } from '../../functions/src/firestore/refs';
import {
  firestore,
  publishEvent,
  publishRaw,
  runId,
  settle,
  uniquePublicIp,
  waitFor,
} from '../support/emulators';
import { toMessage } from '../../bridge/src/route';
import { alertsFromSource, directAlertDeps } from '../support/alerts';
import { bruteForce, incomingMessage } from '../support/events';

const db = () => firestore();

async function threatFor(eventId: string) {
  const snapshot = await db().collection('threats').doc(threatIdFor(eventId)).get();
  return snapshot.exists ? snapshot.data() : undefined;
}

async function threatsWithPrefix(prefix: string) {
  const snapshot = await db()
    .collection('threats')
    .where('event_id', '>=', prefix)
    .where('event_id', '<', `${prefix}\uf8ff`)
    .get();
  return snapshot.docs.map((doc) => ({ id: doc.id, ...doc.data() }));
}

async function rejectedWithMessageId(messageId: string) {
  const snapshot = await db().collection('rejectedEvents').where('messageId', '==', messageId).get();
  return snapshot.empty ? undefined : snapshot.docs[0]!.data();
}

/** A random minute of 2024, in ms: no other test's events from a fresh address fall in windows around it. */
function randomMinuteOf2024(): number {
  return Date.UTC(2024, 0, 1) + Math.floor(Math.random() * 300 * 24 * 60) * 60_000;
}

/** What the ingest function gives its handler, for tests that call the handler themselves. */
function handlerDeps(intel: IpIntelligence, overrides: Partial<IngestDeps> = {}): IngestDeps {
  return {
    db: db(),
    intel,
    config: DEFAULT_DETECTION_CONFIG,
    saturatedSources: new SaturatedSources(),
    retentionDays: 1,
    maxRetryAgeMs: 3_600_000,
    now: () => new Date(),
    ...overrides,
  };
}

/** `count` sightings of `source`, the first at `latestMs`, each `stepMs` before the one after it. */
async function seedSightings(source: string, prefix: string, count: number, latestMs: number, stepMs = 500): Promise<void> {
  const writer = db().bulkWriter();
  const written = Promise.all(
    Array.from({ length: count }, (_, index) =>
      writer.create(sourceSightingRef(db(), source, `${prefix}-${index}`), {
        occurredAt: Timestamp.fromMillis(latestMs - index * stepMs),
        expireAt: Timestamp.fromMillis(latestMs + 86_400_000),
      }),
    ),
  );
  await writer.close();
  await written;
}

describe('ingest', () => {
  it('scores the seed event HIGH or CRITICAL with T1110 and a source country, and opens an alert', async () => {
    const eventId = runId('seed');
    await publishEvent({
      event_id: eventId,
      timestamp: '2025-12-27T19:00:00Z',
      event_type: 'brute_force',
      source_ip: '185.234.72.91',
      destination_ip: '10.0.0.100',
      destination_port: 22,
      protocol: 'TCP',
      payload: { attempts: 150 },
      metadata: {},
    });
    const threat = await waitFor('the seed threat', () => threatFor(eventId));
    expect(['HIGH', 'CRITICAL']).toContain(threat.risk.severity);
    expect(threat.analysis.mitre.map((technique: { id: string }) => technique.id)).toContain('T1110');
    expect(threat.geo.country).toMatch(/^[A-Z]{2}$/);
    expect(threat.geo.zone).toBe('public');
    expect(threat.destinationGeo.zone).toBe('private');
    expect(threat.risk.factors.length).toBeGreaterThan(2);
    const factorSum = threat.risk.factors.reduce((sum: number, factor: { contribution: number }) => sum + factor.contribution, 0);
    expect(Math.round(factorSum)).toBe(threat.risk.score);
    expect(threat.expireAt.toMillis()).toBeGreaterThan(threat.createdAt.toMillis());

    const withAlert = await waitFor('the threat linked to an alert', async () => (await threatFor(eventId))?.alertId);
    const alert = (await db().collection('alerts').doc(withAlert).get()).data()!;
    expect(alert.status).toBe('OPEN');
    expect(alert.eventIds).toEqual([eventId]);
    // The opening records when: time to alert is alertedAt − createdAt.
    const linked = (await threatFor(eventId))!;
    expect(linked.alertedAt.toMillis()).toBe(alert.createdAt.toMillis());
    expect(linked.alertedAt.toMillis()).toBeGreaterThanOrEqual(linked.createdAt.toMillis());
    expect(alert.severity).toBe(threat.risk.severity);
  });

  it('keeps unknown top-level fields in metadata and ingests unknown event types as unknown', async () => {
    const eventId = runId('extra');
    await publishEvent({
      event_id: eventId,
      timestamp: new Date().toISOString(),
      event_type: 'quantum_tunnelling',
      source_ip: '10.1.2.3',
      sensor: 'edge-fw-2',
    });
    const threat = await waitFor('the unknown-type threat', () => threatFor(eventId));
    expect(threat.event_type).toBe('unknown');
    expect(threat.metadata).toMatchObject({ sensor: 'edge-fw-2', original_event_type: 'quantum_tunnelling' });
    expect(threat.alertId).toBeUndefined();
  });

  it('leaves one threat and one alert occurrence when the same event is delivered three times', async () => {
    const eventId = runId('dup');
    const sourceIp = uniquePublicIp();
    const event = bruteForce(eventId, sourceIp);
    await Promise.all([publishEvent(event), publishEvent(event), publishEvent(event)]);
    await waitFor('the duplicated threat linked to its alert', async () => (await threatFor(eventId))?.alertId);
    await settle(async () => [await threatsWithPrefix(eventId), await alertsFromSource(sourceIp)]);
    expect(await threatsWithPrefix(eventId)).toHaveLength(1);
    const alerts = await alertsFromSource(sourceIp);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ occurrences: 1, eventIds: [eventId] });
  });

  const invalidMessages: [string, string | Buffer, RegExp][] = [
    ['bad JSON', '{"event_id": "x", ', /not valid JSON/],
    ['a JSON array', '[1,2,3]', /JSON object/],
    // Pub/Sub refuses a message with neither data nor attributes, so this one carries an attribute.
    ['an empty message', '', /empty/],
    [
      'a bad source IP',
      JSON.stringify({ ...bruteForce('bad-ip', '999.1.1.1') }),
      /source_ip: must be an IPv4 or IPv6 address/,
    ],
    [
      'a port out of range',
      JSON.stringify({ ...bruteForce('bad-port', '1.2.3.4'), destination_port: 70000 }),
      /destination_port/,
    ],
    ['an unknown shape', JSON.stringify({ hello: 'world' }), /event_id/],
    [
      'an over-size payload',
      JSON.stringify({ ...bruteForce('big', '1.2.3.4'), payload: { blob: 'x'.repeat(70_000) } }),
      /over the 65536-byte limit/,
    ],
  ];

  it('stores every kind of invalid message in rejectedEvents with its reason and bytes, and loses nothing around it', async () => {
    const prefix = runId('around');
    const published: { name: string; messageId: string; raw: Buffer; reason: RegExp }[] = [];
    const valid: Promise<string>[] = [];
    for (const [index, [name, raw, reason]] of invalidMessages.entries()) {
      valid.push(publishEvent(bruteForce(`${prefix}-${index}`, uniquePublicIp(), 3)));
      const bytes = Buffer.from(raw);
      published.push({ name, messageId: await publishRaw(bytes, { case: name }), raw: bytes, reason });
    }
    await Promise.all(valid);

    for (const { name, messageId, raw, reason } of published) {
      const rejected = await waitFor(`rejection of ${name}`, () => rejectedWithMessageId(messageId));
      expect(rejected.reason, name).toMatch(reason);
      const storedBytes = Buffer.from(rejected.rawBase64, 'base64');
      expect(rejected.rawBytes, name).toBe(raw.byteLength);
      expect(raw.subarray(0, storedBytes.byteLength).equals(storedBytes), name).toBe(true);
    }
    await waitFor('every valid event around the invalid ones', async () => {
      const threats = await threatsWithPrefix(prefix);
      return threats.length === invalidMessages.length ? threats : undefined;
    });
  });

  it("scores a source's earlier events within the recent-activity window, counting each once", async () => {
    const prefix = runId('recent');
    const source = uniquePublicIp();
    const now = randomMinuteOf2024();
    const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    const scan = (suffix: string, timestamp: string, sourceIp = source) => ({
      event_id: `${prefix}-${suffix}`,
      timestamp,
      event_type: 'port_scan',
      source_ip: sourceIp,
      destination_ip: '10.0.0.30',
      payload: { ports: [22, 80] },
    });
    // One at a time: each is counted when it is ingested, against those already stored.
    const ingestInTurn = async (event: ReturnType<typeof scan>, deliveries = 1) => {
      await Promise.all(Array.from({ length: deliveries }, () => publishEvent(event)));
      return waitFor(event.event_id, () => threatFor(event.event_id));
    };
    const oldest = await ingestInTurn(scan('a', minutesAgo(30)));
    const earlier = await ingestInTurn(scan('b', minutesAgo(10)));
    const recent = await ingestInTurn(scan('c', minutesAgo(5)), 3);
    await ingestInTurn(scan('other-source', minutesAgo(1), uniquePublicIp()));
    const latest = await ingestInTurn(scan('d', minutesAgo(0)));

    expect(oldest.recentActivity).toBe(0);
    expect(earlier.recentActivity).toBe(0); // 'a' is 20 minutes before it: outside 15
    expect(recent.recentActivity).toBe(1); // 'b'
    expect(latest.recentActivity).toBe(2); // 'b' and 'c' (delivered three times), not 'a' or the other source
    const factor = latest.risk.factors.find((f: { name: string }) => f.name === 'recent_activity');
    expect(factor).toMatchObject({ detail: `2 earlier events from ${source} in the last 15 min` });
    expect(factor.contribution).toBeGreaterThan(0);
    expect(oldest.risk.factors.map((f: { name: string }) => f.name)).not.toContain('recent_activity');
  });

  it('counts a flooding source up to where the factor stops growing, and says "at least"', async () => {
    const prefix = runId('flood-count');
    const source = uniquePublicIp();
    const now = randomMinuteOf2024();
    // More sightings in the window than ingest counts, as a flood leaves them.
    await seedSightings(source, prefix, RECENT_ACTIVITY_SATURATION + 5, now - 60_000);
    const eventId = `${prefix}-event`;
    await publishEvent({ ...bruteForce(eventId, source, 40), timestamp: new Date(now).toISOString() });
    const threat = await waitFor(eventId, () => threatFor(eventId));
    expect(threat.recentActivity).toBe(RECENT_ACTIVITY_SATURATION);
    const factor = threat.risk.factors.find((f: { name: string }) => f.name === 'recent_activity');
    expect(factor.detail).toBe(`at least ${RECENT_ACTIVITY_SATURATION} earlier events from ${source} in the last 15 min`);
  });

  it("scores a flooding source's next events without counting again, while its window holds what the count found", async () => {
    const prefix = runId('flood-memory');
    const source = uniquePublicIp();
    const start = randomMinuteOf2024();
    const minutesIn = (minutes: number) => start + minutes * 60_000;
    const intel = await loadIpIntelligence();
    const ingestAt = async (suffix: string, at: number, saturatedSources: SaturatedSources) => {
      const eventId = `${prefix}-${suffix}`;
      const event = { ...bruteForce(eventId, source, 40), timestamp: new Date(at).toISOString() };
      const outcome = await ingestMessage(
        incomingMessage(event, `${eventId}-message`),
        handlerDeps(intel, { saturatedSources }),
      );
      return outcome.outcome === 'created' ? outcome.threat.recentActivity : expect.fail(outcome.outcome);
    };
    // The flood so far: sightings 1 to 12 seconds before the first event.
    await seedSightings(source, prefix, RECENT_ACTIVITY_SATURATION + 5, minutesIn(0) - 1_000, 1_000);
    const instance = new SaturatedSources();
    expect(await ingestAt('first', minutesIn(0), instance)).toBe(RECENT_ACTIVITY_SATURATION);
    expect(instance.size).toBe(1);

    // Take the flood's sightings away: only a count that reads them again can notice.
    const flood = await sourceSightingsCollection(db(), source).where('occurredAt', '<', Timestamp.fromMillis(minutesIn(0))).get();
    await Promise.all(flood.docs.map((doc) => doc.ref.delete()));
    // Still within 15 minutes of the sightings the instance found: scored from what it knows.
    expect(await ingestAt('known', minutesIn(1), instance)).toBe(RECENT_ACTIVITY_SATURATION);
    // An instance that knows nothing counts what is there now: 'first' and 'known'.
    expect(await ingestAt('fresh', minutesIn(1), new SaturatedSources())).toBe(2);
    // Past the window of the oldest sighting it found (7 seconds before 'first'), the instance counts
    // again: 'first', 'known' and 'fresh' are within 15 minutes, the deleted flood would not be.
    expect(await ingestAt('later', minutesIn(15), instance)).toBe(3);
    expect(instance.size).toBe(0);
  });

  it('ingests a burst of 300 mixed events, each exactly once', async () => {
    const prefix = runId('burst');
    const types = ['brute_force', 'port_scan', 'malware', 'ddos', 'sql_injection', 'xss', 'phishing', 'c2_beacon'];
    const sends: Promise<string>[] = [];
    for (let i = 0; i < 300; i++) {
      sends.push(
        publishEvent({
          event_id: `${prefix}-${String(i).padStart(4, '0')}`,
          timestamp: new Date().toISOString(),
          event_type: types[i % types.length],
          source_ip: i % 3 === 0 ? '10.0.5.7' : uniquePublicIp(),
          destination_ip: `10.0.0.${1 + (i % 200)}`,
          destination_port: [22, 80, 443, 3389][i % 4],
          payload: { attempts: i },
        }),
      );
    }
    await Promise.all(sends);
    const threats = await waitFor(
      'all 300 burst threats',
      async () => {
        const found = await threatsWithPrefix(prefix);
        return found.length >= 300 ? found : undefined;
      },
      90_000,
      500,
    );
    expect(new Set(threats.map((threat) => threat.event_id)).size).toBe(300);
    expect(threats).toHaveLength(300);
  });
});

/** A real Suricata 7 EVE alert from the committed samples (packages/events/samples/NOTICE), by line number. */
function eveSample(line: number): Record<string, unknown> {
  const text = readFileSync(join(__dirname, '../../packages/events/samples/suricata-eve/eve.json'), 'utf8').split('\n')[line - 1]!;
  return JSON.parse(text) as Record<string, unknown>;
}

describe('sensor alerts of the new event types', () => {
  it('turns a real Suricata path-traversal alert, classified exploit by the events package, into an exploit threat mapped to T1190', async () => {
    // Line 59: "ET ATTACK_RESPONSE Possible /etc/passwd via HTTP" on GET //index.php?page=../../../etc/passwd.
    // Only flow_id changes, so this run's event id (derived from it) is new and the threat is this run's.
    const record = { ...eveSample(59), flow_id: Math.floor(Math.random() * 2 ** 50) };
    const parsed = parseRecord(JSON.stringify(record), { format: 'suricata-eve' });
    if (!parsed.ok) throw new Error(parsed.message);
    const [alert] = parsed.events;
    // The bridge's own mapping from a parsed alert to the Pub/Sub message it publishes.
    const message = toMessage(alert!, 'suricata-eve');
    if (message.destination !== 'events') throw new Error('an EVE alert must go to security-events');
    expect(message.attributes).toMatchObject({ event_type: 'exploit', kind: 'alert' });
    await publishRaw(message.data, message.attributes);

    const threat = await waitFor('the exploit threat', () => threatFor(alert!.event.id));
    expect(threat.event_type).toBe('exploit');
    expect(threat.metadata).not.toHaveProperty('original_event_type');
    expect(threat.analysis.category).toBe('exploit');
    // The sensor's signature leads the summary; our rule's reading follows.
    expect(threat.analysis.summary).toMatch(/^Suricata alert "ET ATTACK_RESPONSE Possible \/etc\/passwd via HTTP \(linux style\)" \(rule 2002034\): Exploit attempt from /);
    expect(threat.analysis.summary).toContain('request matches dot dot slash, unix sensitive file');
    expect(threat.analysis.evidence).toMatchObject({ signature: 'ET ATTACK_RESPONSE Possible /etc/passwd via HTTP (linux style)' });
    expect(threat.analysis.evidence.patterns).toContain('dot_dot_slash');
    const techniques = threat.analysis.mitre.map((technique: { id: string }) => technique.id);
    expect(techniques).toEqual(expect.arrayContaining(['T1190', 'T1083']));
    const typeFactor = threat.risk.factors.find((factor: { name: string }) => factor.name === 'event_type');
    expect(typeFactor.detail).toMatch(/^exploit starts at 35 points/);
  });
});

describe('alerts', () => {
  it('links each threat of one attack once, to one alert, when its deliveries race each other and the trigger', async () => {
    const prefix = runId('race-direct');
    const sourceIp = uniquePublicIp();
    const count = 10;
    const intel = await loadIpIntelligence();
    // Stored by the ingest handler itself, so the deployed alert trigger sees each threat too.
    const stored = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        ingestMessage(
          incomingMessage(bruteForce(`${prefix}-${i}`, sourceIp, 200 + i), `${prefix}-message-${i}`),
          handlerDeps(intel),
        ),
      ),
    );
    const threatIds = stored.map((outcome) => (outcome.outcome === 'created' ? outcome.threatId : expect.fail(outcome.outcome)));
    const deps = directAlertDeps();
    // Two more deliveries of every threat at once, racing each other and the trigger's delivery.
    // A delivery whose transaction the emulator closed under this contention fails, and is
    // delivered again, as the trigger's retry policy does.
    const deliver = async (id: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await openOrJoinAlert({ id, source_ip: sourceIp, event_type: 'brute_force' }, deps);
        } catch (error) {
          if (attempt >= 5 || !/Transaction is invalid or closed|ABORTED/.test(String(error))) throw error;
        }
      }
    };
    const outcomes = await Promise.all(threatIds.flatMap((id) => [1, 2].map(() => deliver(id))));
    expect(outcomes.filter((outcome) => outcome.outcome === 'opened').length).toBeLessThanOrEqual(1);
    for (let i = 0; i < count; i++) {
      const linking = outcomes.slice(2 * i, 2 * i + 2).filter((outcome) => outcome.outcome !== 'already_linked');
      expect(linking.length, `deliveries of threat ${i} that linked it`).toBeLessThanOrEqual(1);
    }

    const [alert] = await waitFor(
      `one alert with ${count} occurrences`,
      async () => {
        const alerts = await alertsFromSource(sourceIp);
        return alerts.length === 1 && alerts[0]!.occurrences === count ? alerts : undefined;
      },
      60_000,
      250,
    );
    await settle(() => alertsFromSource(sourceIp));
    const settled = await alertsFromSource(sourceIp);
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ occurrences: count });
    const linked = await Promise.all(threatIds.map(async (id) => (await db().collection('threats').doc(id).get()).get('alertId')));
    expect(new Set(linked)).toEqual(new Set([alert!.id]));
  });

  it('opens exactly one alert for a burst of concurrent threats of one attack, counting every occurrence', async () => {
    const prefix = runId('race');
    const sourceIp = uniquePublicIp();
    const count = 25;
    await Promise.all(
      Array.from({ length: count }, (_, i) => publishEvent(bruteForce(`${prefix}-${i}`, sourceIp, 200 + i))),
    );
    const alert = await waitFor(
      `an alert with ${count} occurrences`,
      async () => {
        const alerts = await alertsFromSource(sourceIp);
        return alerts.length > 0 && alerts.every((a) => a.occurrences === count) ? alerts : undefined;
      },
      60_000,
      250,
    );
    await settle(() => alertsFromSource(sourceIp));
    const alerts = await alertsFromSource(sourceIp);
    expect(alert).toHaveLength(1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.occurrences).toBe(count);
    expect(new Set(alerts[0]!.eventIds).size).toBe(count);
    const threats = await threatsWithPrefix(prefix);
    expect(threats.every((threat) => threat.alertId === alerts[0]!.id)).toBe(true);
  });

  it('does not open alerts for LOW threats and opens a new alert once the previous one is resolved', async () => {
    const sourceIp = uniquePublicIp();
    const low = runId('low');
    await publishEvent({
      event_id: low,
      timestamp: new Date().toISOString(),
      event_type: 'unknown',
      source_ip: '10.9.9.9',
    });
    const lowThreat = await waitFor('the low threat', () => threatFor(low));
    expect(['LOW', 'INFO']).toContain(lowThreat.risk.severity);

    const first = runId('first');
    await publishEvent(bruteForce(first, sourceIp));
    const firstAlertId = await waitFor('the first alert', async () => (await threatFor(first))?.alertId);
    await db().collection('alerts').doc(firstAlertId).update({ status: 'RESOLVED' });

    const second = runId('second');
    await publishEvent(bruteForce(second, sourceIp));
    const secondAlertId = await waitFor('the second alert', async () => (await threatFor(second))?.alertId);
    expect(secondAlertId).not.toBe(firstAlertId);
    expect(await alertsFromSource(sourceIp)).toHaveLength(2);
    expect((await threatFor(low))?.alertId).toBeUndefined();
  });
});
