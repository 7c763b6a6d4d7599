import { Timestamp, type DocumentData, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
import { alertingSeverity, opensAlert } from '../domain/alerting';
import type { Severity } from '../domain/event';
import { auditEntry } from '../firestore/audit';
import { alertDedupRef, alertRef, auditLogCollection, COLLECTIONS, threatRef } from '../firestore/refs';
import type { AlertDedupDoc, AlertDoc, AuditActor, ThreatDoc } from '../firestore/schema';
import * as log from '../logs';
import { stageAlertClosed, stageAlertOpened, type MetricsDeps } from '../metrics/counters';
import { AlertMissing, escalate, joinAlert, openAlert, transition, type AlertAction, type EscalateDecision, type EscalateRequest } from './alert';
import { dedupKeyFor, joinsAlert } from './dedup';

// alerts/{id}: the one module that writes an alert. Each change is one transaction that reads
// the alert, asks the machine in alert.ts for its next state and writes it with its audit entry.

export interface AlertDeps {
  db: Firestore;
  dedupWindowMinutes: number;
  now: () => Date;
  /** An alert opened is counted in the transaction that opens it. */
  metrics: MetricsDeps;
}

/** The threat to alert on, and the attack it belongs to (its source and type). */
export type AlertCandidate = Pick<ThreatDoc, 'source_ip' | 'event_type'> & { id: string };

export type AlertOutcome =
  | { outcome: 'below_threshold' }
  | { outcome: 'suppressed' }
  | { outcome: 'already_linked'; alertId: string }
  | { outcome: 'opened'; alertId: string; severity: Severity }
  | { outcome: 'joined'; alertId: string; occurrences: number };

/**
 * Opens an alert for a HIGH or CRITICAL threat, or adds it to the unresolved alert for the same
 * source and event type within the dedup window.
 *
 * Safe under concurrent and repeated triggers: one transaction reads the threat (already linked
 * to an alert means this delivery is a repeat), the dedup pointer for the attack and its alert.
 * A join writes the alert and the threat; an opening writes the new alert, the threat, the
 * pointer and the alert's count. Concurrent threats of the same attack serialise on what they
 * read and write: the alert they join, or the pointer when they open one. The caller names the
 * attack (source and type, which never change on a threat), so the threat and the pointer are
 * read in one round trip.
 */
export async function openOrJoinAlert(threat: AlertCandidate, deps: AlertDeps): Promise<AlertOutcome> {
  const { db } = deps;
  const threatId = threat.id;
  const dedupKey = dedupKeyFor(threat.source_ip, threat.event_type);
  const pointerRef = alertDedupRef(db, dedupKey);
  return db.runTransaction(
    async (tx) => {
      // Each snapshot is read through its own reference's converter.
      const [threatSnapshot, pointerSnapshot] = (await tx.getAll<unknown, DocumentData>(threatRef(db, threatId), pointerRef)) as [
        DocumentSnapshot<ThreatDoc>,
        DocumentSnapshot<AlertDedupDoc>,
      ];
      const stored = threatSnapshot.data();
      if (!stored) throw new Error(`threat ${threatId} does not exist`);
      if (stored.source_ip !== threat.source_ip || stored.event_type !== threat.event_type) {
        throw new Error(`threat ${threatId} is not a ${threat.event_type} from ${threat.source_ip}`);
      }
      // An exception covers it: kept and counted as a threat, never an alert.
      if (stored.suppression !== undefined) return { outcome: 'suppressed' } as const;
      // The rules' severity decides; the model may only add (a lowered score still alerts).
      if (!opensAlert(alertingSeverity(stored.risk))) return { outcome: 'below_threshold' } as const;
      if (stored.alertId) return { outcome: 'already_linked', alertId: stored.alertId } as const;

      const pointer = pointerSnapshot.data();
      const current = pointer ? (await tx.get(alertRef(db, pointer.alertId))).data() : undefined;
      const now = Timestamp.fromDate(deps.now());
      const threatTime = stored.occurredAt.toDate();

      if (
        pointer &&
        current &&
        joinsAlert(
          { status: current.status, firstSeen: current.firstSeen.toDate(), lastSeen: current.lastSeen.toDate() },
          threatTime,
          deps.dedupWindowMinutes * 60_000,
        )
      ) {
        const joined = joinAlert(current, threatId, stored, now);
        tx.set(alertRef(db, pointer.alertId), joined);
        tx.update(threatRef(db, threatId), { alertId: pointer.alertId, alertedAt: now });
        return { outcome: 'joined', alertId: pointer.alertId, occurrences: joined.occurrences } as const;
      }

      // The opening threat's id names the alert, so a repeated delivery cannot open a second one.
      const alertId = threatId;
      tx.create(alertRef(db, alertId), openAlert(dedupKey, threatId, stored, now));
      stageAlertOpened(tx, alertId, now.toDate(), deps.metrics);
      tx.update(threatRef(db, threatId), { alertId, alertedAt: now });
      tx.set(pointerRef, { alertId, updatedAt: now });
      return { outcome: 'opened', alertId, severity: alertingSeverity(stored.risk) } as const;
    },
    // Many threats of one attack arrive together and contend for the same alert.
    { maxAttempts: 30 },
  ).then((outcome) => {
    if (outcome.outcome === 'opened') log.alertOpened(outcome.alertId, threatId, outcome.severity);
    if (outcome.outcome === 'joined') log.alertUpdated(outcome.alertId, threatId, outcome.occurrences);
    return outcome;
  });
}

export interface AlertRecord {
  id: string;
  doc: AlertDoc;
}

/**
 * Acknowledges or resolves an alert in one transaction with its audit entry: who, when, the note
 * (and, on resolving, the count of alerts closed). Two people acting at once serialise on the
 * alert; the second gets AlertTransitionRefused (the state it expected is gone), never a double
 * transition. Throws AlertMissing for an unknown id.
 */
export async function transitionAlert(
  db: Firestore,
  input: { alertId: string; action: AlertAction; actor: AuditActor; note: string | undefined; now: Date },
  metrics: MetricsDeps,
): Promise<AlertRecord & { from: AlertDoc['status'] }> {
  const { alertId, action, actor, note } = input;
  const ref = alertRef(db, alertId);
  const result = await db.runTransaction(async (tx) => {
    const current = (await tx.get(ref)).data();
    if (!current) throw new AlertMissing(alertId);
    const changes = transition(current, action, actor.id, note, Timestamp.fromDate(input.now));
    tx.update(ref, changes);
    if (action === 'resolve') stageAlertClosed(tx, alertId, input.now, metrics);
    tx.create(
      auditLogCollection(db).doc(),
      auditEntry({
        action: `alert.${action}`,
        actor,
        target: { collection: COLLECTIONS.alerts, id: alertId },
        changes: { from: current.status, ...changes },
        note: note ?? null,
        at: input.now,
      }),
    );
    return { from: current.status, doc: { ...current, ...changes } };
  });
  log.alertTransitioned(alertId, result.from, result.doc.status, actor.id);
  return { id: alertId, doc: result.doc, from: result.from };
}

/**
 * Raises an alert's severity and/or assigns it (a playbook's escalate step). The audit entry is
 * the step's (the run store writes it), so this writes the alert only. Throws AlertMissing.
 */
export async function escalateAlert(db: Firestore, alertId: string, request: EscalateRequest, now: Date): Promise<EscalateDecision> {
  const ref = alertRef(db, alertId);
  return db.runTransaction(async (tx) => {
    const alert = (await tx.get(ref)).data();
    if (!alert) throw new AlertMissing(alertId);
    const decision = escalate(alert, request);
    if (decision.changed) {
      tx.update(ref, { severity: decision.severity.to, assignee: decision.assignee.to, updatedAt: Timestamp.fromDate(now) });
    }
    return decision;
  });
}
