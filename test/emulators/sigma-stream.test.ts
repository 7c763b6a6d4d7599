// A SigmaHQ rule, as a team brings it, detecting in the stream: posted by an admin through the API
// (compiled, stored in detectionRules, enabled here), then SigmaHQ's own regression event for it,
// read by the Windows adapter as the bridge reads it and published to `security-observations`,
// becomes a threat named by the rule. Its status and references travel with it.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import type { NormalizedEvent } from '@threatstream/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegressionEvents } from '../../functions/src/detection/sigma/regression-data';
import { call } from '../support/api';
import { createUser, type TestUser } from '../support/auth';
import { PROJECT_ID, firestore, runId, waitFor } from '../support/emulators';

const SIGMAHQ = join(__dirname, '../sigma/sigmahq');
const RULE_FILE = join(SIGMAHQ, 'rules/windows/process_creation/proc_creation_win_bitsadmin_download.yml');
const EVENTS_FILE = join(SIGMAHQ, 'regression_data/rules/windows/process_creation/proc_creation_win_bitsadmin_download/d059842b-6b9d-4ed1-b5c3-5b89143c6ede.json');

const pubsub = new PubSub({ projectId: PROJECT_ID });
const topic = pubsub.topic('security-observations');
let admin: TestUser;

beforeAll(async () => {
  admin = await createUser('admin', 'sigma-stream-admin');
});
afterAll(async () => {
  await pubsub.close();
});

/** The vendored rule under an id of this run's own, so the rule and its detections are new here. */
function ruleText(uuid: string): string {
  return readFileSync(RULE_FILE, 'utf8').replace(/^id: .*$/m, `id: ${uuid}`);
}

/** SigmaHQ's regression event for the rule, with an event id of this run's own. */
function regressionEvent(): NormalizedEvent {
  const [event] = readRegressionEvents(EVENTS_FILE);
  return { ...event!, event: { ...event!.event, id: `${event!.event.id}-${runId('sigma')}` } };
}

async function detectionThreats(ruleId: string) {
  const snapshot = await firestore().collection('threats').where('metadata.rule_id', '==', ruleId).get();
  return snapshot.docs.map((doc) => doc.data());
}

describe('Sigma in the stream', () => {
  it('a SigmaHQ rule posted through the API fires on its own regression event published as an observation; one enabled elsewhere does not', async () => {
    const here = randomUUID();
    const elsewhere = randomUUID();
    expect((await call('/detection-rules', { token: admin.idToken, body: { text: ruleText(here), format: 'sigma' } })).status).toBe(201);
    expect((await call('/detection-rules', { token: admin.idToken, body: { text: ruleText(elsewhere), format: 'sigma', enabledIn: ['production'] } })).status).toBe(201);

    const event = regressionEvent();
    await topic.publishMessage({ data: Buffer.from(JSON.stringify(event)), attributes: { event_id: event.event.id, format: event.event.format, kind: 'event' } });

    const ruleId = `sigma-${here}`;
    const [threat] = await waitFor('the Sigma rule’s threat', async () => {
      const threats = await detectionThreats(ruleId);
      return threats.length > 0 ? threats : undefined;
    }, 50_000);
    expect(threat).toMatchObject({
      metadata: { engine: 'detection', severity_hint: 'MEDIUM' }, // the rule's level: medium
      payload: { detection: { rule_id: ruleId, count: 1, sample_event_ids: [event.event.id] } },
    });
    expect(threat!.analysis.summary).toContain(ruleId);
    // Both rules ran over the same observation in one invocation: the one not enabled here made nothing.
    expect(await detectionThreats(`sigma-${elsewhere}`)).toEqual([]);
  });
});
