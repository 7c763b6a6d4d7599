import { PubSub, type Topic } from '@google-cloud/pubsub';
import { getFirestore } from 'firebase-admin/firestore';
import { onMessagePublished } from 'firebase-functions/pubsub';
import {
  CLOUD_AUDIT_LOGS_TOPIC,
  SECURITY_OBSERVATIONS_TOPIC,
  detectionConfig,
  maxRetryHours,
  threatRetentionDays,
} from '../config';
import { loadIpIntelligence } from '../domain/enrich/geoip';
import { handleAuditLogMessage } from './audit-log';
import { SaturatedSources } from './saturated-sources';

const saturatedSources = new SaturatedSources();
let observations: Topic | undefined;

/** Pub/Sub cloud-audit-logs (a Cloud Logging sink) → threats, or observations on security-observations. */
export const auditLogs = onMessagePublished(
  { topic: CLOUD_AUDIT_LOGS_TOPIC, retry: true, memory: '1GiB', cpu: 1, concurrency: 80 },
  async (cloudEvent) => {
    const message = cloudEvent.data.message;
    observations ??= new PubSub().topic(SECURITY_OBSERVATIONS_TOPIC);
    const topic = observations;
    await handleAuditLogMessage(
      {
        data: Buffer.from(message.data ?? '', 'base64'),
        messageId: message.messageId,
        publishTime: message.publishTime,
        attributes: message.attributes ?? {},
      },
      {
        ingest: {
          db: getFirestore(),
          intel: await loadIpIntelligence(),
          config: detectionConfig(),
          saturatedSources,
          retentionDays: threatRetentionDays.value(),
          maxRetryAgeMs: maxRetryHours.value() * 60 * 60 * 1000,
          now: () => new Date(),
        },
        publishObservation: (event) =>
          topic.publishMessage({
            data: Buffer.from(JSON.stringify(event)),
            attributes: { event_id: event.event.id, format: event.event.format, kind: 'event' },
          }),
      },
    );
  },
);
