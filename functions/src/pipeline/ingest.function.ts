import { getFirestore } from 'firebase-admin/firestore';
import { onMessagePublished } from 'firebase-functions/pubsub';
import { SECURITY_EVENTS_TOPIC, detectionConfig, maxRetryHours, threatRetentionDays } from '../config';
import { loadIpIntelligence } from '../domain/enrich/geoip';
import { ingestMessage } from './ingest';
import { SaturatedSources } from './saturated-sources';

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
    await ingestMessage(
      {
        data: Buffer.from(message.data ?? '', 'base64'),
        messageId: message.messageId,
        publishTime: message.publishTime,
        attributes: message.attributes ?? {},
      },
      {
        db: getFirestore(),
        intel: await loadIpIntelligence(),
        config: detectionConfig(),
        saturatedSources,
        retentionDays: threatRetentionDays.value(),
        maxRetryAgeMs: maxRetryHours.value() * 60 * 60 * 1000,
        now: () => new Date(),
      },
    );
  },
);

export { auditLogs } from './audit-log.function';
