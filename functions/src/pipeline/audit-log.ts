import { parseRecord, toSecurityEvent, type NormalizedEvent } from '@threatstream/events';
import * as log from '../logs';
import { ingestMessage, reject, type IncomingMessage, type IngestDeps, type IngestOutcome } from './ingest';

export interface AuditLogDeps {
  ingest: IngestDeps;
  /** Publishes an observation to security-observations; resolves once Pub/Sub stored it. */
  publishObservation: (observation: NormalizedEvent) => Promise<unknown>;
}

export type AuditLogOutcome =
  | { outcome: 'parsed'; threats: IngestOutcome[]; observations: number }
  | { outcome: 'rejected'; reason: string };

/**
 * One message of a Cloud Logging sink (a LogEntry of a Google Cloud audit log), parsed once:
 * an alert becomes a threat through the ingest path, anything else an observation. A message
 * that is not a valid audit LogEntry is kept in rejectedEvents with a reason naming the format.
 * Throws on transient failures, so the trigger's retry redelivers; both paths are idempotent
 * (threat ids and observation counts derive from the entry's insertId).
 */
export async function handleAuditLogMessage(message: IncomingMessage, deps: AuditLogDeps): Promise<AuditLogOutcome> {
  const parsed = parseRecord(message.data.toString('utf8'), { format: 'gcp-audit' });
  if (!parsed.ok) {
    const outcome = await reject(message, deps.ingest, `${parsed.reason}: ${parsed.message}`, [{ path: '(root)', message: parsed.message }]);
    return { outcome: 'rejected', reason: outcome.outcome === 'rejected' ? outcome.reason : parsed.reason };
  }
  const threats: IngestOutcome[] = [];
  let observations = 0;
  for (const event of parsed.events) {
    if (event.event.kind === 'alert') {
      const securityEvent = { ...toSecurityEvent(event), normalized: event };
      threats.push(
        await ingestMessage(
          {
            ...message,
            data: Buffer.from(JSON.stringify(securityEvent)),
            attributes: { ...message.attributes, event_id: securityEvent.event_id, format: parsed.format },
          },
          deps.ingest,
        ),
      );
    } else {
      await deps.publishObservation(event);
      observations++;
    }
  }
  log.auditLogParsed(message.messageId, threats.length, observations);
  return { outcome: 'parsed', threats, observations };
}
