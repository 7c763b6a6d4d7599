import { onDocumentCreated } from 'firebase-functions/firestore';
import { alertingSeverityOf, opensAlert } from '../domain/alerting';
import { COLLECTIONS } from '../firestore/refs';
import { ThreatDocSchema } from '../firestore/schema';
import { parseTriggerDocument } from '../firestore/trigger-data';
import { openOrJoinAlert } from './store';
import { alertDeps } from './runtime';

/** What names the attack a threat belongs to (its alert's dedup key). */
const AttackSchema = ThreatDocSchema.pick({ source_ip: true, event_type: true });

/** threats/{id} created → open or join an alert (HIGH and CRITICAL only). */
export const onThreatCreated = onDocumentCreated(
  { document: `${COLLECTIONS.threats}/{threatId}`, retry: true },
  async (event) => {
    // Most threats are below HIGH: the created document says so without a transaction. One
    // re-scored into HIGH afterwards gets its alert from the analysis that re-scored it; one the
    // model lowered still alerts on the rules' severity.
    const data = event.data?.data();
    // A suppressed detection stays a threat and opens no alert (openOrJoinAlert checks it too).
    if (data?.suppression !== undefined) return;
    const severity = alertingSeverityOf(data);
    if (severity !== undefined && !opensAlert(severity)) return;
    const attack = parseTriggerDocument(AttackSchema, data, 'alerts-onThreatCreated', event.document);
    if (attack) await openOrJoinAlert({ id: event.params.threatId, ...attack }, alertDeps());
  },
);
