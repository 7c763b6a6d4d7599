import { onMessagePublished } from 'firebase-functions/pubsub';
import { SECURITY_EVENTS_TOPIC } from '../config';
import { ingestMessage } from './ingest';
import { SaturatedSources } from './saturated-sources';
import { incomingMessage, ingestDeps } from './trigger-deps';

const saturatedSources = new SaturatedSources();

/** Pub/Sub security-events → threats/{id}. Redelivered on failure; idempotent by event id. */
export const ingest = onMessagePublished(
  {
    topic: SECURITY_EVENTS_TOPIC,
    retry: true,
    // The GeoIP and ASN tables are held in memory by every instance.
    memory: '1GiB',
    cpu: 1,
    concurrency: 80,
  },
  async (cloudEvent) => {
    const message = cloudEvent.data.message;
    await ingestMessage(incomingMessage(message), await ingestDeps(saturatedSources));
  },
);

export { auditLogs } from './audit-log.function';
