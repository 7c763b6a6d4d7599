import { onDocumentCreated } from 'firebase-functions/firestore';
import { COLLECTIONS } from '../firestore/refs';
import { ThreatDocSchema } from '../firestore/schema';
import { parseTriggerDocument } from '../firestore/trigger-data';
import { countThreat } from './counters';
import { metricsDeps } from './runtime';

/** threats/{id} created → events, by severity, type and country, in the minute and hour buckets. */
export const onThreatCreated = onDocumentCreated(
  // concurrency: one instance counts many threats at once (the shard cursor is per instance).
  { document: `${COLLECTIONS.threats}/{threatId}`, retry: true, concurrency: 80, cpu: 1 },
  async (event) => {
    if (!event.data) return;
    const threat = parseTriggerDocument(ThreatDocSchema, event.data.data(), 'metrics-onThreatCreated', event.data.ref.path);
    if (threat) await countThreat(event.params.threatId, threat, metricsDeps());
  },
);
