import type { DocumentReference, DocumentSnapshot } from 'firebase-admin/firestore';
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
