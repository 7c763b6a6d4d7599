// A share of bench/dashboard-latency.ts's fan-out clients, in a process of its own (forked with
// IPC): `count` independent `firebase` web-SDK clients (app, Auth session, Firestore instance),
// signed in as the same user on the Auth emulator, each listening to the dashboard's threat
// query. Reports 'ready' once every client has a snapshot from the server, then, for each threat
// added after that, the Date.now() at which each client's listener saw it.
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from 'firebase/auth';
import { collection, connectFirestoreEmulator, getFirestore, limit, onSnapshot, orderBy, query } from 'firebase/firestore';

const [countText, email, password] = process.argv.slice(2);
const COUNT = Number(countText);
/** The dashboard's stream (dashboard/src/lib/queries.ts latestThreatsQuery, LIMITS.threats). */
const STREAM_LIMIT = 100;
/** Reports are batched per threat: sent when every client saw it, or after this long. */
const FLUSH_MS = 1_000;

const send = (message: object) => process.send?.(message);

async function startClient(index: number, onSeen: (id: string, at: number) => void): Promise<{ app: FirebaseApp; stop: () => void }> {
  const app = initializeApp({ projectId: 'demo-threatstream', apiKey: 'demo-api-key' }, `fanout-${process.pid}-${index}`);
  const auth = getAuth(app);
  connectAuthEmulator(auth, 'http://127.0.0.1:9099', { disableWarnings: true });
  await signInWithEmailAndPassword(auth, email!, password!);
  const db = getFirestore(app);
  connectFirestoreEmulator(db, '127.0.0.1', 8080);
  let synced = false;
  let resolveSynced: () => void;
  const ready = new Promise<void>((resolve) => (resolveSynced = resolve));
  const stop = onSnapshot(
    query(collection(db, 'threats'), orderBy('createdAt', 'desc'), limit(STREAM_LIMIT)),
    (snapshot) => {
      const at = Date.now();
      if (!synced) {
        if (snapshot.metadata.fromCache) return;
        synced = true;
        resolveSynced();
        return;
      }
      for (const change of snapshot.docChanges()) if (change.type === 'added') onSeen(change.doc.id, at);
    },
    (error) => send({ type: 'error', message: `client ${index}: ${error.message}` }),
  );
  await ready;
  return { app, stop };
}

async function main() {
  const pending = new Map<string, { at: number[]; timer: NodeJS.Timeout }>();
  const flush = (id: string) => {
    const entry = pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(id);
    send({ type: 'seen', id, at: entry.at });
  };
  const onSeen = (id: string, at: number) => {
    let entry = pending.get(id);
    if (!entry) {
      entry = { at: [], timer: setTimeout(() => flush(id), FLUSH_MS) };
      pending.set(id, entry);
    }
    entry.at.push(at);
    if (entry.at.length >= COUNT) flush(id);
  };
  // Sign-ins and first snapshots a few at a time: the Auth emulator is one process too.
  const clients: { app: FirebaseApp; stop: () => void }[] = [];
  for (let i = 0; i < COUNT; i += 10) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(10, COUNT - i) }, (_, k) => startClient(i + k, onSeen)))));
  }
  send({ type: 'ready', clients: clients.length });
  const shutdown = async () => {
    for (const client of clients) client.stop();
    await Promise.allSettled(clients.map((client) => deleteApp(client.app)));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('disconnect', () => void shutdown());
}

main().catch((error: unknown) => {
  send({ type: 'error', message: String(error) });
  process.exit(1);
});
