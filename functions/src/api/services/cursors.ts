import type { DocumentReference, DocumentSnapshot, Query, QueryDocumentSnapshot } from 'firebase-admin/firestore';
import { InvalidArgument } from '../errors';

// Cursors for lists ordered by a field other than the document id (runs, alerts, approvals): the
// last document's id, opaque to clients; Firestore starts after that document's snapshot.

export function encodeIdCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

/** The document a cursor names, to start after; 400 if it is not one of ours or has gone since. */
export async function documentAfter<T>(
  cursor: string,
  ref: (id: string) => DocumentReference<T>,
  what: string,
): Promise<DocumentSnapshot<T>> {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  const usable = /^[^/]{1,128}$/.test(id) && id !== '.' && id !== '..' && !/^__.*__$/.test(id);
  const after = usable ? await ref(id).get() : undefined;
  if (!after?.exists) {
    throw new InvalidArgument(`invalid query: cursor: not a cursor returned by this API (or its ${what} has gone)`, [
      { path: 'query.cursor', message: 'unknown cursor' },
    ]);
  }
  return after;
}

/**
 * A page of `query` (its order set, its limit one more than `limit`, which tells whether another
 * page follows), starting after the document `cursor` names.
 */
export async function pageAfterCursor<T>(
  query: Query<T>,
  page: { limit: number; cursor?: string | undefined; ref: (id: string) => DocumentReference<T>; what: string },
): Promise<{ docs: QueryDocumentSnapshot<T>[]; nextCursor: string | null }> {
  const after = page.cursor ? query.startAfter(await documentAfter(page.cursor, page.ref, page.what)) : query;
  const snapshot = await after.get();
  const docs = snapshot.docs.slice(0, page.limit);
  const last = docs.at(-1);
  return { docs, nextCursor: snapshot.docs.length > page.limit && last ? encodeIdCursor(last.id) : null };
}
