import { PubSub, type Topic } from '@google-cloud/pubsub';
import { onMessagePublished } from 'firebase-functions/pubsub';
import { CLOUD_AUDIT_LOGS_TOPIC, SECURITY_OBSERVATIONS_TOPIC } from '../config';
import { handleAuditLogMessage } from './audit-log';
import { SaturatedSources } from './saturated-sources';
import { incomingMessage, ingestDeps } from './trigger-deps';

const saturatedSources = new SaturatedSources();
let observations: Topic | undefined;

/** Pub/Sub cloud-audit-logs (a Cloud Logging sink) → threats, or observations on security-observations. */
export const auditLogs = onMessagePublished(
  { topic: CLOUD_AUDIT_LOGS_TOPIC, retry: true, memory: '1GiB', cpu: 1, concurrency: 80 },
  async (cloudEvent) => {
    const message = cloudEvent.data.message;
    observations ??= new PubSub().topic(SECURITY_OBSERVATIONS_TOPIC);
    const topic = observations;
    await handleAuditLogMessage(incomingMessage(message), {
      ingest: await ingestDeps(saturatedSources),
      publishObservation: (event) =>
        topic.publishMessage({
          data: Buffer.from(JSON.stringify(event)),
          attributes: { event_id: event.event.id, format: event.event.format, kind: 'event' },
        }),
    });
  },
);
