/**
 * The transport check the bridge makes before handing a Kafka message to Pub/Sub.
 *
 * It is deliberately much weaker than the event schema (functions/src/domain/event.ts): the
 * bridge only refuses what could never become a threat document — bytes that are not a JSON
 * object, or that have no usable `event_id` (the functions' idempotency key and document id),
 * or that are over the event size limit. Everything else goes through unchanged and the
 * functions decide, with their own dead-letter path for schema errors.
 *
 * The limits mirror the event schema's: MAX_EVENT_BYTES and the event_id rules (1-128
 * characters after trimming, no "/"). tools/simulator/scenarios.test.ts checks they agree.
 */
export const MAX_EVENT_BYTES = 64 * 1024;
export const MAX_EVENT_ID_LENGTH = 128;
/** Pub/Sub attribute values are limited to 1024 bytes; event_type is short anyway. */
const MAX_EVENT_TYPE_LENGTH = 64;

export type EnvelopeRejection =
  | 'empty'
  | 'too_large'
  | 'not_json'
  | 'not_object'
  | 'missing_event_id'
  | 'invalid_event_id';

export type EnvelopeResult =
  | { ok: true; eventId: string; eventType?: string }
  | { ok: false; reason: EnvelopeRejection; detail: string };

export function checkEnvelope(value: Buffer | null | undefined): EnvelopeResult {
  if (!value || value.length === 0) return reject('empty', 'message has no value');
  if (value.length > MAX_EVENT_BYTES) {
    return reject('too_large', `message is ${value.length} bytes, over the ${MAX_EVENT_BYTES}-byte limit`);
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return reject('not_json', `not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const kind = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
    return reject('not_object', `event must be a JSON object, got ${kind}`);
  }
  const record = json as Record<string, unknown>;
  if (!('event_id' in record) || record.event_id === undefined || record.event_id === null) {
    return reject('missing_event_id', 'event_id is missing');
  }
  if (typeof record.event_id !== 'string') {
    return reject('invalid_event_id', `event_id must be a string, got ${typeof record.event_id}`);
  }
  const eventId = record.event_id.trim();
  if (eventId.length === 0) return reject('invalid_event_id', 'event_id is empty');
  if (eventId.length > MAX_EVENT_ID_LENGTH) {
    return reject('invalid_event_id', `event_id is longer than ${MAX_EVENT_ID_LENGTH} characters`);
  }
  if (eventId.includes('/')) return reject('invalid_event_id', 'event_id must not contain "/"');

  const type = record.event_type;
  const eventType =
    typeof type === 'string' && type.trim().length > 0 && type.length <= MAX_EVENT_TYPE_LENGTH ? type.trim() : undefined;
  return eventType === undefined ? { ok: true, eventId } : { ok: true, eventId, eventType };
}

function reject(reason: EnvelopeRejection, detail: string): EnvelopeResult {
  return { ok: false, reason, detail };
}
