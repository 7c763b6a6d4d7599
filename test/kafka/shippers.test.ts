/**
 * Real sensors' records shipped by real clients: kcat and rsyslog (omkafka) put third-party
 * files on Kafka, the bridge parses each record once and routes it: alerts to the events topic,
 * everything else to the observations topic, nothing dead-lettered. Then a real Suricata runs over
 * committed pcaps and its eve.json goes the same way; inside the emulator suite its alerts must
 * become threats carrying the sensor's signature and ATT&CK ids.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecord, type InputFormat } from '@threatstream/events';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  Collector,
  bridgeStream,
  createKafkaTopics,
  PROJECT_ID,
  startBridge,
  uniqueName,
  waitUntil,
  type BridgeProcess,
} from './helpers';
import { ROOT } from './ports';
import { kcatProduce, runSuricata, startRsyslog } from './shippers';

const SAMPLES = join(ROOT, 'packages/events/samples');
const EVE_SAMPLE = join(SAMPLES, 'suricata-eve/eve.json');
const ZEEK_JSON_SAMPLES = ['NASHUA_conn.json', 'NASHUA_notice.json', 'NASHUA_dns.json'].map((f) => join(SAMPLES, 'zeek-json', f));
const SURICATA_FIXTURES = join(ROOT, 'test/kafka/fixtures/suricata');
const LOG_FIXTURES = join(ROOT, 'test/kafka/fixtures/logs');

const firestoreHost = inject('firestoreEmulatorHost');

/** What the bridge should make of a file's records: alert ids and observation ids. */
function expected(files: string[], format: InputFormat, wholeFile = false) {
  const alerts = new Set<string>();
  const observations = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const records = wholeFile ? [text] : text.split('\n').filter((line) => line.trim() !== '');
    for (const record of records) {
      const outcome = parseRecord(record, { format });
      if (!outcome.ok) throw new Error(`${file}: a real ${format} record does not parse: ${outcome.message}`);
      for (const event of outcome.events) (event.event.kind === 'alert' ? alerts : observations).add(event.event.id);
    }
  }
  return { alerts, observations };
}

/** A bridge over a mixed topic and topics mapped to formats, publishing to its own Pub/Sub topics. */
async function startStream(formats: Record<string, InputFormat>, pubsub?: { events: string; observations: string }) {
  const stream = bridgeStream(pubsub?.events);
  const observationsTopic = pubsub?.observations ?? uniqueName('observations');
  const mapped = Object.fromEntries(Object.entries(formats).map(([name, format]) => [uniqueName(name), format]));
  await createKafkaTopics([
    { topic: stream.topic, numPartitions: 1 },
    { topic: stream.dlq, numPartitions: 1 },
    ...Object.keys(mapped).map((topic) => ({ topic, numPartitions: 1 })),
  ]);
  // The functions emulator made security-events/-observations; the test's own topics are made here.
  const events = await Collector.create(stream.pubsubTopic, { createTopic: pubsub === undefined });
  const observations = await Collector.create(observationsTopic, { createTopic: pubsub === undefined });
  const bridge = await startBridge(
    {
      ...stream.bridgeEnv,
      PUBSUB_OBSERVATIONS_TOPIC: observationsTopic,
      BRIDGE_TOPIC_FORMATS: Object.entries(mapped)
        .map(([topic, format]) => `${topic}=${format}`)
        .join(','),
    },
    'shippers',
  );
  await bridge.waitReady();
  const topicOf = (format: InputFormat) => Object.entries(mapped).find(([, f]) => f === format)![0];
  return { stream, events, observations, bridge, topicOf, ownTopics: pubsub === undefined };
}

type Stream = Awaited<ReturnType<typeof startStream>>;

async function closeStream(s: Stream | undefined) {
  if (!s) return;
  if (s.bridge.child.exitCode === null) await s.bridge.stop();
  await s.events.close(s.ownTopics);
  await s.observations.close(s.ownTopics);
}

