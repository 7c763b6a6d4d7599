import { getFirestore } from 'firebase-admin/firestore';
import { onDocumentCreated } from 'firebase-functions/firestore';
import { alertDeps } from '../alerts/runtime';
import { geminiApiKey } from '../config';
import { COLLECTIONS } from '../firestore/refs';
import { ThreatDocSchema } from '../firestore/schema';
import { parseTriggerDocument } from '../firestore/trigger-data';
import { analyseThreat } from './analyse-threat';
import {
  ANALYSIS_CONCURRENCY,
  ANALYSIS_MAX_INSTANCES,
  ANALYSIS_TIMEOUT_SECONDS,
  modelRuntime,
} from './runtime';

/**
 * threats/{id} created → Gemini's opinion added and the threat re-scored (its count moved, and
 * its alert opened if it rose into HIGH or CRITICAL), off the ingest path.
 * Its own scaling: model calls wait on the network, so one instance serves many threats at once,
 * and few instances bound the spend (the per-minute budget is shared out between them).
 */
export const onThreatCreated = onDocumentCreated(
  {
    document: `${COLLECTIONS.threats}/{threatId}`,
    retry: true,
    concurrency: ANALYSIS_CONCURRENCY,
    maxInstances: ANALYSIS_MAX_INSTANCES,
    timeoutSeconds: ANALYSIS_TIMEOUT_SECONDS,
    cpu: 1,
    memory: '512MiB',
    secrets: [geminiApiKey],
  },
  async (event) => {
    const db = getFirestore();
    const { consult } = modelRuntime(db);
    // Without a model (e.g. `npm start` with no key) there is nothing to do: not even parsing.
    if (!consult.configured || !event.data) return;
    const threat = parseTriggerDocument(ThreatDocSchema, event.data.data(), 'analysis-onThreatCreated', event.data.ref.path);
    if (!threat) return;
    await analyseThreat(event.params.threatId, threat, {
      db,
      consult,
      now: () => new Date(),
      alerts: alertDeps(),
    });
  },
);
