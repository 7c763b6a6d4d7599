import { getFirestore } from 'firebase-admin/firestore';
import { onMessagePublished } from 'firebase-functions/pubsub';
import { SECURITY_OBSERVATIONS_TOPIC, detectionCatalogCacheSeconds, threatstreamEnvironment } from '../config';
import { reject } from '../pipeline/ingest';
import { SaturatedSources } from '../pipeline/saturated-sources';
import { incomingMessage, ingestDeps } from '../pipeline/trigger-deps';
import * as log from '../logs';
import { EnvironmentSchema } from './catalog';
import { cachedCatalog } from './catalog-cache';
import { countExceptionHit, readRuntimeCatalog } from './catalog-read';
import { detectObservations, type Catalog } from './detect';
import { parseObservationMessage } from './observation-message';
import { WindowStore } from './window-store';
import { writeDetectionThreat } from './write-threat';

// Per instance: the catalog (30 s), the window store's group commit, flooding sources.
let windows: WindowStore | undefined;
let catalog: (() => Promise<Catalog>) | undefined;
const saturatedSources = new SaturatedSources();

/** Pub/Sub security-observations → detection rules over windows in Firestore → threats. */
export const onObservation = onMessagePublished(
  // Concurrency lets one instance group-commit many messages' windows into one transaction.
  { topic: SECURITY_OBSERVATIONS_TOPIC, retry: true, memory: '1GiB', cpu: 1, concurrency: 80 },
  async (cloudEvent) => {
    const message = cloudEvent.data.message;
    const db = getFirestore();
    windows ??= new WindowStore(db, { minIntervalMs: 1000, now: Date.now });
    const store = windows;
    catalog ??= cachedCatalog(() => readRuntimeCatalog(db, EnvironmentSchema.parse(threatstreamEnvironment.value()), Date.now()), Date.now, detectionCatalogCacheSeconds.value() * 1000);
    const readCatalog = catalog;
    const incoming = incomingMessage(message);
    const ingest = await ingestDeps(saturatedSources);
    const parsed = parseObservationMessage(incoming.data);
    // A message no retry can fix is kept in rejectedEvents with the reason, and acknowledged.
    if (!parsed.ok) {
      await reject(incoming, ingest, `observation: ${parsed.reason}`, []);
      return;
    }
    // A bad observation of a batch is kept (and counted) in rejectedEvents on its own, keyed by its
    // own bytes so a redelivered batch stores it once; the others go on.
    await Promise.all(
      parsed.invalid.map(({ index, item, reason }) =>
        reject(
          { ...incoming, data: Buffer.from(JSON.stringify(item)), attributes: { ...incoming.attributes, observation_index: String(index) } },
          ingest,
          `observation: observations.${index}: ${reason}`,
          [],
        ),
      ),
    );
    const outcome = await detectObservations(parsed.events, {
      catalog: readCatalog,
      applyGroup: (group, items) => store.apply(group, items),
      writeThreat: (detection, suppression) => writeDetectionThreat(detection, suppression, incoming.messageId, ingest),
      countExceptionHit: (id) => countExceptionHit(db, id),
      now: Date.now,
    });
    if (outcome.detections.length > 0) log.detectionsWritten(incoming.messageId, outcome.detections.map((d) => d.id), outcome.created, outcome.suppressed);
  },
);
