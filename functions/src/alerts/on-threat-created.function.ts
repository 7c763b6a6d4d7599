import { getFirestore } from 'firebase-admin/firestore';
import { onDocumentCreated } from 'firebase-functions/firestore';
import { severityOf } from '../analysis/escalation';
import { alertDedupWindowMinutes } from '../config';
import { COLLECTIONS } from '../firestore/refs';
import { openOrJoinAlert } from './open-alert';
import { opensAlert } from './dedup';

/** threats/{id} created → open or join an alert (HIGH and CRITICAL only). */
export const onThreatCreated = onDocumentCreated(
  { document: `${COLLECTIONS.threats}/{threatId}`, retry: true },
  async (event) => {
    // Most threats are below HIGH: the created document says so without a transaction. One
    // re-scored into HIGH afterwards gets its alert from onThreatEscalated.
    const severity = severityOf(event.data?.data());
    if (severity !== undefined && !opensAlert(severity)) return;
    await openOrJoinAlert(event.params.threatId, {
      db: getFirestore(),
      dedupWindowMinutes: alertDedupWindowMinutes.value(),
      now: () => new Date(),
    });
  },
);
