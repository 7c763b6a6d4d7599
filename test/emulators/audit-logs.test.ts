// A Cloud Logging sink's messages on Pub/Sub `cloud-audit-logs`, through the deployed
// pipeline-auditLogs function: parsed once as Google Cloud audit LogEntries, an entry that is
// not an alert becomes an observation (counted in the metrics, never a threat), and a message
// that is not a LogEntry is kept in rejectedEvents with a reason naming the format.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { parseRecord } from '@threatstream/events';
import { afterAll, describe, expect, it } from 'vitest';
import { hashedId } from '../../functions/src/firestore/refs';
import { observationsFactKey } from '../../functions/src/metrics/counters';
import { PROJECT_ID, firestore, runId, settle, waitFor } from '../support/emulators';

const SAMPLES = join(__dirname, '../../packages/events/samples/gcp-audit/panther-gcp-audit-tests.jsonl');
const pubsub = new PubSub({ projectId: PROJECT_ID });
const topic = pubsub.topic('cloud-audit-logs');

afterAll(async () => {
  await pubsub.close();
});

describe('Cloud audit logs on Pub/Sub', () => {
  it('counts an audit entry as an observation by format and source, and stores no threat', async () => {
    const sample = JSON.parse(readFileSync(SAMPLES, 'utf8').split('\n')[0]!) as Record<string, unknown>;
    const entry = JSON.stringify({ ...sample, insertId: runId('audit') });
    const parsed = parseRecord(entry, { format: 'gcp-audit' });
    if (!parsed.ok) throw new Error(parsed.message);
    const [observation] = parsed.events;
    expect(observation!.event.kind).toBe('event');
    await topic.publishMessage({ data: Buffer.from(entry) });

    const ledger = firestore().collection('metricsLedger').doc(observationsFactKey([observation!]));
    await waitFor('the observation counted', async () => ((await ledger.get()).exists ? true : undefined));
    const threats = () => firestore().collection('threats').where('event_id', '==', observation!.event.id).get().then((s) => s.size);
    await settle(threats);
    expect(await threats()).toBe(0);
    // Its bucket counts it under its format and source.
    const { bucket, shard } = (await ledger.get()).data() as { bucket: string; shard: number };
    const shardDoc = await firestore().collection('metrics').doc(bucket).collection('shards').doc(String(shard)).get();
    const counts = shardDoc.data() as { observations?: number; observationsBy?: Record<string, Record<string, number>> } | undefined;
    expect(counts?.observations).toBeGreaterThan(0);
    expect(Object.keys(counts?.observationsBy?.['gcp-audit'] ?? {})).not.toHaveLength(0);
  });

  it('keeps a message that is not a LogEntry as rejected, with a reason naming the format', async () => {
    const data = Buffer.from(`{"not":"a log entry","run":"${runId('bad-audit')}"}`);
    await topic.publishMessage({ data });
    const rejected = firestore().collection('rejectedEvents').doc(hashedId(data));
    const doc = await waitFor('the rejected entry', async () => {
      const snapshot = await rejected.get();
      return snapshot.exists ? (snapshot.data() as { reason: string }) : undefined;
    });
    expect(doc.reason).toMatch(/^gcp-audit\./);
  });
});
