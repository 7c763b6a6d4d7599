import { onDocumentCreated } from 'firebase-functions/firestore';
import { severityOf } from '../analysis/escalation';
import { COLLECTIONS } from '../firestore/refs';
import { opensAlert } from './dedup';
import { openOrJoinAlert } from './open-alert';
import { alertDeps } from './runtime';

/** threats/{id} created → open or join an alert (HIGH and CRITICAL only). */
export const onThreatCreated = onDocumentCreated(
  { document: `${COLLECTIONS.threats}/{threatId}`, retry: true },
  async (event) => {
    // Most threats are below HIGH: the created document says so without a transaction. One
    // re-scored into HIGH afterwards gets its alert from the analysis that re-scored it.
    const severity = severityOf(event.data?.data());
    if (severity !== undefined && !opensAlert(severity)) return;
    await openOrJoinAlert(event.params.threatId, alertDeps());
  },
);