async function expectArrived(s: Stream, want: { alerts: Set<string>; observations: Set<string> }, bridge: BridgeProcess) {
  const missingAlerts = await s.events.waitFor(want.alerts, 45_000);
  const missingObservations = await s.observations.waitFor(want.observations, 45_000);
  expect({ missingAlerts, missingObservations, log: missingAlerts.length + missingObservations.length ? bridge.logs() : '' }).toEqual({
    missingAlerts: [],
    missingObservations: [],
    log: '',
  });
  // Alerts never reach the observations topic, nor observations the events topic.
  for (const id of want.alerts) expect(s.observations.received.has(id)).toBe(false);
  for (const id of want.observations) expect(s.events.received.has(id)).toBe(false);
}

describe('kcat and rsyslog ship real sensor files through the bridge', () => {
  let s: Stream;

  beforeAll(async () => {
    s = await startStream({ 'suricata.eve': 'suricata-eve', 'zeek.json': 'zeek-json', syslog: 'syslog', 'firewall.cef': 'cef' });
  });
  afterAll(async () => {
    await closeStream(s);
  });

  it('kcat: a Suricata EVE file line by line → alerts with the sensor verdict, the rest observations', async () => {
    const want = expected([EVE_SAMPLE], 'suricata-eve');
    expect(want.alerts.size).toBeGreaterThan(50);
    expect(want.observations.size).toBeGreaterThan(50);
    const batchesBefore = s.observations.batchSizes.length;
    await kcatProduce(s.topicOf('suricata-eve'), EVE_SAMPLE, { lines: true });
    await expectArrived(s, want, s.bridge);
    // Observations arrive many to a message ({"observations": [...]}); alerts one by one.
    const batches = s.observations.batchSizes.slice(batchesBefore);
    expect(batches.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(want.observations.size);
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(batches.length).toBeLessThan(want.observations.size / 2);
    expect(s.observations.duplicates()).toBe(0);

    // Each alert carries its EVE record's signature and the normalised event.
    const eveAlerts = readFileSync(EVE_SAMPLE, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"event_type":"alert"'))
      .map((line) => JSON.parse(line) as { alert: { signature: string; signature_id: number } });
    const signatures = new Set(eveAlerts.map((r) => r.alert.signature));
    for (const id of want.alerts) {
      const message = s.events.received.get(id)!;
      expect(message.attributes).toMatchObject({ format: 'suricata-eve', kind: 'alert' });
      const body = JSON.parse(message.data.toString()) as { event_id: string; normalized: { rule: { name: string } }; payload: { signature: string } };
      expect(body.event_id).toBe(id);
      expect(signatures.has(body.normalized.rule.name)).toBe(true);
      expect(body.payload.signature).toBe(body.normalized.rule.name);
    }
    expect(await s.bridge.metric('bridge_messages_dead_lettered_total')).toBe(0);
  });

  it('kcat: Zeek JSON logs line by line, notices as alerts', async () => {
    const want = expected(ZEEK_JSON_SAMPLES, 'zeek-json');
    expect(want.alerts.size).toBeGreaterThan(0);
    for (const file of ZEEK_JSON_SAMPLES) await kcatProduce(s.topicOf('zeek-json'), file, { lines: true });
    await expectArrived(s, want, s.bridge);
    expect(await s.bridge.metric('bridge_messages_dead_lettered_total')).toBe(0);
  });

  it('kcat: a format header on the mixed topic says how to parse; a wrong one is dead-lettered naming the format', async () => {
    const right = join(SAMPLES, 'zeek-json/NASHUA_weird.json');
    await kcatProduce(s.stream.topic, right, { lines: true, headers: { format: 'zeek-json' } });
    await expectArrived(s, expected([right], 'zeek-json'), s.bridge);

    // Zeek JSON announced as Suricata EVE: every line fails as EVE, and says so.
    const wrong = join(SAMPLES, 'zeek-json/NASHUA_ssl.json');
    const lines = readFileSync(wrong, 'utf8').split('\n').filter(Boolean).length;
    const before = await s.bridge.metric('bridge_messages_dead_lettered_total');
    await kcatProduce(s.stream.topic, wrong, { lines: true, headers: { format: 'suricata-eve' } });
    await waitUntil(async () => (await s.bridge.metric('bridge_messages_dead_lettered_total')) >= before + lines, 30_000, 'dead letters');
    const metrics = await s.bridge.metrics();
    const reasons = Object.keys(metrics).filter((key) => key.startsWith('bridge_messages_dead_lettered_total{'));
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((key) => key.includes('reason="suricata-eve.'))).toBe(true);
    for (const id of expected([wrong], 'zeek-json').observations) expect(s.observations.received.has(id)).toBe(false);
  });

  it('rsyslog: imfile tails a growing EVE file, omkafka ships it to the mixed topic, the bridge detects the format', async () => {
    const lines = readFileSync(EVE_SAMPLE, 'utf8').split('\n').filter(Boolean).slice(0, 60);
    const want = { alerts: new Set<string>(), observations: new Set<string>() };
    for (const line of lines) {
      const outcome = parseRecord(line);
      if (!outcome.ok) throw new Error(outcome.message);
      for (const e of outcome.events) (e.event.kind === 'alert' ? want.alerts : want.observations).add(e.event.id);
    }
    const rsyslog = await startRsyslog(s.stream.topic, 'eve.json');
    try {
      // Written the way Suricata writes it: appended, a line at a time, while rsyslog tails it.
      for (const line of lines) appendFileSync(rsyslog.file, `${line}\n`);
      await expectArrived(s, want, s.bridge);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nrsyslogd:\n${rsyslog.logs()}`);
    } finally {
      await rsyslog.stop();
    }
  });

  it('rsyslog: sshd and nginx logs tailed onto a syslog topic, a firewall WAF\'s CEF onto a CEF topic', async () => {
    const sources = [
      { file: join(LOG_FIXTURES, 'auth.txt'), format: 'syslog' as const, name: 'auth.log' },
      { file: join(LOG_FIXTURES, 'nginx-access.txt'), format: 'syslog' as const, name: 'access.log' },
      { file: join(LOG_FIXTURES, 'fortiweb-cef.txt'), format: 'cef' as const, name: 'fortiweb.log' },
    ];
    const want = { alerts: new Set<string>(), observations: new Set<string>() };
    for (const source of sources) {
      const got = expected([source.file], source.format);
      for (const id of got.alerts) want.alerts.add(id);
      for (const id of got.observations) want.observations.add(id);
    }
    // The WAF's attack records are alerts; logins, requests and its audit records are observations.
    expect(want.alerts.size).toBeGreaterThan(0);
    const deadLettersBefore = await s.bridge.metric('bridge_messages_dead_lettered_total');
    const shippers = [];
    try {
      for (const source of sources) {
        const rsyslog = await startRsyslog(s.topicOf(source.format), source.name);
        shippers.push(rsyslog);
        for (const line of readFileSync(source.file, 'utf8').split('\n').filter(Boolean)) appendFileSync(rsyslog.file, `${line}\n`);
      }
      await expectArrived(s, want, s.bridge);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nrsyslogd:\n${shippers.map((r) => r.logs()).join('\n')}`);
    } finally {
      for (const rsyslog of shippers) await rsyslog.stop();
    }
    for (const id of want.alerts) {
      const body = JSON.parse(s.events.received.get(id)!.data.toString()) as { normalized: { event: { format: string } } };
      expect(body.normalized.event.format).toBe('cef');
    }
    expect(await s.bridge.metric('bridge_messages_dead_lettered_total')).toBe(deadLettersBefore);
  });
});

