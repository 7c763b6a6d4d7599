// Live metrics and the risk index on the Emulator Suite.
//
// Threats written to Firestore are counted by the metrics-onThreatCreated trigger in the Functions
// emulator into sharded minute and hour buckets; alerts are counted in the transactions that open
// and resolve them. Each test dates its documents in a minute of its own (a random minute in
// 2001), so its buckets hold only what it wrote. Writes per shard are read back from the ledger
// entries' commit times (test/support/shard-writes.ts).
//
// The risk index is a scheduled function. This session runs no schedules (tools/emulators.mjs exec
// without --schedules), so the test calls updateRiskIndex, what the schedule calls, with its own clock.
import { Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { bucketId, bucketStart, DEFAULT_RETENTION_DAYS, GRANULARITY_MS, ShardCursor } from '../../functions/src/metrics/buckets';
import { parseRecord } from '@threatstream/events';
import { countThreat, observationsFactKey, type MetricsDeps } from '../../functions/src/metrics/counters';
import { countObservationMessage } from '../../functions/src/metrics/on-observation.function';
import { readBucket, riskIndexTimeline, sumBucket } from '../../functions/src/metrics/read';
import { updateRiskIndex } from '../../functions/src/metrics/update-risk-index';
import { threatIdFor } from '../../functions/src/firestore/refs';
import type { Severity } from '../../functions/src/domain/event';
import { firestore, runId, settle, uniquePublicIp, waitFor } from '../support/emulators';
import { transitionAlert } from '../../functions/src/api/services/alerts';
import { fireSchedule, privateMinute, threatDoc } from '../support/response-fixtures';
import { shardWriteReport } from '../support/shard-writes';

const db = () => firestore();
const MINUTE = 60_000;

function directDeps(cursor = new ShardCursor()): MetricsDeps {
  return { db: db(), now: () => new Date(), cursor, retentionDays: DEFAULT_RETENTION_DAYS };
}

async function ledgerEntries(keys: string[]): Promise<number> {
  const refs = keys.map((key) => db().collection('metricsLedger').doc(key));
  const snapshots = await db().getAll(...refs);
  return snapshots.filter((snapshot) => snapshot.exists).length;
}

describe('counting threats (Functions emulator)', () => {
  it('counts each threat once in its minute and hour buckets, by severity, type and country', async () => {
    const at = privateMinute();
    const prefix = runId('count');
    const specs: { severity: Severity; type: 'port_scan' | 'xss'; country?: string }[] = [
      ...Array.from({ length: 12 }, () => ({ severity: 'LOW' as const, type: 'port_scan' as const, country: 'NL' })),
      ...Array.from({ length: 6 }, () => ({ severity: 'INFO' as const, type: 'xss' as const, country: 'DE' })),
      ...Array.from({ length: 2 }, () => ({ severity: 'LOW' as const, type: 'xss' as const })),
    ];
    const batch = db().batch();
    const threatIds: string[] = [];
    specs.forEach((spec, i) => {
      const eventId = `${prefix}-${i}`;
      const threatId = threatIdFor(eventId);
      threatIds.push(threatId);
      batch.create(
        db().collection('threats').doc(threatId),
        threatDoc({ eventId, eventType: spec.type, sourceIp: '185.234.72.91', severity: spec.severity, ...(spec.country && { country: spec.country }) }, at),
      );
    });
    await batch.commit();

    const minute = await waitFor(
      'the minute bucket to count 20 events',
      async () => {
        const totals = await readBucket(db(), 'minute', at);
        return totals.events >= specs.length ? totals : undefined;
      },
      60_000,
      250,
    );
    await settle(async () => (await readBucket(db(), 'minute', at)).events, 1_500);
    const settled = await readBucket(db(), 'minute', at);
    expect(settled).toMatchObject({
      bucket: bucketId('minute', bucketStart('minute', at)),
      events: 20,
      writes: 20,
      bySeverity: { LOW: 14, INFO: 6, CRITICAL: 0, HIGH: 0, MEDIUM: 0 },
      byType: { port_scan: 12, xss: 8 },
      byCountry: { NL: 12, DE: 6, unknown: 2 },
    });
    expect(minute.shards).toBeGreaterThan(1);
    const hour = await readBucket(db(), 'hour', at);
    expect(hour).toMatchObject({ events: 20, bySeverity: { LOW: 14, INFO: 6 }, byCountry: { NL: 12, DE: 6, unknown: 2 } });
    expect(await ledgerEntries(threatIds.map((id) => `threat-${id}`))).toBe(20);

    // The aggregation the risk index uses agrees with the full read.
    expect(await sumBucket(db(), 'minute', at)).toMatchObject({ events: 20, bySeverity: { LOW: 14, INFO: 6, HIGH: 0 } });

    // A redelivered trigger (here: the same threat counted again) changes nothing.
    const again = await countThreat(
      threatIds[0]!,
      threatDoc({ eventId: `${prefix}-0`, eventType: 'port_scan', sourceIp: '185.234.72.91', severity: 'LOW', country: 'NL' }, at),
      directDeps(),
    );
    expect(again).toBe('duplicate');
    expect((await readBucket(db(), 'minute', at)).events).toBe(20);

    // Shards expire with their bucket: the minute bucket 7 days after its end.
    const shard = (await db().collection('metrics').doc(settled.bucket).collection('shards').limit(1).get()).docs[0]!;
    expect(shard.get('expireAt').toMillis()).toBe(bucketStart('minute', at).getTime() + MINUTE + 7 * 86_400_000);
  });

  it('counts an alert opened in the transaction that opens it, and closed in the one that resolves it, once each', async () => {
    const eventId = runId('metrics-alert');
    const threatId = threatIdFor(eventId);
    // A HIGH threat: the alert trigger opens its alert, now, and counts it in the current minute.
    await db().collection('threats').doc(threatId).create(threatDoc({ eventId, eventType: 'port_scan', sourceIp: uniquePublicIp(), severity: 'HIGH' }));
    const alertId = await waitFor('the alert', async () => (await db().collection('threats').doc(threatId).get()).get('alertId') as string | undefined);
    const alert = (await db().collection('alerts').doc(alertId).get()).data()!;
    const opened = (await db().collection('metricsLedger').doc(`alert-opened-${alertId}`).get()).data()!;
    expect(opened.bucket).toBe(bucketId('minute', bucketStart('minute', alert.createdAt.toDate())));
    const shard = await db().collection('metrics').doc(opened.bucket).collection('shards').doc(String(opened.shard)).get();
    expect(shard.get('alertsOpened')).toBeGreaterThanOrEqual(1);

    // Resolved (as the API does) at a time of this test's own: that minute counts exactly one close.
    const resolvedAt = privateMinute();
    const actor = { type: 'user' as const, id: 'uid-analyst', email: 'analyst@example.com', role: 'analyst' };
    const resolve = () => transitionAlert(db(), { alertId, action: 'resolve', actor, note: 'benign', now: resolvedAt }, directDeps());
    await resolve();
    await expect(resolve()).rejects.toThrow(/cannot resolve an alert that is RESOLVED/);
    expect(await readBucket(db(), 'minute', resolvedAt)).toMatchObject({ alertsClosed: 1, alertsOpened: 0, events: 0 });
    expect(await ledgerEntries([`alert-closed-${alertId}`])).toBe(1);
  });
});

describe('counting observations', () => {
  it('counts a message of observations as one fact (three writes, not three per observation), once however often it comes', async () => {
    const at = privateMinute();
    const deps = { ...directDeps(), now: () => at };
    const user = runId('obs');
    const lines = [
      `<38>Dec  7 09:05:01 bastion sshd[4242]: Failed password for ${user} from 203.0.113.9 port 50122 ssh2`,
      `<38>Dec  7 09:05:02 bastion sshd[4242]: Failed password for ${user} from 203.0.113.9 port 50123 ssh2`,
      `<38>Dec  7 09:05:03 bastion sshd[4243]: Accepted password for ${user} from 203.0.113.9 port 50124 ssh2`,
    ];
    const observations = lines.flatMap((line) => {
      const parsed = parseRecord(line, { format: 'syslog' });
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.events;
    });
    const message = Buffer.from(JSON.stringify({ observations: [...observations, { event: 'not an observation' }] }));
    expect(await countObservationMessage(message, runId('m'), deps)).toBe('counted');
    // Redelivered, and the same observations published again in another order: counted already.
    expect(await countObservationMessage(message, runId('m'), deps)).toBe('duplicate');
    const reordered = Buffer.from(JSON.stringify({ observations: [...observations].reverse() }));
    expect(await countObservationMessage(reordered, runId('m'), deps)).toBe('duplicate');

    const ledger = await db().collection('metricsLedger').doc(observationsFactKey(observations)).get();
    expect(ledger.exists).toBe(true);
    const shards = await db().collection('metrics').doc(bucketId('minute', bucketStart('minute', at))).collection('shards').get();
    expect(shards.size).toBe(1);
    expect(shards.docs[0]!.data()).toMatchObject({ writes: 1, observations: 3, observationsBy: { syslog: { sshd: 3 } } });
  });
});

describe('no hot document under a burst', () => {
  // Writes per shard document are read back from the emulator's commit times (ledger entries:
  // test/support/shard-writes.ts), not from listeners, which would slow the emulator down.

  it('2,000 events offered at 1,000/s, counted by one instance: each shard takes about one write per second', async () => {
    const at = privateMinute();
    const deps = directDeps(new ShardCursor());
    const prefix = runId('burst');
    const events = 2_000;
    const started = Date.now();
    const pending: Promise<unknown>[] = [];
    const keys: string[] = [];
    for (let i = 0; i < events; i++) {
      // Offered at one event per millisecond, as 1,000 events/s arrive.
      const due = started + i;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      keys.push(`threat-${prefix}-${i}`);
      pending.push(
        countThreat(
          `${prefix}-${i}`,
          threatDoc({ eventId: `${prefix}-${i}`, eventType: 'ddos', sourceIp: '185.234.72.93', severity: 'HIGH', country: 'RU' }, at),
          deps,
        ),
      );
    }
    expect(await Promise.all(pending)).toEqual(Array(events).fill('counted'));
    const report = await shardWriteReport(db(), keys);
    const [minute, hour] = await Promise.all([readBucket(db(), 'minute', at), readBucket(db(), 'hour', at)]);
    console.log(`direct burst: ${events} events →`, JSON.stringify(report));

    expect(report.facts).toBe(events);
    expect(minute).toMatchObject({ events, writes: events, shards: 1_000, bySeverity: { HIGH: events } });
    expect(hour).toMatchObject({ events, writes: events, shards: 1_000 });
    // Three document writes per event: its ledger entry, one minute shard, one hour shard.
    expect((report.facts + minute.writes + hour.writes) / events).toBe(3);
    // Each shard of each bucket took 2 of the 2,000 increments, the instance's cursor one lap
    // (1,000 events, one second at the offered rate) apart. The emulator commits about 500 batches
    // a second, so the offered burst queues and some laps land closer than a second: never more
    // than 2 writes in any second, and about one per second sustained (successive writes to a
    // shard about a lap apart; 100 shards instead of 1,000 would make it 10 a second).
    expect(report.shardDocuments).toBe(2_000);
    expect(report.maxWritesPerDocPerSecond).toBeLessThanOrEqual(2);
    expect(report.meanGapMs).toBeGreaterThan(800);
    expect(report.meanWritesPerDocPerSecond).toBeLessThan(1.25);
  });

  it('threats written in a burst, counted by the Functions emulator: no shard above about one write per second', async () => {
    const at = privateMinute();
    const prefix = runId('fn-burst');
    const events = 300;
    const writer = db().bulkWriter();
    const keys: string[] = [];
    for (let i = 0; i < events; i++) {
      const eventId = `${prefix}-${i}`;
      keys.push(`threat-${threatIdFor(eventId)}`);
      void writer.create(
        db().collection('threats').doc(threatIdFor(eventId)),
        threatDoc({ eventId, eventType: 'port_scan', sourceIp: '185.234.72.94', severity: 'LOW', country: 'CN' }, at),
      );
    }
    await writer.close();
    await waitFor('every threat to be counted', async () => ((await sumBucket(db(), 'minute', at)).events >= events ? true : undefined), 120_000, 500);
    const report = await shardWriteReport(db(), keys);
    console.log(`functions-emulator burst: ${events} threats →`, JSON.stringify(report));
    expect(report.facts).toBe(events);
    expect((await readBucket(db(), 'hour', at)).events).toBe(events);
    // Several emulator workers, each with its own cursor from a random start: their laps can meet.
    expect(report.maxWritesPerDocPerSecond).toBeLessThanOrEqual(2);
  });
});

describe('risk index (updateRiskIndex, what the every-minute schedule calls)', () => {
  /** Writes a bucket's totals as one shard, as the counters would have. */
  async function seedBucket(granularity: 'minute' | 'hour', start: Date, counts: Partial<Record<Severity, number>>) {
    const id = bucketId(granularity, start);
    const events = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
    // Dense, as the counters write them (see deltaCounters).
    const bySeverity = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0, ...counts };
    await db()
      .collection('metrics')
      .doc(id)
      .collection('shards')
      .doc('0')
      .set({
        bucket: id,
        granularity,
        bucketStart: Timestamp.fromDate(start),
        writes: events,
        events,
        bySeverity,
        expireAt: Timestamp.fromMillis(start.getTime() + 86_400_000),
      });
  }

  it('reads a steady load at the baseline as 30, a burst of criticals as severe, writes the timeline and current', async () => {
    // A private hour in 2099, so nothing else is in these buckets and "current" moves forward.
    const hour = new Date(Date.UTC(2099, 0, 1) + Math.floor(Math.random() * 8_000) * GRANULARITY_MS.hour);
    const now = new Date(hour.getTime() + 40 * MINUTE + 5_000);
    const lastMinute = new Date(hour.getTime() + 39 * MINUTE);
    // Baseline: the 24 hours ending an hour before `now`'s hour, 60 HIGH each (10 points a minute).
    await Promise.all(
      Array.from({ length: 24 }, (_, k) => seedBucket('hour', new Date(hour.getTime() - (k + 2) * GRANULARITY_MS.hour), { HIGH: 60, INFO: 100 })),
    );
    // The last 30 minutes: one HIGH a minute, the baseline's rate.
    await Promise.all(Array.from({ length: 30 }, (_, k) => seedBucket('minute', new Date(lastMinute.getTime() - k * MINUTE), { HIGH: 1 })));

    const steady = await updateRiskIndex({ db: db(), now: () => now, retentionDays: 30 });
    expect(steady).toMatchObject({ kind: 'minute', minute: `${lastMinute.toISOString().slice(0, 16)}Z`, index: 30, level: 'guarded', baseline: 10 });
    expect(steady.recent).toMatchObject({ HIGH: 30, CRITICAL: 0 });

    // A burst of 20 CRITICAL in the next minute.
    const nextMinute = new Date(lastMinute.getTime() + MINUTE);
    await seedBucket('minute', nextMinute, { CRITICAL: 20, HIGH: 1 });
    const burst = await updateRiskIndex({ db: db(), now: () => new Date(now.getTime() + MINUTE), retentionDays: 30 });
    expect(burst.level).toBe('severe');
    expect(burst.contributions[0]).toMatchObject({ severity: 'CRITICAL' });

    const current = (await db().collection('riskIndex').doc('current').get()).data()!;
    expect(current).toMatchObject({ kind: 'current', index: burst.index, minute: burst.minute, expireAt: null });
    const timeline = await riskIndexTimeline(db(), new Date(lastMinute.getTime() - MINUTE));
    expect(timeline.map((doc) => doc.minute)).toEqual([burst.minute, steady.minute]);
    expect(timeline[0]!.expireAt!.toMillis()).toBe(nextMinute.getTime() + 30 * 86_400_000);

    // A late or repeated run for an earlier minute rewrites its timeline entry but never moves current back.
    await updateRiskIndex({ db: db(), now: () => now, retentionDays: 30 });
    expect((await db().collection('riskIndex').doc('current').get()).get('minute')).toBe(burst.minute);

    // Leave no future "current" behind for the suites that run after this one (and the next test).
    await db().collection('riskIndex').doc('current').delete();
    await Promise.all(timeline.map((doc) => db().collection('riskIndex').doc(doc.minute).delete()));
  });

  it('the scheduled function itself runs when its schedule fires (an HTTP POST, as Cloud Scheduler sends)', async () => {
    const before = Date.now();
    // Fired now, as Cloud Scheduler does (an HTTP POST to the function), rather than waiting for
    // its schedule: test/stack/start.test.ts sees the schedules run under `npm start`.
    await fireSchedule('metrics-updateRiskIndex');
    const current = await waitFor('riskIndex/current from the scheduled function', async () => {
      const doc = (await db().collection('riskIndex').doc('current').get()).data();
      return doc && doc.computedAt.toMillis() >= before - 1_000 ? doc : undefined;
    });
    const lastMinute = bucketStart('minute', new Date(current.computedAt.toMillis() - MINUTE));
    expect(current).toMatchObject({ kind: 'current', minute: `${lastMinute.toISOString().slice(0, 16)}Z`, windowMinutes: 30, halfLifeMinutes: 5 });
    expect(current.index).toBeGreaterThanOrEqual(0);
    expect((await db().collection('riskIndex').doc(current.minute).get()).get('kind')).toBe('minute');
  });
});
