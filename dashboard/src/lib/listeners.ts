// Every snapshot listener the dashboard holds, and what its last snapshot said about the
// connection. The header's connection state is derived from this registry and the browser's
// online/offline events; tests read the count to prove listeners are detached.

export interface ListenerHealth {
  /** Name shown when a listener fails ("threats", "alerts", ...). */
  name: string;
  /** No snapshot yet. */
  pending: boolean;
  /** The last snapshot came from the local cache: the backend has not confirmed it. */
  fromCache: boolean;
  /** At least one snapshot came from the server since the listener started. */
  everSynced: boolean;
  error: string | undefined;
}

type Observer = () => void;

class ListenerRegistry {
  private nextId = 1;
  private readonly listeners = new Map<number, ListenerHealth>();
  private readonly observers = new Set<Observer>();
  private version = 0;

  add(name: string): number {
    const id = this.nextId++;
    this.listeners.set(id, { name, pending: true, fromCache: false, everSynced: false, error: undefined });
    this.changed();
    return id;
  }

  update(id: string | number, patch: Partial<ListenerHealth>): void {
    const current = this.listeners.get(Number(id));
    if (!current) return;
    const next = { ...current, ...patch };
    if (next.pending === current.pending && next.fromCache === current.fromCache && next.error === current.error && next.everSynced === current.everSynced) return;
    this.listeners.set(Number(id), next);
    this.changed();
  }

  remove(id: number): void {
    if (this.listeners.delete(id)) this.changed();
  }

  get size(): number {
    return this.listeners.size;
  }

  all(): ListenerHealth[] {
    return [...this.listeners.values()];
  }

  /** For useSyncExternalStore: changes whenever any listener's health does. */
  snapshotVersion = (): number => this.version;

  subscribe = (observer: Observer): (() => void) => {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  };

  private changed(): void {
    this.version++;
    for (const observer of this.observers) observer();
  }
}

export const listenerRegistry = new ListenerRegistry();

declare global {
  interface Window {
    /** Read-only figures for tests and the curious: how many snapshot listeners are attached. */
    threatstream?: { activeListeners(): number; listenerNames(): string[] };
  }
}

if (typeof window !== 'undefined') {
  window.threatstream = {
    activeListeners: () => listenerRegistry.size,
    listenerNames: () => listenerRegistry.all().map((listener) => listener.name),
  };
}
