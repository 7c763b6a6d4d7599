import type { Firestore } from 'firebase-admin/firestore';
import { AlertMissing, AlertTransitionRefused, type AlertAction } from '../../alerts/alert';
import { transitionAlert as transitionInStore } from '../../alerts/store';
import { alertRef, alertsCollection } from '../../firestore/refs';
import type { AlertDoc, AuditActor } from '../../firestore/schema';
import type { MetricsDeps } from '../../metrics/counters';
import { Conflict, NotFound } from '../errors';
import { pageAfterCursor } from './cursors';

export type { AlertAction } from '../../alerts/alert';

export interface AlertRecord {
  id: string;
  doc: AlertDoc;
}

/** Unresolved alerts, most recently active first, a page at a time. */
export async function activeAlerts(
  db: Firestore,
  options: { limit: number; cursor?: string | undefined },
): Promise<{ alerts: AlertRecord[]; nextCursor: string | null }> {
  const query = alertsCollection(db)
    .where('status', 'in', ['OPEN', 'ACKNOWLEDGED'])
    .orderBy('lastSeen', 'desc')
    .limit(options.limit + 1);
  const { docs, nextCursor } = await pageAfterCursor(query, { ...options, ref: (id) => alertRef(db, id), what: 'alert' });
  return { alerts: docs.map((doc) => ({ id: doc.id, doc: doc.data() })), nextCursor };
}

/** How many alerts are unresolved: a count aggregation, no alert is read. */
export async function countActiveAlerts(db: Firestore): Promise<number> {
  const snapshot = await alertsCollection(db).where('status', 'in', ['OPEN', 'ACKNOWLEDGED']).count().get();
  return snapshot.data().count;
}

/**
 * Acknowledges or resolves through the alert's owner (alerts/store.ts), mapping its refusals to
 * the API's errors: 404 for an unknown alert, 409 for a transition its state does not allow.
 */
export async function transitionAlert(
  db: Firestore,
  input: { alertId: string; action: AlertAction; actor: AuditActor; note: string | undefined; now: Date },
  metrics: MetricsDeps,
): Promise<AlertRecord> {
  try {
    const { id, doc } = await transitionInStore(db, input, metrics);
    return { id, doc };
  } catch (error) {
    if (error instanceof AlertMissing) throw new NotFound(error.message);
    if (error instanceof AlertTransitionRefused) {
      throw new Conflict(error.message, { status: error.status, allowedFrom: error.allowedFrom });
    }
    throw error;
  }
}
