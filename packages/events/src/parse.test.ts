import { describe, expect, it } from 'vitest';
import { detectFormat, parseRecord } from './parse.js';
import { events, refusal } from '../test-support/samples.js';
import { toSecurityEvent } from './security-event.js';

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

describe('our own JSON (threatstream)', () => {
  it('is detected, parsed as an alert and mapped back unchanged', () => {
    const raw = JSON.stringify(SEED);
    expect(detectFormat(raw)).toBe('threatstream');
    const [event] = events(parseRecord(raw));
    expect(event?.event).toMatchObject({ id: 'test-001', kind: 'alert', format: 'threatstream' });
    expect(event?.source?.ip).toBe('185.234.72.91');
    expect(event?.destination).toEqual({ ip: '10.0.0.100', port: 22 });
    expect(toSecurityEvent(event!)).toEqual(SEED);
  });

  it('refuses an event of ours without its id as ours, not as another format', () => {
    const { event_id: _id, ...rest } = SEED;
    const outcome = refusal(parseRecord(JSON.stringify(rest)));
    expect(outcome.reason).toBe('threatstream.invalid');
    expect(outcome.message).toMatch(/event_id/);
  });

  it('refuses an invalid event with a reason naming the format and the field', () => {
    const outcome = refusal(parseRecord(JSON.stringify({ ...SEED, source_ip: 'nope' })));
    expect(outcome.reason).toBe('threatstream.invalid');
    expect(outcome.message).toMatch(/^threatstream: .*source_ip/);
  });
});

describe('parseRecord on bad input', () => {
  it.each([
    ['', 'unknown.empty'],
    ['   \n', 'unknown.empty'],
    ['{"a":', 'unknown.invalid_json'],
    ['[1,2]', 'unknown.unrecognised'],
    ['{"hello":"world"}', 'unknown.unrecognised_json'],
    ['just some words', 'unknown.unrecognised'],
  ])('%j → %s', (raw, reason) => {
    expect(refusal(parseRecord(raw)).reason).toBe(reason);
  });

  it('refuses an unsupported format hint', () => {
    expect(refusal(parseRecord('x', { format: 'nope' as never })).reason).toBe('unknown.unsupported_format');
  });

  it('names the hinted format when its JSON is broken', () => {
    const outcome = refusal(parseRecord('{"timestamp": ', { format: 'suricata-eve' }));
    expect(outcome.reason).toBe('suricata-eve.invalid_json');
    expect(outcome.message).toMatch(/^suricata-eve: not valid JSON/);
  });
});
