import { MAX_EVENT_BYTES } from '../../domain/event';
import * as log from '../../logs';
import { PayloadTooLarge } from '../errors';
import { defineRoute } from '../route';
import { SecurityEventBodySchema, SimulatedEventSchema } from '../schemas';

export const simulateEventRoute = defineRoute({
  method: 'post',
  path: '/api/simulate/event',
  operationId: 'simulateEvent',
  summary: 'Publish a security event to the pipeline',
  description:
    'Admin only, on the emulator as in production. Validates the event with the same schema ingest uses, then publishes it unchanged to the Pub/Sub topic security-events — the path production events take — and answers with the Pub/Sub message id. The threat appears shortly after, at GET /api/threats/{event_id}.',
  tags: ['simulate'],
  access: 'admin',
  rateLimit: 'simulate',
  request: { body: { schema: SecurityEventBodySchema, required: true, description: 'A security event as producers send it.' } },
  responses: { 202: { description: 'Published; ingest will process it.', schema: SimulatedEventSchema } },
  handler: async ({ deps, req, body, caller }) => {
    // The producer's bytes, not the normalised event: ingest validates and normalises them again,
    // exactly as it does for events from the bridge.
    const data = Buffer.from(JSON.stringify(req.body));
    if (data.byteLength > MAX_EVENT_BYTES) throw new PayloadTooLarge(MAX_EVENT_BYTES);
    const messageId = await deps.publisher.publish(data, {
      event_id: body.event_id,
      source: 'api.simulate',
      submitted_by: caller!.uid,
    });
    log.eventSimulated(body.event_id, messageId, caller!.uid);
    return { status: 202, json: { messageId, eventId: body.event_id } };
  },
});
