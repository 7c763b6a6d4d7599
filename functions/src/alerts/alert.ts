import type { Timestamp } from 'firebase-admin/firestore';
import { alertingSeverity, approvalConditions, higherSeverity, mergeConditions } from '../domain/alerting';
import type { Severity } from '../domain/event';
import type { MitreTechnique } from '../domain/threat';
import { ALERT_THREAT_IDS_KEPT, type AlertDoc, type AlertStatus, type ThreatDoc } from '../firestore/schema';
import { alertTitle } from './dedup';

// The alert, as a state machine over plain data: open, join, acknowledge, resolve, escalate.
// No I/O here (Firestore types are imported for their shape only): alerts/store.ts reads, calls
// these and writes, in one transaction each, with the audit entry.

export type AlertAction = 'acknowledge' | 'resolve';

/** OPEN → ACKNOWLEDGED → RESOLVED, and OPEN → RESOLVED. */
export const ALERT_TRANSITIONS: Record<AlertAction, { from: readonly AlertStatus[]; to: AlertStatus }> = {
  acknowledge: { from: ['OPEN'], to: 'ACKNOWLEDGED' },
  resolve: { from: ['OPEN', 'ACKNOWLEDGED'], to: 'RESOLVED' },
};

export function canTransition(action: AlertAction, status: AlertStatus): boolean {
  return ALERT_TRANSITIONS[action].from.includes(status);
}

/** A transition the alert's state does not allow (the API's 409). */
export class AlertTransitionRefused extends Error {
  override readonly name = 'AlertTransitionRefused';
  constructor(
    readonly action: AlertAction,
    readonly status: AlertStatus,
  ) {
    super(`cannot ${action} an alert that is ${status}`);
  }
  get allowedFrom(): readonly AlertStatus[] {
    return ALERT_TRANSITIONS[this.action].from;
  }
}

export class AlertMissing extends Error {
  override readonly name = 'AlertMissing';
  constructor(readonly alertId: string) {
    super(`alert ${alertId} does not exist`);
  }
}

/** The threat fields the alert machine reads. */
export type AlertingThreat = Pick<
  ThreatDoc,
  'event_id' | 'event_type' | 'source_ip' | 'protocol' | 'payload' | 'normalized' | 'geo' | 'analysis' | 'rulesAnalysis' | 'risk' | 'occurredAt'
>;

function conditionsOf(threat: AlertingThreat) {
  return approvalConditions({ ...threat, rules: threat.rulesAnalysis ?? threat.analysis });
}

export function openAlert(dedupKey: string, threatId: string, threat: AlertingThreat, now: Timestamp): AlertDoc {
  return {
    title: alertTitle(threat.event_type, threat.source_ip, threat.geo.country),
    severity: alertingSeverity(threat.risk),
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
    approvalConditions: conditionsOf(threat),
    createdAt: now,
    updatedAt: now,
  };
}

export function joinAlert(alert: AlertDoc, threatId: string, threat: AlertingThreat, now: Timestamp): AlertDoc {
  const occurredAt = threat.occurredAt;
  return {
    ...alert,
    severity: higherSeverity(alert.severity, alertingSeverity(threat.risk)),
    threatIds: [...alert.threatIds, threatId].slice(-ALERT_THREAT_IDS_KEPT),
    eventIds: [...alert.eventIds, threat.event_id].slice(-ALERT_THREAT_IDS_KEPT),
    occurrences: alert.occurrences + 1,
    maxRiskScore: Math.max(alert.maxRiskScore, threat.risk.score),
    mitre: mergeTechniques(alert.mitre, threat.analysis.mitre),
    firstSeen: occurredAt.toMillis() < alert.firstSeen.toMillis() ? occurredAt : alert.firstSeen,
    lastSeen: occurredAt.toMillis() > alert.lastSeen.toMillis() ? occurredAt : alert.lastSeen,
    approvalConditions: mergeConditions(alert.approvalConditions, conditionsOf(threat)),
    updatedAt: now,
  };
}

/** The fields acknowledge or resolve sets; throws AlertTransitionRefused from a wrong state. */
export function transition(
  alert: Pick<AlertDoc, 'status' | 'assignee'>,
  action: AlertAction,
  actorId: string,
  note: string | undefined,
  at: Timestamp,
): Partial<AlertDoc> {
  if (!canTransition(action, alert.status)) throw new AlertTransitionRefused(action, alert.status);
  if (action === 'resolve') {
    return { status: 'RESOLVED', resolvedBy: actorId, resolvedAt: at, resolutionNote: note ?? null, updatedAt: at };
  }
  // Someone who acknowledges takes the alert unless it is already assigned.
  return {
    status: 'ACKNOWLEDGED',
    acknowledgedBy: actorId,
    acknowledgedAt: at,
    ...(alert.assignee === null && { assignee: actorId }),
    updatedAt: at,
  };
}

export interface EscalateRequest {
  /** Raise the severity to at least this (never lowers it). */
  severity?: Severity | undefined;
  assignee?: string | undefined;
  overwriteAssignee: boolean;
}

export interface EscalateDecision {
  severity: { from: Severity; to: Severity };
  assignee: { from: string | null; to: string | null };
  changed: boolean;
  note?: string;
}

/** What escalating does to the alert: a resolved alert is left as it is. */
export function escalate(alert: Pick<AlertDoc, 'severity' | 'assignee' | 'status'>, request: EscalateRequest): EscalateDecision {
  const severity = request.severity ? higherSeverity(alert.severity, request.severity) : alert.severity;
  const assignee =
    request.assignee !== undefined && (alert.assignee === null || request.overwriteAssignee) ? request.assignee : alert.assignee;
  const resolved = alert.status === 'RESOLVED';
  return {
    severity: { from: alert.severity, to: resolved ? alert.severity : severity },
    assignee: { from: alert.assignee, to: resolved ? alert.assignee : assignee },
    changed: !resolved && (severity !== alert.severity || assignee !== alert.assignee),
    ...(resolved && { note: 'the alert is resolved: left as it is' }),
  };
}

function mergeTechniques(a: MitreTechnique[], b: MitreTechnique[]): MitreTechnique[] {
  const byId = new Map(a.map((technique) => [technique.id, technique]));
  for (const technique of b) byId.set(technique.id, technique);
  return [...byId.values()];
}
