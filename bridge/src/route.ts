import {
  INPUT_FORMATS,
  detectFormat,
  isInputFormat,
  parseRecord,
  toSecurityEvent,
  type InputFormat,
  type NormalizedEvent,
} from '@threatstream/events';
import { checkEnvelope } from './envelope.js';

/** Which Pub/Sub topic a parsed record goes to: alerts to the threat pipeline, the rest to detection. */
export type Destination = 'events' | 'observations';

/**
 * An alert is a message of its own, with attributes; an observation is only its bytes, gathered
 * with others into one batch message (batcher.ts), whose readers take everything from the event.
 */
export type OutgoingMessage =
  | { destination: 'events'; data: Buffer; attributes: Record<string, string> }
  | { destination: 'observations'; data: Buffer };

/**
 * What to do with one Kafka record:
 * - `passthrough`: our own JSON, published unchanged (the bridge's original, fastest path);
 * - `publish`: a record of another format, parsed once here into one or more messages;
 * - `reject`: dead-letter it with the reason.
 */
export type Route =
  | { kind: 'passthrough'; eventId: string; eventType?: string }
  | { kind: 'publish'; format: InputFormat; messages: OutgoingMessage[] }
  | { kind: 'reject'; format: InputFormat | 'unknown'; reason: string; detail: string };

export interface RouteOptions {
  /** The record's topic's format (BRIDGE_TOPIC_FORMATS), if mapped. */
  topicFormat?: InputFormat;
  /** The record's `format` header, as sent (validated here). */
  headerFormat?: string;
  /** Off: only our own JSON passes, as before adapters. */
  adapters: boolean;
}

/**
 * Decides a record's route. The format comes from the `format` header, else the topic's mapping,
 * else the record itself; our own JSON keeps the byte-level envelope check and is not decoded.
 */
export function routeRecord(value: Buffer | null | undefined, options: RouteOptions): Route {
  if (!options.adapters) return fromEnvelope(value);
  let format: InputFormat | undefined = options.topicFormat;
  if (options.headerFormat !== undefined) {
    const header = options.headerFormat.trim();
    if (!isInputFormat(header)) {
      return {
        kind: 'reject',
        format: 'unknown',
        reason: 'unknown_format',
        detail: `format header "${header.slice(0, 64)}" is not one of ${INPUT_FORMATS.join(', ')}`,
      };
    }
    format = header;
  }
  if (format === undefined || format === 'threatstream') {
    const envelope = checkEnvelope(value);
    if (envelope.ok || format === 'threatstream' || !value || envelope.reason === 'empty' || envelope.reason === 'too_large') {
      return fromEnvelope(value, envelope);
    }
    const text = value.toString('utf8');
    const detected = detectFormat(text);
    // Nothing recognisable (or our own JSON that failed its check): the envelope says why.
    if (detected === undefined || detected === 'threatstream') return fromEnvelope(value, envelope);
    return parse(text, detected);
  }
  if (!value || value.length === 0) return { kind: 'reject', format, reason: `${format}.empty`, detail: `${format}: record has no value` };
  return parse(value.toString('utf8'), format);
}

function fromEnvelope(value: Buffer | null | undefined, envelope = checkEnvelope(value)): Route {
  if (envelope.ok) {
    return envelope.eventType === undefined
      ? { kind: 'passthrough', eventId: envelope.eventId }
      : { kind: 'passthrough', eventId: envelope.eventId, eventType: envelope.eventType };
  }
  return { kind: 'reject', format: 'threatstream', reason: envelope.reason, detail: envelope.detail };
}

function parse(text: string, format: InputFormat): Route {
  let outcome: ReturnType<typeof parseRecord>;
  try {
    outcome = parseRecord(text, { format });
  } catch (error) {
    // An adapter bug must cost one record (dead-lettered, with the cause), never the bridge.
    return { kind: 'reject', format, reason: `${format}.adapter_error`, detail: `${format}: adapter failed: ${(error as Error).message}` };
  }
  if (!outcome.ok) return { kind: 'reject', format: outcome.format, reason: outcome.reason, detail: outcome.message };
  return { kind: 'publish', format: outcome.format, messages: outcome.events.map((event) => toMessage(event, outcome.format)) };
}

/** An alert becomes the design.md event with the normalised event attached; anything else an observation. */
export function toMessage(event: NormalizedEvent, format: InputFormat): OutgoingMessage {
  if (event.event.kind === 'alert') {
    const { metadata, ...rest } = toSecurityEvent(event);
    // The raw record travels once, in normalized.event.original (not again in metadata).
    const { original: _original, ...kept } = metadata ?? {};
    const securityEvent = { ...rest, metadata: kept, normalized: event };
    return {
      destination: 'events',
      data: Buffer.from(JSON.stringify(securityEvent)),
      attributes: { event_id: securityEvent.event_id, event_type: securityEvent.event_type, format, kind: 'alert' },
    };
  }
  return { destination: 'observations', data: Buffer.from(JSON.stringify(event)) };
}

/** A Kafka header's value as text (kafkajs gives a Buffer, a string, or an array of them). */
export function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}
