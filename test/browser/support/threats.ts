// Threat documents written through the pipeline's own ingest code (functions/src/pipeline/ingest.ts)
// run in this process against the Firestore emulator: the same documents the ingest function
// writes, without Pub/Sub in between. For load (2,000 threats) and latency figures, where the
// time of the write must be known: `now()` stamps createdAt just before the document is created.
import { randomUUID } from 'node:crypto';
import { DEFAULT_DETECTION_CONFIG } from '../../../functions/src/domain/config';
import { ingestMessage, type IngestDeps } from '../../../functions/src/pipeline/ingest';
import { SaturatedSources } from '../../../functions/src/pipeline/saturated-sources';
import { firestore } from '../../support/emulators';
import { incomingMessage } from '../../support/events';
import { STUB_INTEL } from '../../support/threat-fixtures';

export interface WrittenThreat {
  threatId: string;
  eventId: string;
  /** Date.now() when the threat's createdAt was stamped, just before its create. */
  writtenAt: number;
}

/** LOW-severity port scans from a documentation address: no alert, no model call. */
export function quietEvent(eventId: string): object {
  return {
    event_id: eventId,
    timestamp: new Date().toISOString(),
    event_type: 'port_scan',
    source_ip: '198.51.100.7',
    destination_ip: '10.0.0.42',
    protocol: 'TCP',
    payload: { ports: [22, 80] },
  };
}

export async function writeThreat(event: object): Promise<WrittenThreat> {
  let writtenAt = 0;
  const deps: IngestDeps = {
    db: firestore(),
    intel: STUB_INTEL,
    config: DEFAULT_DETECTION_CONFIG,
    saturatedSources: new SaturatedSources(),
    retentionDays: 1,
    maxRetryAgeMs: 60_000,
    now: () => {
      writtenAt = Date.now();
      return new Date(writtenAt);
    },
  };
  const outcome = await ingestMessage(
    incomingMessage(event, `browser-${randomUUID()}`),
    deps,
  );
  if (outcome.outcome !== 'created') throw new Error(`threat not created: ${JSON.stringify(outcome)}`);
  return { threatId: outcome.threatId, eventId: (event as { event_id: string }).event_id, writtenAt };
}

/** Writes `count` threats, `concurrency` at a time. */
export async function writeThreats(prefix: string, count: number, concurrency = 20, make = quietEvent): Promise<WrittenThreat[]> {
  const written: WrittenThreat[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        written.push(await writeThreat(make(`${prefix}-${String(index).padStart(5, '0')}`)));
      }
    }),
  );
  return written;
}
