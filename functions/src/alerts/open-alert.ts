import { Timestamp, type DocumentData, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
import { alertDedupRef, alertRef, threatRef } from '../firestore/refs';
import { ALERT_THREAT_IDS_KEPT, type AlertDedupDoc, type AlertDoc, type ThreatDoc } from '../firestore/schema';
import type { Severity } from '../domain/event';
import type { MitreTechnique } from '../domain/threat';
import * as log from '../logs';
import { stageAlertOpened, type MetricsDeps } from '../metrics/counters';
import { alertTitle, dedupKeyFor, higherSeverity, joinsAlert, opensAlert } from './dedup';

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
      if (!opensAlert(stored.risk.severity)) return { outcome: 'below_threshold' } as const;
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
      tx.create(alertRef(db, alertId), newAlert(dedupKey, threatId, stored, now));
      stageAlertOpened(tx, alertId, now.toDate(), deps.metrics);
      tx.update(threatRef(db, threatId), { alertId, alertedAt: now });
      tx.set(pointerRef, { alertId, updatedAt: now });
      return { outcome: 'opened', alertId, severity: stored.risk.severity } as const;
    },
    // Many threats of one attack arrive together and contend for the same alert.
    { maxAttempts: 30 },
  ).then((outcome) => {
    if (outcome.outcome === 'opened') log.alertOpened(outcome.alertId, threatId, outcome.severity);
    if (outcome.outcome === 'joined') log.alertUpdated(outcome.alertId, threatId, outcome.occurrences);
    return outcome;
  });
}

function newAlert(dedupKey: string, threatId: string, threat: ThreatDoc, now: Timestamp): AlertDoc {
  return {
    title: alertTitle(threat.event_type, threat.source_ip, threat.geo.country),
    severity: threat.risk.severity,
    status: 'OPEN',
    dedupKey,
    eventType: threat.event_type,
    sourceIp: threat.source_ip,
    ...(threat.geo.country && { sourceCountry: threat.geo.country }),
    threatIds: [threatId],
    eventIds: [threat.event_id],
    occurrences: 1,
    maxRiskScore: threat.risk.score,
    mitre: threat.analysis.mitre,
    firstSeen: threat.occurredAt,
    lastSeen: threat.occurredAt,
    assignee: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    resolvedBy: null,
    resolvedAt: null,
    resolutionNote: null,
    createdAt: now,
    updatedAt: now,
  };
}

function joinAlert(alert: AlertDoc, threatId: string, threat: ThreatDoc, now: Timestamp): AlertDoc {
  const occurredAt = threat.occurredAt;
  return {
    ...alert,
    severity: higherSeverity(alert.severity, threat.risk.severity),
    threatIds: [...alert.threatIds, threatId].slice(-ALERT_THREAT_IDS_KEPT),
    eventIds: [...alert.eventIds, threat.event_id].slice(-ALERT_THREAT_IDS_KEPT),
    occurrences: alert.occurrences + 1,
    maxRiskScore: Math.max(alert.maxRiskScore, threat.risk.score),
    mitre: mergeTechniques(alert.mitre, threat.analysis.mitre),
    firstSeen: occurredAt.toMillis() < alert.firstSeen.toMillis() ? occurredAt : alert.firstSeen,
    lastSeen: occurredAt.toMillis() > alert.lastSeen.toMillis() ? occurredAt : alert.lastSeen,
    updatedAt: now,
  };
}

function mergeTechniques(a: MitreTechnique[], b: MitreTechnique[]): MitreTechnique[] {
  const byId = new Map(a.map((technique) => [technique.id, technique]));
  for (const technique of b) byId.set(technique.id, technique);
  return [...byId.values()];
}
