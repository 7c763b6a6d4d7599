import {
  collection,
  doc,
  limit,
  orderBy,
  query,
  where,
  type DocumentData,
  type DocumentReference,
  type Firestore,
  type Query,
} from 'firebase/firestore';
import { typed } from '../hooks/useSnapshot';
import type { AlertDoc, AlertStatus, PlaybookRunDoc, RiskIndexDoc, Severity, ThreatDoc } from './types';

// Every query the dashboard listens to, each bounded by a limit. The composite indexes they need
// are in firestore.indexes.json (see dashboard/README.md); single-field ones are automatic.

export const LIMITS = {
  /** Rows in the threat stream. */
  threats: 100,
  /** Active alerts listed. */
  alerts: 50,
  /** Runs shown per alert. */
  runsPerAlert: 5,
  /** Risk index timeline: the last hour, one point per minute. */
  riskTimeline: 60,
} as const;

export const ACTIVE_STATUSES: AlertStatus[] = ['OPEN', 'ACKNOWLEDGED'];

const hasToMillis = (value: unknown) => typeof (value as { toMillis?: unknown } | null)?.toMillis === 'function';

// Light checks on read: a document missing what the views index into is skipped, not a crash.
const isThreat = (data: DocumentData) =>
  typeof data.event_id === 'string' && typeof data.risk?.score === 'number' && Array.isArray(data.risk?.factors) && hasToMillis(data.createdAt);
const isAlert = (data: DocumentData) => typeof data.title === 'string' && typeof data.status === 'string' && hasToMillis(data.lastSeen);
const isRun = (data: DocumentData) => typeof data.playbookId === 'string' && Array.isArray(data.steps) && hasToMillis(data.createdAt);
const isRiskIndex = (data: DocumentData) => typeof data.index === 'number' && hasToMillis(data.bucketStart);

/**
 * Threats, newest first: all of them (single-field index on createdAt, descending), or only
 * some severities (composite: risk.severity, createdAt desc). At high event rates a filtered
 * stream also costs far fewer reads: every threat entering the results is one billed read.
 */
export function latestThreatsQuery(db: Firestore, severities?: readonly Severity[], max: number = LIMITS.threats): Query<ThreatDoc | null> {
  const threats = collection(db, 'threats').withConverter(typed<ThreatDoc>(isThreat));
  return severities && severities.length > 0
    ? query(threats, where('risk.severity', 'in', severities), orderBy('createdAt', 'desc'), limit(max))
    : query(threats, orderBy('createdAt', 'desc'), limit(max));
}

/** Open and acknowledged alerts, most recently active first (composite: status, lastSeen desc). */
export function activeAlertsQuery(db: Firestore, max: number = LIMITS.alerts): Query<AlertDoc | null> {
  return query(
    collection(db, 'alerts').withConverter(typed<AlertDoc>(isAlert)),
    where('status', 'in', ACTIVE_STATUSES),
    orderBy('lastSeen', 'desc'),
    limit(max),
  );
}

/** One alert's playbook runs, newest first (composite: alertId, createdAt desc). */
export function runsForAlertQuery(db: Firestore, alertId: string, max: number = LIMITS.runsPerAlert): Query<PlaybookRunDoc | null> {
  return query(
    collection(db, 'playbookRuns').withConverter(typed<PlaybookRunDoc>(isRun)),
    where('alertId', '==', alertId),
    orderBy('createdAt', 'desc'),
    limit(max),
  );
}

/** riskIndex/current: the document the risk-index function rewrites every minute. */
export function currentRiskIndexRef(db: Firestore): DocumentReference<RiskIndexDoc | null> {
  return doc(db, 'riskIndex', 'current').withConverter(typed<RiskIndexDoc>(isRiskIndex));
}

/** The per-minute risk index timeline, newest first (composite: kind, bucketStart desc). */
export function riskTimelineQuery(db: Firestore, max: number = LIMITS.riskTimeline): Query<RiskIndexDoc | null> {
  return query(
    collection(db, 'riskIndex').withConverter(typed<RiskIndexDoc>(isRiskIndex)),
    where('kind', '==', 'minute'),
    orderBy('bucketStart', 'desc'),
    limit(max),
  );
}
