import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { alertRef, alertsCollection, auditLogCollection } from '../../firestore/refs';
import type { AlertDoc, AlertStatus, AuditActor } from '../../firestore/schema';
import * as log from '../../logs';
import { stageAlertClosed, type MetricsDeps } from '../../metrics/counters';
import { Conflict, NotFound } from '../errors';
import { toWire } from '../serialize';

export interface AlertRecord {
  id: string;
  doc: AlertDoc;
}

/** Unresolved alerts, most recently active first. */
export async function activeAlerts(db: Firestore, limit: number): Promise<AlertRecord[]> {
  const snapshot = await alertsCollection(db)
    .where('status', 'in', ['OPEN', 'ACKNOWLEDGED'])
    .orderBy('lastSeen', 'desc')
    .limit(limit)
    .get();
  return snapshot.docs.map((doc) => ({ id: doc.id, doc: doc.data() }));
}

/** How many alerts are unresolved: a count aggregation, no alert is read. */
export async function countActiveAlerts(db: Firestore): Promise<number> {
  const snapshot = await alertsCollection(db).where('status', 'in', ['OPEN', 'ACKNOWLEDGED']).count().get();
  return snapshot.data().count;
}

export type AlertAction = 'acknowledge' | 'resolve';

/** The alert state machine: OPEN → ACKNOWLEDGED → RESOLVED, and OPEN → RESOLVED. */
const TRANSITIONS: Record<AlertAction, { from: readonly AlertStatus[]; to: AlertStatus }> = {
  acknowledge: { from: ['OPEN'], to: 'ACKNOWLEDGED' },
  resolve: { from: ['OPEN', 'ACKNOWLEDGED'], to: 'RESOLVED' },
};

export function canTransition(action: AlertAction, status: AlertStatus): boolean {
  return TRANSITIONS[action].from.includes(status);
}

/**
 * Moves an alert to its next state in one transaction with its audit log entry: who, when, the
 * note (and, on resolving, the count of alerts closed). Two people acknowledging or resolving at
 * once serialise on the alert; the second gets a 409 (the state it expected is gone), never a
 * double transition.
 */
export async function transitionAlert(
  db: Firestore,
  input: { alertId: string; action: AlertAction; actor: AuditActor; note: string | undefined; now: Date },
  metrics: MetricsDeps,
): Promise<AlertRecord> {
  const { alertId, action, actor, note } = input;
  const ref = alertRef(db, alertId);
  const transition = TRANSITIONS[action];
  const result = await db.runTransaction(async (tx) => {
    const current = (await tx.get(ref)).data();
    if (!current) throw new NotFound(`alert ${alertId} does not exist`);
    if (!canTransition(action, current.status)) {
      throw new Conflict(`cannot ${action} an alert that is ${current.status}`, {
        status: current.status,
        allowedFrom: transition.from,
      });
    }
    const at = Timestamp.fromDate(input.now);
    const changes: Partial<AlertDoc> =
      action === 'acknowledge'
        ? { status: 'ACKNOWLEDGED', acknowledgedBy: actor.id, acknowledgedAt: at, updatedAt: at }
        : { status: 'RESOLVED', resolvedBy: actor.id, resolvedAt: at, resolutionNote: note ?? null, updatedAt: at };
    // Someone who acknowledges takes the alert unless it is already assigned.
    if (action === 'acknowledge' && current.assignee === null) changes.assignee = actor.id;
    tx.update(ref, changes);
    if (action === 'resolve') stageAlertClosed(tx, alertId, input.now, metrics);
    tx.create(auditLogCollection(db).doc(), {
      action: `alert.${action}`,
      actor,
      target: { collection: 'alerts', id: alertId },
      changes: { from: current.status, ...(toWire(changes) as Record<string, unknown>) },
      note: note ?? null,
      at,
    });
    return { from: current.status, doc: { ...current, ...changes } };
  });
  log.alertTransitioned(alertId, result.from, transition.to, actor.id);
  return { id: alertId, doc: result.doc };
}
