import { onMessagePublished } from 'firebase-functions/pubsub';
import { SECURITY_OBSERVATIONS_TOPIC } from '../config';
import { parseObservationMessage } from '../detection/observation-message';
import * as log from '../logs';
import { countObservations } from './counters';
import { metricsDeps } from './runtime';

/** Pub/Sub security-observations → observations counted by format and source (never stored as threats). */
export const onObservation = onMessagePublished({ topic: SECURITY_OBSERVATIONS_TOPIC, retry: true }, async (cloudEvent) => {
  const message = cloudEvent.data.message;
  await countObservationMessage(Buffer.from(message.data ?? '', 'base64'), message.messageId, metricsDeps());
});

/** Counts a message's valid observations together; an invalid one is logged and acknowledged (retrying cannot fix it). */
export async function countObservationMessage(
  data: Buffer,
  messageId: string,
  deps: Parameters<typeof countObservations>[1],
): Promise<'counted' | 'duplicate' | 'invalid'> {
  const parsed = parseObservationMessage(data);
  if (!parsed.ok) {
    log.observationInvalid(messageId, parsed.reason);
    return 'invalid';
  }
  for (const { index, reason } of parsed.invalid) log.observationInvalid(messageId, `observations.${index}: ${reason}`);
  return parsed.events.length > 0 ? countObservations(parsed.events, deps) : 'invalid';
}
