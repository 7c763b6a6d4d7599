// Alerts on the running emulators, for the suites that check what the pipeline opened, and the
// dependencies to run the alert transaction (functions/src/alerts/store.ts) in this process.
import type { AlertDeps } from '../../functions/src/alerts/store';
import { DEFAULT_RETENTION_DAYS, ShardCursor } from '../../functions/src/metrics/buckets';
import { firestore } from './emulators';

export async function alertsFromSource(sourceIp: string) {
  const snapshot = await firestore().collection('alerts').where('sourceIp', '==', sourceIp).get();
  return snapshot.docs.map((doc) => ({ id: doc.id, ...doc.data() }));
}

/** What the alert trigger and the analysis function are given, for calling openOrJoinAlert directly. */
export function directAlertDeps(): AlertDeps {
  const now = () => new Date();
  return {
    db: firestore() as never,
    dedupWindowMinutes: 15,
    now,
    metrics: { db: firestore() as never, now, cursor: new ShardCursor(), retentionDays: DEFAULT_RETENTION_DAYS },
  };
}
