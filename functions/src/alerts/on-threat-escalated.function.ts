import { getFirestore } from 'firebase-admin/firestore';
import { onDocumentUpdated } from 'firebase-functions/firestore';
import { alertDedupWindowMinutes } from '../config';
import { escalatedToAlerting, severityOf } from '../analysis/escalation';
import { COLLECTIONS } from '../firestore/refs';
import * as log from '../logs';
import { openOrJoinAlert } from './open-alert';

/**
 * threats/{id} updated into HIGH or CRITICAL (e.g. re-scored by the model) → open or join its
 * alert, as onThreatCreated does for threats created that severe. Every other update returns at
 * once; openOrJoinAlert re-reads the threat in a transaction and is safe to repeat.
 */
export const onThreatEscalated = onDocumentUpdated(
  { document: `${COLLECTIONS.threats}/{threatId}`, retry: true },
  async (event) => {
    const before = event.data?.before.data();
    const after = event.data?.after.data();
    if (!escalatedToAlerting(before, after)) return;
    log.threatEscalated(event.params.threatId, severityOf(before), severityOf(after)!);
    await openOrJoinAlert(event.params.threatId, {
      db: getFirestore(),
      dedupWindowMinutes: alertDedupWindowMinutes.value(),
      now: () => new Date(),
    });
  },
);
