import { getFirestore } from 'firebase-admin/firestore';
import { onDocumentCreated } from 'firebase-functions/firestore';
import { alertDedupWindowMinutes } from '../config';
import { COLLECTIONS } from '../firestore/refs';
import { openOrJoinAlert } from './open-alert';

/** threats/{id} created → open or join an alert (HIGH and CRITICAL only). */
export const onThreatCreated = onDocumentCreated(
  { document: `${COLLECTIONS.threats}/{threatId}`, retry: true },
  async (event) => {
    await openOrJoinAlert(event.params.threatId, {
      db: getFirestore(),
      dedupWindowMinutes: alertDedupWindowMinutes.value(),
      now: () => new Date(),
    });
  },
);
