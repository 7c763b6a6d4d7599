import { onDocumentCreated } from 'firebase-functions/firestore';
import { COLLECTIONS } from '../firestore/refs';
import { RejectedEventDocSchema } from '../firestore/schema';
import { parseTriggerDocument } from '../firestore/trigger-data';
import { countRejectedEvent } from './counters';
import { metricsDeps } from './runtime';

/** rejectedEvents/{id} created → rejected (invalid) events. */
export const onEventRejected = onDocumentCreated(
  { document: `${COLLECTIONS.rejectedEvents}/{rejectedId}`, retry: true },
  async (event) => {
    if (!event.data) return;
    const rejected = parseTriggerDocument(RejectedEventDocSchema, event.data.data(), 'metrics-onEventRejected', event.data.ref.path);
    if (rejected) await countRejectedEvent(event.params.rejectedId, rejected, metricsDeps());
  },
);
