import { getFirestore } from 'firebase-admin/firestore';
import { detectionConfig, maxRetryHours, threatRetentionDays } from '../config';
import { loadIpIntelligence } from '../domain/enrich/geoip';
import type { IncomingMessage, IngestDeps } from './ingest';
import type { SaturatedSources } from './saturated-sources';

/** A Pub/Sub trigger's message as the ingest path reads it. */
export function incomingMessage(message: { data?: string; messageId: string; publishTime: string; attributes?: Record<string, string> }): IncomingMessage {
  return {
    data: Buffer.from(message.data ?? '', 'base64'),
    messageId: message.messageId,
    publishTime: message.publishTime,
    attributes: message.attributes ?? {},
  };
}

/** What writing a threat needs in a deployed function: Firestore, the IP tables, params, this instance's saturation tracker. */
export async function ingestDeps(saturatedSources: SaturatedSources): Promise<IngestDeps> {
  return {
    db: getFirestore(),
    intel: await loadIpIntelligence(),
    config: detectionConfig(),
    saturatedSources,
    retentionDays: threatRetentionDays.value(),
    maxRetryAgeMs: maxRetryHours.value() * 60 * 60 * 1000,
    now: () => new Date(),
  };
}
