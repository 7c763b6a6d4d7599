import { isIP } from 'node:net';
import { EVENT_TYPES, EventTypeSchema, NormalizedEventSchema, SEVERITIES, SeveritySchema, type EventType, type Severity } from '@threatstream/events';
import { z } from 'zod';

/**
 * Event types the rules engine knows: the events package's list, the one source of it (its
 * sensor classification emits exactly these). Anything else is ingested as `unknown`, with the
 * type as sent kept in `metadata.original_event_type`, never dropped.
 */
export { EVENT_TYPES, EventTypeSchema, type EventType };
/** Our severity scale, shared with the adapters and the dashboard through the events package. */
export { SEVERITIES, SeveritySchema, type Severity };

/** Larger events are rejected: a security event is a few hundred bytes, not a file upload. */
export const MAX_EVENT_BYTES = 64 * 1024;

/** Firestore Timestamps hold 0001-01-01T00:00:00Z through 9999-12-31T23:59:59.999Z, UTC. */
export const FIRESTORE_MIN_MILLIS = Date.parse('0001-01-01T00:00:00Z');
export const FIRESTORE_MAX_MILLIS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * An ISO 8601 date-time with an offset whose instant Firestore can store: a year 0000, or an
 * offset that moves 0001-01-01 or 9999-12-31 out of range, would fail the write and be retried.
 */
const TimestampSchema = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
  .refine(
    (value) => {
      const millis = Date.parse(value);
      // Not a date at all is the format check's issue, reported once there.
      return Number.isNaN(millis) || (millis >= FIRESTORE_MIN_MILLIS && millis <= FIRESTORE_MAX_MILLIS);
    },
    { message: 'must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z once its offset is applied (Firestore cannot store other instants)' },
  );

const IpSchema = z
  .string()
  .trim()
  .refine((value) => isIP(value) !== 0, { message: 'must be an IPv4 or IPv6 address' });

const KNOWN_FIELDS = [
  'event_id',
  'timestamp',
  'event_type',
  'source_ip',
  'destination_ip',
  'destination_port',
  'protocol',
  'payload',
  'metadata',
  'normalized',
] as const;

/**
 * A raw security event as producers send it (snake_case, as on the Kafka topic).
 * Unknown top-level fields are moved into `metadata` instead of being rejected, and an
 * unrecognised `event_type` becomes `unknown` with the original kept in metadata.
 */
export const SecurityEventSchema = z
  .looseObject({
    event_id: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(128, 'must be at most 128 characters')
      .regex(/^[^/]+$/, 'must not contain "/"'),
    timestamp: TimestampSchema,
    event_type: z.string().trim().min(1).max(64),
    source_ip: IpSchema,
    destination_ip: IpSchema.optional(),
    destination_port: z.number().int().min(0).max(65535).optional(),
    protocol: z
      .string()
      .trim()
      .min(1)
      .max(16)
      .transform((value) => value.toUpperCase())
      .optional(),
    payload: z.record(z.string(), z.unknown()).default({}),
    metadata: z.record(z.string(), z.unknown()).default({}),
    /** A sensor alert parsed where it entered (bridge or Pub/Sub function): the normalised event. */
    normalized: NormalizedEventSchema.optional(),
  })
  .transform((raw) => {
    const metadata: Record<string, unknown> = { ...raw.metadata };
    for (const [key, value] of Object.entries(raw)) {
      if (!(KNOWN_FIELDS as readonly string[]).includes(key)) metadata[key] = value;
    }
    const known = EventTypeSchema.safeParse(raw.event_type.toLowerCase());
    if (!known.success) metadata.original_event_type = raw.event_type;
    return {
      event_id: raw.event_id,
      timestamp: raw.timestamp,
      event_type: known.success ? known.data : ('unknown' as const),
      source_ip: raw.source_ip,
      ...(raw.destination_ip !== undefined && { destination_ip: raw.destination_ip }),
      ...(raw.destination_port !== undefined && { destination_port: raw.destination_port }),
      ...(raw.protocol !== undefined && { protocol: raw.protocol }),
      payload: raw.payload,
      metadata,
      ...(raw.normalized !== undefined && { normalized: raw.normalized }),
    };
  });

/** The input shape producers send (before normalisation). */
export type SecurityEventInput = z.input<typeof SecurityEventSchema>;
/** A validated, normalised event. */
export type SecurityEvent = z.output<typeof SecurityEventSchema>;

export type EventParseResult =
  | { ok: true; event: SecurityEvent }
  | { ok: false; reason: string; issues: { path: string; message: string }[] };

/** Parses the bytes of a message into an event, or says precisely why it is not one. */
export function parseEventBytes(bytes: Uint8Array): EventParseResult {
  if (bytes.byteLength === 0) return invalid('empty message');
  if (bytes.byteLength > MAX_EVENT_BYTES) {
    return invalid(`event is ${bytes.byteLength} bytes, over the ${MAX_EVENT_BYTES}-byte limit`);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    return invalid(`not valid JSON: ${(error as Error).message}`);
  }
  return parseEvent(json);
}

/** Validates an already-decoded JSON value as an event. */
export function parseEvent(json: unknown): EventParseResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return invalid('event must be a JSON object');
  }
  const result = SecurityEventSchema.safeParse(json);
  if (result.success) return { ok: true, event: result.data };
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.join('.') || '(root)',
    message: issue.message,
  }));
  return {
    ok: false,
    reason: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    issues,
  };
}

function invalid(reason: string): EventParseResult {
  return { ok: false, reason, issues: [{ path: '(root)', message: reason }] };
}
