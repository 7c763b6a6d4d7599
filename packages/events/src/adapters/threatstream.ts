import { SecurityEventInputSchema } from '../security-event.js';
import type { NormalizedEvent } from '../schema.js';
import { failure, isoTimestamp, success, transport, truncate } from '../util.js';
import type { JsonAdapter } from './types.js';

/**
 * Our own event (design.md shape): already labelled by its producer, so always an alert, and
 * kept as it arrived so the threat pipeline sees exactly what it did before (toSecurityEvent).
 */
export const parseThreatstream: JsonAdapter = (record, raw) => {
  const result = SecurityEventInputSchema.safeParse(record);
  if (!result.success) {
    const detail = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    return failure('threatstream', 'invalid', `invalid event: ${detail}`);
  }
  const input = result.data;
  const event: NormalizedEvent = {
    '@timestamp': isoTimestamp(input.timestamp) ?? input.timestamp,
    event: {
      id: input.event_id.trim(),
      kind: 'alert',
      category: ['intrusion_detection'],
      type: ['info'],
      action: input.event_type,
      original: truncate(raw),
      format: 'threatstream',
      module: 'threatstream',
    },
    source: { ip: input.source_ip.trim() },
    threatstream: { event: record },
  };
  if (input.destination_ip !== undefined || input.destination_port !== undefined) {
    event.destination = {};
    if (input.destination_ip !== undefined) event.destination.ip = input.destination_ip.trim();
    if (input.destination_port !== undefined) event.destination.port = input.destination_port;
  }
  if (input.protocol) event.network = { transport: transport(input.protocol.trim()) };
  return success('threatstream', [event]);
};
