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
// itself; nothing here accumulates documents across snapshots (and the SDK's cache is set to
// eager garbage collection in lib/firebase.ts, so the SDK does not either).

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

export function useQuerySnapshot<T>(name: string, query: Query<T | null> | null): QueryState<T> {
  const [state, setState] = useState<QueryState<T>>({ docs: [], added: EMPTY, loaded: false, fromCache: false, error: undefined });

  useEffect(() => {
    setState({ docs: [], added: EMPTY, loaded: false, fromCache: false, error: undefined });
    if (!query) return;
    const id = listenerRegistry.add(name);
    let first = true;
    const unsubscribe = onSnapshot(
      query,
      { includeMetadataChanges: true },
      (snapshot) => {
        const fromCache = snapshot.metadata.fromCache;
        listenerRegistry.update(id, { pending: false, fromCache, error: undefined, ...(!fromCache && { everSynced: true }) });
        const added = new Set<string>();
        if (!first) for (const change of snapshot.docChanges()) if (change.type === 'added') added.add(change.doc.id);
        first = false;
        const docs: WithId<T>[] = [];
        for (const doc of snapshot.docs) {
          const data = doc.data();
          if (data !== null) docs.push({ id: doc.id, data });
        }
        setState({ docs, added: added.size > 0 ? added : EMPTY, loaded: true, fromCache, error: undefined });
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
    // The query object is the dependency: callers memoise it on what it depends on.
  }, [name, query]);

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
