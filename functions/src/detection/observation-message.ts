import { NormalizedEventSchema, type NormalizedEvent } from '@threatstream/events';
import { z } from 'zod';

/**
 * A security-observations message: one normalised event, or a batch of them
 * (`{"observations": [...]}`) from a publisher that lingers to send many per message, so the
 * functions run once per batch instead of once per observation.
 */
export const MAX_OBSERVATIONS_PER_MESSAGE = 1000;
export const ObservationBatchSchema = z.strictObject({
  observations: z.array(z.unknown()).min(1).max(MAX_OBSERVATIONS_PER_MESSAGE),
});

/** A batch's observation that is not a normalised event: where it was, what it was, and why. */
export interface InvalidObservation {
  index: number;
  item: unknown;
  reason: string;
}

export type ParsedObservations =
  | { ok: true; events: NormalizedEvent[]; invalid: InvalidObservation[] }
  | { ok: false; reason: string };

/** Parses a message; a bad observation in a batch is reported on its own and the rest still count. */
export function parseObservationMessage(data: Buffer): ParsedObservations {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const isBatch = typeof json === 'object' && json !== null && 'observations' in json;
  if (!isBatch) {
    const single = NormalizedEventSchema.safeParse(json);
    return single.success ? { ok: true, events: [single.data], invalid: [] } : { ok: false, reason: issues(single.error) };
  }
  const batch = ObservationBatchSchema.safeParse(json);
  if (!batch.success) return { ok: false, reason: `batch: ${issues(batch.error)}` };
  const events: NormalizedEvent[] = [];
  const invalid: InvalidObservation[] = [];
  batch.data.observations.forEach((item, index) => {
    const parsed = NormalizedEventSchema.safeParse(item);
    if (parsed.success) events.push(parsed.data);
    else invalid.push({ index, item, reason: issues(parsed.error) });
  });
  return { ok: true, events, invalid };
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`)
    .join('; ');
}
