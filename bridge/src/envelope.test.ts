import { describe, expect, it } from 'vitest';
import { checkEnvelope, MAX_EVENT_BYTES } from './envelope.js';

const buf = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('checkEnvelope', () => {
  it('accepts a JSON object with an event_id, and reads event_type when usable', () => {
    expect(checkEnvelope(buf({ event_id: 'evt-1', event_type: 'port_scan', anything: [1] }))).toEqual({
      ok: true,
      eventId: 'evt-1',
      eventType: 'port_scan',
    });
    expect(checkEnvelope(buf({ event_id: ' evt-2 ', event_type: 42 }))).toEqual({ ok: true, eventId: 'evt-2' });
  });

  it('lets schema problems through for the functions to judge', () => {
    // No timestamp, no source_ip: still a transportable event.
    expect(checkEnvelope(buf({ event_id: 'evt-3' })).ok).toBe(true);
  });

  it.each([
    ['null value', null, 'empty'],
    ['empty value', Buffer.alloc(0), 'empty'],
    ['not JSON', buf('{"event_id": '), 'not_json'],
    ['plain text', buf('hello'), 'not_json'],
    ['a JSON array', buf([{ event_id: 'a' }]), 'not_object'],
    ['a JSON string', buf('"evt"'), 'not_object'],
    ['JSON null', buf('null'), 'not_object'],
    ['no event_id', buf({ event_type: 'ddos' }), 'missing_event_id'],
    ['null event_id', buf({ event_id: null }), 'missing_event_id'],
    ['numeric event_id', buf({ event_id: 42 }), 'invalid_event_id'],
    ['blank event_id', buf({ event_id: '   ' }), 'invalid_event_id'],
    ['event_id with a slash', buf({ event_id: 'a/b' }), 'invalid_event_id'],
    ['event_id too long', buf({ event_id: 'x'.repeat(129) }), 'invalid_event_id'],
  ])('rejects %s', (_name, value, reason) => {
    const result = checkEnvelope(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.detail.length).toBeGreaterThan(0);
    }
  });

  it('accepts an event_id of exactly 128 characters', () => {
    expect(checkEnvelope(buf({ event_id: 'x'.repeat(128) })).ok).toBe(true);
  });

  it('rejects messages over the size limit before parsing them', () => {
    const big = buf({ event_id: 'big', padding: 'x'.repeat(MAX_EVENT_BYTES) });
    const result = checkEnvelope(big);
    expect(result).toMatchObject({ ok: false, reason: 'too_large' });
    const atLimit = buf({ event_id: 'edge', p: '' });
    const padded = Buffer.from(JSON.stringify({ event_id: 'edge', p: 'x'.repeat(MAX_EVENT_BYTES - atLimit.length) }));
    expect(padded.length).toBe(MAX_EVENT_BYTES);
    expect(checkEnvelope(padded).ok).toBe(true);
  });
});
