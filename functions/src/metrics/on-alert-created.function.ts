import { onDocumentCreated } from 'firebase-functions/firestore';
import { COLLECTIONS } from '../firestore/refs';
import { AlertDocSchema } from '../firestore/schema';
import { parseTriggerDocument } from '../firestore/trigger-data';
import { countAlertOpened } from './counters';
import { metricsDeps } from './runtime';

/** alerts/{id} created → alerts opened. */
export const onAlertCreated = onDocumentCreated(
  { document: `${COLLECTIONS.alerts}/{alertId}`, retry: true },
  async (event) => {
    if (!event.data) return;
    const alert = parseTriggerDocument(AlertDocSchema, event.data.data(), 'metrics-onAlertCreated', event.data.ref.path);
    if (alert) await countAlertOpened(event.params.alertId, alert, metricsDeps());
  },
);
