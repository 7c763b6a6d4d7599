import { useSyncExternalStore } from 'react';
import { listenerRegistry } from '../lib/listeners';

export type ConnectionState = 'live' | 'connecting' | 'reconnecting' | 'offline';

function subscribeOnline(callback: () => void): () => void {
  window.addEventListener('online', callback);
  window.addEventListener('offline', callback);
  return () => {
    window.removeEventListener('online', callback);
    window.removeEventListener('offline', callback);
  };
}

/**
 * What the header says about the connection: offline (the browser says so), reconnecting (a
 * listener that had synced with the backend is now answering from its cache), connecting (no
 * server snapshot yet), or live.
 */
export function useConnection(): ConnectionState {
  const online = useSyncExternalStore(subscribeOnline, () => navigator.onLine);
  useSyncExternalStore(listenerRegistry.subscribe, listenerRegistry.snapshotVersion);
  if (!online) return 'offline';
  const listeners = listenerRegistry.all().filter((listener) => listener.error === undefined);
  if (listeners.some((listener) => listener.everSynced && listener.fromCache)) return 'reconnecting';
  if (listeners.some((listener) => listener.pending || !listener.everSynced)) return 'connecting';
  return 'live';
}
