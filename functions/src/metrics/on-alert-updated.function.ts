import { onDocumentUpdated } from 'firebase-functions/firestore';
import { COLLECTIONS } from '../firestore/refs';
import { AlertDocSchema } from '../firestore/schema';
import { parseTriggerDocument } from '../firestore/trigger-data';
import { countAlertClosed } from './counters';
import { metricsDeps } from './runtime';

/** alerts/{id} updated to RESOLVED → alerts closed (any other update writes nothing). */
export const onAlertUpdated = onDocumentUpdated(
  { document: `${COLLECTIONS.alerts}/{alertId}`, retry: true },
  async (event) => {
    if (!event.data) return;
    // Most updates are threats joining the alert: only the move into RESOLVED is worth parsing.
    if (event.data.after.get('status') !== 'RESOLVED' || event.data.before.get('status') === 'RESOLVED') return;
    const path = event.data.after.ref.path;
    const before = parseTriggerDocument(AlertDocSchema, event.data.before.data(), 'metrics-onAlertUpdated', path);
    const after = parseTriggerDocument(AlertDocSchema, event.data.after.data(), 'metrics-onAlertUpdated', path);
    if (before && after) await countAlertClosed(event.params.alertId, before, after, metricsDeps());
  },
);
