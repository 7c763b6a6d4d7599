import { createHash } from 'node:crypto';
import type {
  CollectionReference,
  DocumentData,
  DocumentReference,
  Firestore,
  FirestoreDataConverter,
  QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import type { z } from 'zod';
import {
  AlertDedupDocSchema,
  AlertDocSchema,
  RejectedEventDocSchema,
  ThreatDocSchema,
  type AlertDedupDoc,
  type AlertDoc,
  type RejectedEventDoc,
  type ThreatDoc,
} from './schema';

export const COLLECTIONS = {
  threats: 'threats',
  alerts: 'alerts',
  alertDedup: 'alertDedup',
  rejectedEvents: 'rejectedEvents',
} as const;

/** Validates every document read, so a malformed document fails loudly where it is read. */
function zodConverter<Schema extends z.ZodType<DocumentData>>(
  schema: Schema,
): FirestoreDataConverter<z.infer<Schema>> {
  return {
    toFirestore: (value) => value as DocumentData,
    fromFirestore: (snapshot: QueryDocumentSnapshot) => schema.parse(snapshot.data()),
  };
}

const threatConverter = zodConverter(ThreatDocSchema);
const alertConverter = zodConverter(AlertDocSchema);
const alertDedupConverter = zodConverter(AlertDedupDocSchema);
const rejectedEventConverter = zodConverter(RejectedEventDocSchema);

/**
 * Threat document id for an event id. Producers often use sequential ids (evt-000001, ...),
 * which would send every write to one Firestore tablet; a hash spreads them. The event id stays
 * a field, which the API queries.
 */
export function threatIdFor(eventId: string): string {
  return createHash('sha256').update(eventId).digest('hex').slice(0, 32);
}

export function threatsCollection(db: Firestore): CollectionReference<ThreatDoc> {
  return db.collection(COLLECTIONS.threats).withConverter(threatConverter);
}
export function threatRef(db: Firestore, threatId: string): DocumentReference<ThreatDoc> {
  return threatsCollection(db).doc(threatId);
}

export function alertsCollection(db: Firestore): CollectionReference<AlertDoc> {
  return db.collection(COLLECTIONS.alerts).withConverter(alertConverter);
}
export function alertRef(db: Firestore, alertId: string): DocumentReference<AlertDoc> {
  return alertsCollection(db).doc(alertId);
}

export function alertDedupRef(db: Firestore, dedupKey: string): DocumentReference<AlertDedupDoc> {
  return db.collection(COLLECTIONS.alertDedup).withConverter(alertDedupConverter).doc(dedupKey);
}

export function rejectedEventsCollection(db: Firestore): CollectionReference<RejectedEventDoc> {
  return db.collection(COLLECTIONS.rejectedEvents).withConverter(rejectedEventConverter);
}
