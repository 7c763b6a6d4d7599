import { NormalizedEventSchema } from '@threatstream/events';
import { onMessagePublished } from 'firebase-functions/pubsub';
import { SECURITY_OBSERVATIONS_TOPIC } from '../config';
import * as log from '../logs';
import { countObservation } from './counters';
import { metricsDeps } from './runtime';

/** Pub/Sub security-observations → observations counted by format and source (never stored as threats). */
export const onObservation = onMessagePublished({ topic: SECURITY_OBSERVATIONS_TOPIC, retry: true }, async (cloudEvent) => {
  const message = cloudEvent.data.message;
  await countObservationMessage(Buffer.from(message.data ?? '', 'base64'), message.messageId, metricsDeps());
});

/** Counts one observation message; an invalid one is logged and acknowledged (retrying cannot fix it). */
export async function countObservationMessage(
  data: Buffer,
  messageId: string,
  deps: Parameters<typeof countObservation>[1],
): Promise<'counted' | 'duplicate' | 'invalid'> {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch (error) {
    log.observationInvalid(messageId, `not JSON: ${(error as Error).message}`);
    return 'invalid';
  }
  const parsed = NormalizedEventSchema.safeParse(json);
  if (!parsed.success) {
    log.observationInvalid(messageId, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return 'invalid';
  }
  return countObservation(parsed.data, deps);
}
