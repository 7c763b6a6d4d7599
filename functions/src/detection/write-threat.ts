import { parseEvent } from '../domain/event';
import { storeThreat, type IngestDeps } from '../pipeline/ingest';
import type { Detection } from './detection';
import type { Suppression } from './exceptions';
import { assessDetection, detectionToEvent } from './to-threat';

/**
 * A detection as a threat, through ingest's own write (threat and sighting in one batch, created
 * once per event id = detection id), with the rule's analysis and, if an exception covers it, the
 * suppression. Alerts and playbooks then act on it as on any threat.
 */
export async function writeDetectionThreat(
  detection: Detection,
  suppression: Suppression | undefined,
  messageId: string,
  deps: IngestDeps,
): Promise<'created' | 'duplicate' | 'rejected'> {
  const input = detectionToEvent(detection);
  const parsed = parseEvent(input);
  if (!parsed.ok) throw new Error(`detection ${detection.id} does not make a valid event: ${parsed.reason}`);
  const data = Buffer.from(JSON.stringify(input));
  const outcome = await storeThreat(
    parsed.event,
    { data, messageId, publishTime: new Date(deps.now()).toISOString(), attributes: { event_id: detection.id } },
    deps,
    {
      assess: (recentActivity) => assessDetection(detection, { intel: deps.intel, config: deps.config, recentActivity }).assessment,
      ...(suppression !== undefined && { suppression }),
    },
  );
  return outcome.outcome;
}