/** The threats documents of these event ids (Firestore emulator REST API, as the owner). */
async function threatsByEventId(eventIds: string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < eventIds.length; i += 30) {
    const response = await fetch(`http://${firestoreHost}/v1/projects/${PROJECT_ID}/databases/(default)/documents:runQuery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
      body: JSON.stringify({
        structuredQuery: {
          from: [{ collectionId: 'threats' }],
          where: {
            fieldFilter: {
              field: { fieldPath: 'event_id' },
              op: 'IN',
              value: { arrayValue: { values: eventIds.slice(i, i + 30).map((id) => ({ stringValue: id })) } },
            },
          },
        },
      }),
    });
    if (!response.ok) throw new Error(`runQuery: ${response.status} ${await response.text()}`);
    for (const row of (await response.json()) as { document?: { fields: Record<string, unknown> } }[]) {
      const fields = row.document?.fields as { event_id?: { stringValue: string } } | undefined;
      if (fields?.event_id) found.set(fields.event_id.stringValue, row.document!.fields);
    }
  }
  return found;
}

describe('real Suricata over committed pcaps, its eve.json shipped by kcat', () => {
  let s: Stream;
  let eve: string;

  beforeAll(async () => {
    const rules = join(mkdtempSync(join(tmpdir(), 'threatstream-rules-')), 'rules.rules');
    writeFileSync(rules, ['et-open.rules', 'local.rules'].map((f) => readFileSync(join(SURICATA_FIXTURES, f), 'utf8')).join('\n'));
    eve = await runSuricata(join(SURICATA_FIXTURES, 'pcaps'), rules);
    // Inside the emulator suite the bridge feeds the functions' own topics, so threats get made.
    s = await startStream({ 'suricata.eve': 'suricata-eve' }, firestoreHost ? { events: 'security-events', observations: 'security-observations' } : undefined);
  });
  afterAll(async () => {
    await closeStream(s);
  });

  it('alerts arrive with the signature, the rule id and the ATT&CK ids Suricata gave them', async () => {
    const records = readFileSync(eve, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { event_type: string; alert?: { signature: string; signature_id: number; metadata?: Record<string, string[]> } });
    const alerts = records.filter((r) => r.event_type === 'alert');
    const sids = new Set(alerts.map((r) => r.alert!.signature_id));
    // The two ET Open rules and the local one with ATT&CK metadata all fired.
    expect([...sids].sort()).toEqual([2002034, 2024364, 9900001]);
    const want = expected([eve], 'suricata-eve');
    expect(want.alerts.size).toBe(alerts.length);

    await kcatProduce(s.topicOf('suricata-eve'), eve, { lines: true });
    await expectArrived(s, want, s.bridge);
    const tagged = [...want.alerts].filter((id) => {
      const body = JSON.parse(s.events.received.get(id)!.data.toString()) as { normalized: { rule: { id: string }; threat?: { technique?: { id: string[] } } } };
      return body.normalized.rule.id === '9900001';
    });
    expect(tagged.length).toBeGreaterThan(0);
    for (const id of tagged) {
      const body = JSON.parse(s.events.received.get(id)!.data.toString()) as { normalized: { threat: { technique: { id: string[] }; tactic: { id: string[] } } } };
      expect(body.normalized.threat).toEqual({ technique: { id: ['T1595'] }, tactic: { id: ['TA0043'] } });
    }

    if (!firestoreHost) return; // no functions outside the emulator suite: Pub/Sub is where it ends
    const ids = [...want.alerts];
    let threats = new Map<string, Record<string, unknown>>();
    await waitUntil(async () => (threats = await threatsByEventId(ids)).size === ids.length, 60_000, 'a threat per Suricata alert', 500);
    expect(threats.size).toBe(ids.length);
    for (const id of tagged) {
      const threat = threats.get(id) as {
        analysis: { mapValue: { fields: { summary: { stringValue: string }; mitre: { arrayValue: { values: { mapValue: { fields: { id: { stringValue: string } } } }[] } } } } };
      };
      const analysis = threat.analysis.mapValue.fields;
      expect(analysis.summary.stringValue).toMatch(/^Suricata alert "THREATSTREAM TEST Nmap Scripting Engine HTTP scan" \(rule 9900001\): /);
      expect(analysis.mitre.arrayValue.values[0]!.mapValue.fields.id.stringValue).toBe('T1595');
    }
    // Observations (flows, HTTP transactions) are not threats.
    const observationThreats = await threatsByEventId([...want.observations]);
    expect(observationThreats.size).toBe(0);
  });
});
