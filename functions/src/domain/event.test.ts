import { Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, MAX_EVENT_BYTES, parseEvent, parseEventBytes, type EventParseResult } from './event';
import { EVENT_TYPES as PACKAGE_EVENT_TYPES } from '@threatstream/events';

const SEED = {
  event_id: 'test-001',
  timestamp: '2025-12-27T19:00:00Z',
  event_type: 'brute_force',
  source_ip: '185.234.72.91',
  destination_ip: '10.0.0.100',
  destination_port: 22,
  protocol: 'TCP',
  payload: { attempts: 150 },
  metadata: {},
};

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

function failure(result: EventParseResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.event)}`);
  return result;
}

function success(result: EventParseResult) {
  if (!result.ok) throw new Error(`expected success, got: ${result.reason}`);
  return result.event;
}

describe('parseEventBytes', () => {
  it('accepts the seed event unchanged', () => {
    expect(success(parseEventBytes(bytes(SEED)))).toEqual(SEED);
  });

  it('defaults payload and metadata to empty objects', () => {
    const { payload: _payload, metadata: _metadata, ...minimal } = SEED;
    const event = success(parseEventBytes(bytes(minimal)));
    expect(event.payload).toEqual({});
    expect(event.metadata).toEqual({});
  });

  it('moves unknown top-level fields into metadata, keeping metadata sent', () => {
    const event = success(parseEventBytes(bytes({ ...SEED, sensor: 'zeek', severity_hint: 7, metadata: { site: 'ams' } })));
    expect(event.metadata).toEqual({ site: 'ams', sensor: 'zeek', severity_hint: 7 });
    expect(event).not.toHaveProperty('sensor');
    expect(event).not.toHaveProperty('severity_hint');
  });

  it('ingests an unknown event type as "unknown", keeping the original in metadata', () => {
    const event = success(parseEventBytes(bytes({ ...SEED, event_type: 'Vendor_Alert' })));
    expect(event.event_type).toBe('unknown');
    expect(event.metadata.original_event_type).toBe('Vendor_Alert');
  });

  it('knows exactly the event types the events package emits: one list, imported', () => {
    expect(EVENT_TYPES).toBe(PACKAGE_EVENT_TYPES);
    expect(EVENT_TYPES).toEqual(expect.arrayContaining(['exploit', 'path_traversal', 'command_injection', 'reconnaissance', 'policy_violation', 'protocol_anomaly']));
  });

  it.each(['exploit', 'path_traversal', 'command_injection', 'reconnaissance', 'policy_violation', 'protocol_anomaly'])(
    'a sensor alert the package classifies as %s keeps its type (no unknown fallback)',
    (type) => {
      const event = success(parseEventBytes(bytes({ ...SEED, event_type: type })));
      expect(event.event_type).toBe(type);
      expect(event.metadata).not.toHaveProperty('original_event_type');
    },
  );

  it.each(EVENT_TYPES)('recognises event type %s in any case', (type) => {
    const event = success(parseEventBytes(bytes({ ...SEED, event_type: type.toUpperCase() })));
    expect(event.event_type).toBe(type);
    expect(event.metadata).not.toHaveProperty('original_event_type');
  });

  it('normalises the protocol to upper case and trims addresses', () => {
    const event = success(parseEventBytes(bytes({ ...SEED, protocol: 'udp', source_ip: ' 185.234.72.91 ' })));
    expect(event.protocol).toBe('UDP');
    expect(event.source_ip).toBe('185.234.72.91');
  });

  it.each(['2001:db8::1', '::ffff:10.0.0.1', 'fe80::1%eth0'])('accepts IPv6 source %s', (ip) => {
    expect(success(parseEventBytes(bytes({ ...SEED, source_ip: ip }))).source_ip).toBe(ip);
  });

  it.each([0, 1, 65535])('accepts destination port %s', (port) => {
    expect(success(parseEventBytes(bytes({ ...SEED, destination_port: port }))).destination_port).toBe(port);
  });

  it('accepts a timestamp with an offset', () => {
    expect(success(parseEventBytes(bytes({ ...SEED, timestamp: '2025-12-27T20:00:00.123+01:00' }))).timestamp).toBe(
      '2025-12-27T20:00:00.123+01:00',
    );
  });

  it('keeps non-ASCII text intact', () => {
    const event = success(parseEventBytes(bytes({ ...SEED, payload: { user: 'jürgen', note: '攻撃' } })));
    expect(event.payload).toEqual({ user: 'jürgen', note: '攻撃' });
  });

  it('drops a "__proto__" payload key instead of letting it set the prototype', () => {
    const event = success(parseEventBytes(bytes('{"event_id":"p","timestamp":"2025-12-27T19:00:00Z","event_type":"ddos","source_ip":"1.2.3.4","payload":{"__proto__":{"attempts":5}}}')));
    expect(Object.getPrototypeOf(event.payload)).toBe(Object.prototype);
    expect((event.payload as { attempts?: unknown }).attempts).toBeUndefined();
  });

  it.each([
    ['source_ip', '999.1.1.1'],
    ['source_ip', '1.2.3'],
    ['source_ip', '01.2.3.4'],
    ['source_ip', 'not-an-ip'],
    ['source_ip', ''],
    ['source_ip', 42],
    ['destination_ip', '10.0.0.256'],
    ['destination_ip', '[::1]'],
  ])('rejects %s = %j', (field, value) => {
    const result = failure(parseEventBytes(bytes({ ...SEED, [field]: value })));
    expect(result.issues.map((issue) => issue.path)).toContain(field);
  });

  it.each([65536, -1, 1.5, '22', null])('rejects destination_port %j', (port) => {
    const result = failure(parseEventBytes(bytes({ ...SEED, destination_port: port })));
    expect(result.issues.map((issue) => issue.path)).toEqual(['destination_port']);
    expect(result.reason).toMatch(/^destination_port: /);
  });

  it.each(['event_id', 'timestamp', 'event_type', 'source_ip'])('rejects an event without %s', (field) => {
    const { [field as keyof typeof SEED]: _removed, ...rest } = SEED;
    const result = failure(parseEventBytes(bytes(rest)));
    expect(result.issues.map((issue) => issue.path)).toEqual([field]);
  });

  it.each([
    ['a/b', 'must not contain "/"'],
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['x'.repeat(129), 'at most 128'],
  ])('rejects event_id %j', (eventId, message) => {
    const result = failure(parseEventBytes(bytes({ ...SEED, event_id: eventId })));
    expect(result.issues[0]).toMatchObject({ path: 'event_id' });
    expect(result.reason).toContain(message);
  });

  it.each(['2025-12-27', 'yesterday', '2025-13-45T19:00:00Z', 1766862000])('rejects timestamp %j', (timestamp) => {
    const result = failure(parseEventBytes(bytes({ ...SEED, timestamp })));
    expect(result.issues.map((issue) => issue.path)).toEqual(['timestamp']);
  });

  // Firestore holds 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z; outside it the write fails.
  const FIRESTORE_RANGE_MESSAGE = 'Firestore cannot store';
  it.each([
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['the last instant of year 0000', '0000-12-31T23:59:59.999Z'],
    ['the first minutes of 0001 pushed back by a positive offset', '0001-01-01T00:30:00+01:00'],
    ['the first second of 0001 pushed back by +00:01', '0001-01-01T00:00:59+00:01'],
    ['the end of 9999 pushed forward by a negative offset', '9999-12-31T23:00:00-02:00'],
    ['the last minute of 9999 pushed past it by -00:01', '9999-12-31T23:59:30-00:01'],
  ])('rejects a timestamp Firestore cannot hold: %s (%s)', (_name, timestamp) => {
    const result = failure(parseEventBytes(bytes({ ...SEED, timestamp })));
    expect(result.issues.map((issue) => issue.path)).toEqual(['timestamp']);
    expect(result.reason).toContain(FIRESTORE_RANGE_MESSAGE);
  });

  it.each([
    ['the first instant Firestore holds', '0001-01-01T00:00:00Z'],
    ['the first minutes of 0001 with a negative offset', '0001-01-01T00:30:00-01:00'],
    ['the last millisecond of 9999', '9999-12-31T23:59:59.999Z'],
    ['late 9999 with a positive offset', '9999-12-31T23:30:00+01:00'],
  ])('accepts a timestamp at the edge of what Firestore holds: %s (%s)', (_name, timestamp) => {
    const event = success(parseEventBytes(bytes({ ...SEED, timestamp })));
    // The ingest path stores the instant as a Firestore Timestamp; it must not throw.
    expect(() => Timestamp.fromDate(new Date(event.timestamp))).not.toThrow();
  });

  it.each([[['a']], ['text'], [7]])('rejects a payload that is not an object: %j', (payload) => {
    const result = failure(parseEventBytes(bytes({ ...SEED, payload })));
    expect(result.issues.map((issue) => issue.path)).toContain('payload');
  });

  it('reports every problem at once', () => {
    const result = failure(parseEventBytes(bytes({ ...SEED, source_ip: 'x', destination_port: 70000, event_id: 'a/b' })));
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(['destination_port', 'event_id', 'source_ip']);
  });

  it('rejects an empty message', () => {
    expect(failure(parseEventBytes(new Uint8Array())).reason).toBe('empty message');
  });

  it('accepts an event of exactly the size limit and rejects one byte more', () => {
    const base = JSON.stringify({ ...SEED, payload: { pad: '' } });
    const padded = JSON.stringify({ ...SEED, payload: { pad: 'x'.repeat(MAX_EVENT_BYTES - base.length) } });
    expect(Buffer.byteLength(padded)).toBe(MAX_EVENT_BYTES);
    expect(parseEventBytes(bytes(padded)).ok).toBe(true);
    const over = failure(parseEventBytes(bytes(`${padded} `)));
    expect(over.reason).toBe(`event is ${MAX_EVENT_BYTES + 1} bytes, over the ${MAX_EVENT_BYTES}-byte limit`);
  });

  it.each(['{"event_id":', 'not json', '{"a":1}}', '\u00ff\u00fe'])('rejects invalid JSON %j', (text) => {
    expect(failure(parseEventBytes(bytes(text))).reason).toMatch(/^not valid JSON: /);
  });

  it.each(['[]', '[{"event_id":"a"}]', 'null', '42', '"text"', 'true'])('rejects a JSON body that is not an object: %s', (text) => {
    const result = failure(parseEventBytes(bytes(text)));
    expect(result.reason).toBe('event must be a JSON object');
    expect(result.issues).toEqual([{ path: '(root)', message: 'event must be a JSON object' }]);
  });
});

describe('parseEvent', () => {
  it('validates an already-decoded object the same way', () => {
    expect(success(parseEvent(SEED))).toEqual(SEED);
    expect(failure(parseEvent(undefined)).reason).toBe('event must be a JSON object');
  });
});
