import {
  onSnapshot,
  type DocumentData,
  type DocumentReference,
  type FirestoreDataConverter,
  type Query,
  type QueryDocumentSnapshot,
} from 'firebase/firestore';
import { useEffect, useState } from 'react';
import { listenerRegistry } from '../lib/listeners';
import type { WithId } from '../lib/types';

// Snapshot listeners as React state. Each hook attaches one listener when its query is set and
// detaches it when the query changes or the component unmounts (sign-out unmounts them all).
// Queries are built with a limit by the callers, so what a listener holds is bounded by the query
// itself; nothing here accumulates documents across snapshots.

export interface QueryState<T> {
  docs: WithId<T>[];
  /** Ids of documents added by the last snapshot (not the first one): for highlighting new rows. */
  added: ReadonlySet<string>;
  loaded: boolean;
  fromCache: boolean;
  error: string | undefined;
}

const EMPTY: ReadonlySet<string> = new Set();

/** A converter that keeps documents as stored, typed; the functions validated them on write. */
export function typed<T>(isValid: (data: DocumentData) => boolean = () => true): FirestoreDataConverter<T | null, DocumentData> {
  return {
    toFirestore: () => {
      throw new Error('the dashboard never writes to Firestore');
    },
    fromFirestore: (snapshot: QueryDocumentSnapshot) => {
      const data = snapshot.data();
      if (isValid(data)) return data as T;
      console.warn(`ignoring malformed document ${snapshot.ref.path}`);
      return null;
    },
  };
}

function describe(error: { code?: string; message: string }): string {
  if (error.code === 'permission-denied') return 'permission denied by the Firestore rules';
  if (error.code === 'failed-precondition') return `the query needs an index: ${error.message}`;
  return error.message;
}

/**
 * A listener is re-attached after this many documents were added to its results. Each added
 * document stays in the SDK's in-memory cache for as long as the backend has not told the
 * client that it left the query (the Firestore emulator never does for documents pushed out of
 * a limit, so a limit-100 stream grows by every document that ever entered it: about 3.5 kB per
 * threat). Re-attaching releases the old target, and the SDK's eager garbage collection drops
 * every document no other listener holds. The cost is one re-read of the query (at most its
 * limit: 100 reads per 500 threats received, on top of the 500 reads they cost anyway).
 */
export const RECYCLE_AFTER_ADDS = 500;

export function useQuerySnapshot<T>(name: string, query: Query<T | null> | null, recycleAfterAdds: number = RECYCLE_AFTER_ADDS): QueryState<T> {
  const [state, setState] = useState<QueryState<T>>({ docs: [], added: EMPTY, loaded: false, fromCache: false, error: undefined });

  useEffect(() => {
    setState({ docs: [], added: EMPTY, loaded: false, fromCache: false, error: undefined });
    if (!query) return;
    const id = listenerRegistry.add(name);
    let disposed = false;
    let unsubscribe: () => void = () => {};

    const attach = (recycled: boolean) => {
      let first = true;
      let adds = 0;
      unsubscribe = onSnapshot(
        query,
        { includeMetadataChanges: true },
        (snapshot) => {
          const fromCache = snapshot.metadata.fromCache;
          // A re-attached listener starts from a cache its predecessor just emptied: keep
          // showing the previous results until the server has answered.
          if (recycled && first && fromCache) return;
          listenerRegistry.update(id, { pending: false, fromCache, error: undefined, ...(!fromCache && { everSynced: true }) });
          const added = new Set<string>();
          if (!first) for (const change of snapshot.docChanges()) if (change.type === 'added') added.add(change.doc.id);
          first = false;
          adds += added.size;
          const docs: WithId<T>[] = [];
          for (const doc of snapshot.docs) {
            const data = doc.data();
            if (data !== null) docs.push({ id: doc.id, data });
          }
          setState({ docs, added: added.size > 0 ? added : EMPTY, loaded: true, fromCache, error: undefined });
          if (adds >= recycleAfterAdds) {
            adds = -Infinity;
            setTimeout(() => {
              if (disposed) return;
              unsubscribe();
              listenerRegistry.recycles++;
              attach(true);
            }, 0);
          }
        },
        (error) => {
          listenerRegistry.update(id, { pending: false, error: describe(error) });
          setState((previous) => ({ ...previous, loaded: true, error: describe(error) }));
        },
      );
    };
    attach(false);

    return () => {
      disposed = true;
      unsubscribe();
      listenerRegistry.remove(id);
    };
    // The query object is the dependency: callers memoise it on what it depends on.
  }, [name, query, recycleAfterAdds]);

  return state;
}

export interface DocState<T> {
  data: T | undefined;
  loaded: boolean;
  fromCache: boolean;
  error: string | undefined;
}

export function useDocSnapshot<T>(name: string, ref: DocumentReference<T | null> | null): DocState<T> {
  const [state, setState] = useState<DocState<T>>({ data: undefined, loaded: false, fromCache: false, error: undefined });

  useEffect(() => {
    setState({ data: undefined, loaded: false, fromCache: false, error: undefined });
    if (!ref) return;
    const id = listenerRegistry.add(name);
    const unsubscribe = onSnapshot(
      ref,
      { includeMetadataChanges: true },
      (snapshot) => {
        const fromCache = snapshot.metadata.fromCache;
        listenerRegistry.update(id, { pending: false, fromCache, error: undefined, ...(!fromCache && { everSynced: true }) });
        setState({ data: snapshot.data() ?? undefined, loaded: true, fromCache, error: undefined });
      },
      (error) => {
        listenerRegistry.update(id, { pending: false, error: describe(error) });
        setState((previous) => ({ ...previous, loaded: true, error: describe(error) }));
      },
    );
    return () => {
      unsubscribe();
      listenerRegistry.remove(id);
    };
  }, [name, ref]);

  return state;
}
