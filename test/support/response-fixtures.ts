// Valid alerts and threats written straight to Firestore, for the playbook and metrics suites:
// they exercise the alert and threat triggers without going through ingest. Each fixture is
// validated with the document's own schema, so a schema change shows here first.
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import type { EventType, Severity } from '../../functions/src/domain/event';
import { PROJECT_ID } from './emulators';
import { fireScheduledFunction } from '../../tools/schedules.mjs';
import { AlertDocSchema, ThreatDocSchema, type AlertDoc, type ThreatDoc } from '../../functions/src/firestore/schema';

export function alertDoc(
  fields: { eventType: EventType; sourceIp: string; severity: Severity } & Partial<AlertDoc>,
  at = new Date(),
): AlertDoc {
  const now = Timestamp.fromDate(at);
  return AlertDocSchema.parse({
    title: `${fields.eventType} from ${fields.sourceIp}`,
    status: 'OPEN',
    dedupKey: `test-${fields.sourceIp}-${fields.eventType}`,
    threatIds: [],
    eventIds: [],
    occurrences: 1,
    maxRiskScore: 80,
    mitre: [],
    firstSeen: now,
    lastSeen: now,
    assignee: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    resolvedBy: null,
    resolvedAt: null,
    resolutionNote: null,
    createdAt: now,
    updatedAt: now,
    ...fields,
  });
}

/** A minute of 2001 no other test uses: buckets of documents dated in it hold only one test's counts. */
export function privateMinute(): Date {
  const minutes = Math.floor(Math.random() * 365 * 24 * 60);
  return new Date(Date.UTC(2001, 0, 1) + minutes * 60_000 + 17_000);
}

export function threatDoc(
  fields: { eventId: string; eventType: EventType; sourceIp: string; severity: Severity; destinationIp?: string; country?: string },
  at = new Date(),
): ThreatDoc {
  const now = Timestamp.fromDate(at);
  return ThreatDocSchema.parse({
    event_id: fields.eventId,
    timestamp: at.toISOString(),
    event_type: fields.eventType,
    source_ip: fields.sourceIp,
    ...(fields.destinationIp && { destination_ip: fields.destinationIp }),
    payload: {},
    metadata: { fixture: true },
    occurredAt: now,
    geo: { ip: fields.sourceIp, zone: 'public', ...(fields.country && { country: fields.country }) },
    analysis: {
      engine: 'rules',
      summary: 'fixture',
      category: fields.eventType,
      confidence: 0.9,
      mitre: [],
      evidence: {},
      evidenceStrength: 0.5,
      recommendedActions: [],
    },
    risk: { score: 10, severity: fields.severity, factors: [{ name: 'fixture', contribution: 10, detail: 'fixture' }] },
    recentActivity: 0,
    messageId: `fixture-${fields.eventId}`,
    createdAt: now,
    expireAt: Timestamp.fromMillis(at.getTime() + 86_400_000),
  });
}

export async function writeAlert(db: Firestore, alertId: string, alert: AlertDoc): Promise<Timestamp> {
  const result = await db.collection('alerts').doc(alertId).create(alert);
  return result.writeTime;
}

/**
 * Fires a scheduled function on the Functions emulator now, as Cloud Scheduler does (an HTTP
 * POST to the function; tools/schedules.mjs, which also runs them on their schedules).
 */
export async function fireSchedule(functionId: string, region = 'us-central1'): Promise<void> {
  const host = process.env.FUNCTIONS_EMULATOR_HOST ?? '127.0.0.1:5001';
  await fireScheduledFunction({ functionsOrigin: `http://${host}`, projectId: PROJECT_ID, name: functionId, region });
}
