import { onDocumentUpdated } from 'firebase-functions/firestore';
import { severityOf } from '../analysis/escalation';
import { COLLECTIONS } from '../firestore/refs';
import { ThreatDocSchema } from '../firestore/schema';
import { parseTriggerDocument } from '../firestore/trigger-data';
import { countSeverityChange } from './counters';
import { metricsDeps } from './runtime';

/**
 * threats/{id} updated with a new severity (the model re-scored it) → the count moves between
 * severities. Other updates (the alert link, the model record) write nothing.
 */
export const onThreatUpdated = onDocumentUpdated(
  { document: `${COLLECTIONS.threats}/{threatId}`, retry: true, concurrency: 80, cpu: 1 },
  async (event) => {
    if (!event.data) return;
    // Most updates (the alert link, the model record) leave the severity alone: skip parsing them.
    if (severityOf(event.data.before.data()) === severityOf(event.data.after.data())) return;
    const path = event.data.after.ref.path;
    const before = parseTriggerDocument(ThreatDocSchema, event.data.before.data(), 'metrics-onThreatUpdated', path);
    const after = parseTriggerDocument(ThreatDocSchema, event.data.after.data(), 'metrics-onThreatUpdated', path);
    if (before && after) await countSeverityChange(event.params.threatId, event.id, before, after, metricsDeps());
  },
);
