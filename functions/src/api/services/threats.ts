import { AggregateField, FieldPath, Timestamp, type Firestore, type Query } from 'firebase-admin/firestore';
import { z } from 'zod';
import { EVENT_TYPES, SEVERITIES, type EventType, type Severity } from '../../domain/event';
import { threatIdFor, threatRef, threatsCollection } from '../../firestore/refs';
import type { ThreatDoc } from '../../firestore/schema';
import { InvalidArgument } from '../errors';
import type { ThreatStats } from '../schemas';

export interface ThreatRecord {
  id: string;
  doc: ThreatDoc;
}

// ---- cursors: opaque to clients, a position (createdAt, document id) in newest-first order ----

// Seconds within Timestamp's range (years 1-9999); the id a valid document id.
const CursorSchema = z.object({
  s: z.number().int().min(-62_135_596_800).max(253_402_300_799),
  n: z.number().int().min(0).max(999_999_999),
  id: z
    .string()
    .regex(/^[^/]{1,128}$/)
    .refine((id) => id !== '.' && id !== '..' && !/^__.*__$/.test(id)),
});
type Cursor = z.infer<typeof CursorSchema>;

export function encodeCursor(record: ThreatRecord): string {
  const cursor: Cursor = { s: record.doc.createdAt.seconds, n: record.doc.createdAt.nanoseconds, id: record.id };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(value: string): Cursor {
  try {
    return CursorSchema.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidArgument('invalid query: cursor: not a cursor returned by this API', [
      { path: 'query.cursor', message: 'not a cursor returned by this API' },
    ]);
  }
}

/** Newest first by createdAt (document id breaking ties), optionally one severity, paginated. */
export async function recentThreats(
  db: Firestore,
  options: { limit: number; severity?: Severity; cursor?: string },
): Promise<{ threats: ThreatRecord[]; nextCursor: string | null }> {
  let query: Query<ThreatDoc> = threatsCollection(db);
  if (options.severity) query = query.where('risk.severity', '==', options.severity);
  query = query.orderBy('createdAt', 'desc').orderBy(FieldPath.documentId(), 'desc');
  if (options.cursor) {
    const cursor = decodeCursor(options.cursor);
    query = query.startAfter(new Timestamp(cursor.s, cursor.n), cursor.id);
  }
  // One more than asked tells whether another page exists without a second query.
  const snapshot = await query.limit(options.limit + 1).get();
  const records = snapshot.docs.map((doc) => ({ id: doc.id, doc: doc.data() }));
  const page = records.slice(0, options.limit);
  const last = page[page.length - 1];
  return { threats: page, nextCursor: records.length > options.limit && last ? encodeCursor(last) : null };
}

/** Document ids Firestore refuses outright; such an id can only be an event id. */
function isUsableDocumentId(id: string): boolean {
  return id !== '.' && id !== '..' && !/^__.*__$/.test(id) && Buffer.byteLength(id) <= 1500;
}

/**
 * A threat by the event id producers know (stored under threatIdFor(event_id)), or by its
 * document id. Both are single-document reads.
 */
export async function findThreat(db: Firestore, id: string): Promise<ThreatRecord | undefined> {
  const byEventId = threatIdFor(id);
  const candidates = [byEventId, ...(isUsableDocumentId(id) && id !== byEventId ? [id] : [])];
  const refs = candidates.map((candidate) => threatRef(db, candidate));
  const snapshots = await db.getAll(...refs);
  for (const snapshot of snapshots) {
    const doc = snapshot.data() as ThreatDoc | undefined;
    if (doc) return { id: snapshot.id, doc };
  }
  return undefined;
}

const WINDOW_MS: Record<Exclude<ThreatStats['window'], 'all'>, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

/**
 * Counts by severity and by type, and the risk score's sum and average, over the threats created
 * in the window: Firestore aggregation queries, billed per 1,000 index entries, never a read of
 * every threat. The queries run in parallel.
 */
export async function threatStats(db: Firestore, window: ThreatStats['window'], now: Date): Promise<ThreatStats> {
  const since = window === 'all' ? undefined : new Date(now.getTime() - WINDOW_MS[window]);
  let base: Query<ThreatDoc> = threatsCollection(db);
  if (since) base = base.where('createdAt', '>=', Timestamp.fromDate(since));

  const overall = base
    .aggregate({
      total: AggregateField.count(),
      sum: AggregateField.sum('risk.score'),
      average: AggregateField.average('risk.score'),
    })
    .get();
  const bySeverity = Promise.all(
    SEVERITIES.map(async (severity) => [severity, (await base.where('risk.severity', '==', severity).count().get()).data().count] as const),
  );
  const byType = Promise.all(
    EVENT_TYPES.map(async (type) => [type, (await base.where('event_type', '==', type).count().get()).data().count] as const),
  );
  const [totals, severities, types] = await Promise.all([overall, bySeverity, byType]);
  const data = totals.data();
  return {
    window,
    since: since ? since.toISOString() : null,
    generatedAt: now.toISOString(),
    total: data.total,
    bySeverity: Object.fromEntries(severities) as Record<Severity, number>,
    byEventType: Object.fromEntries(types) as Record<EventType, number>,
    riskScore: { sum: data.sum ?? 0, average: data.total > 0 ? (data.average ?? null) : null },
  };
}
