import { parseRecord } from '@threatstream/events';
import { describe, expect, it } from 'vitest';
import { headerText, routeRecord, toMessage } from './route.js';

const ours = Buffer.from(JSON.stringify({ event_id: 'e-1', event_type: 'brute_force', timestamp: '2025-12-27T19:00:00Z', source_ip: '185.234.72.91' }));
// An ECS alert and an ECS event: the ECS adapter is in the package from its first commit.
const ecs = (kind: 'alert' | 'event', id: string) =>
  Buffer.from(
    JSON.stringify({
      '@timestamp': '2025-12-27T19:00:00Z',
      event: { id, kind, category: ['network'] },
      source: { ip: '185.234.72.91', port: 51000 },
      destination: { ip: '10.0.0.5', port: 22 },
      rule: { name: 'ET SCAN Potential SSH Scan', id: '2001219' },
    }),
  );

describe('routeRecord', () => {
  it('passes our own JSON through unchanged, with or without adapters', () => {
    for (const adapters of [true, false]) {
      expect(routeRecord(ours, { adapters })).toEqual({ kind: 'passthrough', eventId: 'e-1', eventType: 'brute_force' });
    }
    expect(routeRecord(ours, { adapters: true, headerFormat: 'threatstream' })).toMatchObject({ kind: 'passthrough' });
  });

  it('keeps the envelope reasons for records of no known format', () => {
    expect(routeRecord(Buffer.from('{"x":1}'), { adapters: true })).toMatchObject({ kind: 'reject', reason: 'missing_event_id' });
    expect(routeRecord(Buffer.from('not json at all'), { adapters: true })).toMatchObject({ kind: 'reject', reason: 'not_json' });
    expect(routeRecord(Buffer.alloc(0), { adapters: true })).toMatchObject({ kind: 'reject', reason: 'empty' });
    expect(routeRecord(Buffer.from('{"event_id":7,"event_type":"x"}'), { adapters: true })).toMatchObject({ reason: 'invalid_event_id' });
  });

  it('auto-detects another format and routes an alert to events, an event to observations', () => {
    const alert = routeRecord(ecs('alert', 'a-1'), { adapters: true });
    expect(alert).toMatchObject({ kind: 'publish', format: 'ecs' });
    if (alert.kind !== 'publish') throw new Error('not published');
    expect(alert.messages).toHaveLength(1);
    const [message] = alert.messages;
    if (message!.destination !== 'events') throw new Error('not an alert');
    expect(message!.attributes).toMatchObject({ event_id: 'a-1', format: 'ecs', kind: 'alert', event_type: 'port_scan' });
    const body = JSON.parse(message!.data.toString());
    expect(body).toMatchObject({ event_id: 'a-1', source_ip: '185.234.72.91', destination_port: 22, event_type: 'port_scan' });
    expect(body.normalized.event).toMatchObject({ id: 'a-1', kind: 'alert', format: 'ecs' });
    expect(body.normalized.event.original).toBe(ecs('alert', 'a-1').toString());
    expect(body.metadata.original).toBeUndefined();

    const event = routeRecord(ecs('event', 'o-1'), { adapters: true });
    if (event.kind !== 'publish') throw new Error('not published');
    expect(event.messages[0]).toEqual({ destination: 'observations', data: expect.any(Buffer) });
    // What the attributes said (id, format, kind) the event says itself, for the batch's readers.
    expect(JSON.parse(event.messages[0]!.data.toString())).toMatchObject({ event: { id: 'o-1', format: 'ecs', kind: 'event' }, source: { ip: '185.234.72.91' } });
  });

  it('dead-letters other formats when adapters are off, as the bridge did before them', () => {
    expect(routeRecord(ecs('alert', 'a-1'), { adapters: false })).toMatchObject({ kind: 'reject', reason: 'missing_event_id' });
  });

  it('parses as the header says, over the topic mapping and detection, and names the format when it fails', () => {
    // Our own JSON announced as ECS is not valid ECS: the reason names the format.
    const wrong = routeRecord(ours, { adapters: true, headerFormat: 'ecs' });
    expect(wrong).toMatchObject({ kind: 'reject', format: 'ecs' });
    if (wrong.kind !== 'reject') throw new Error('not rejected');
    expect(wrong.reason).toMatch(/^ecs\./);
    expect(wrong.detail).toMatch(/ecs/i);
    const mapped = routeRecord(ours, { adapters: true, topicFormat: 'ecs' });
    expect(mapped).toMatchObject({ kind: 'reject', format: 'ecs' });
    expect(routeRecord(ours, { adapters: true, topicFormat: 'ecs', headerFormat: 'threatstream' })).toMatchObject({ kind: 'passthrough' });
  });

  it('refuses a format header it does not know, naming the formats it does', () => {
    const route = routeRecord(ours, { adapters: true, headerFormat: 'snort' });
    expect(route).toMatchObject({ kind: 'reject', reason: 'unknown_format' });
    if (route.kind !== 'reject') throw new Error('not rejected');
    expect(route.detail).toContain('suricata-eve');
  });

  it('dead-letters an empty record on a mapped topic with the format in the reason', () => {
    expect(routeRecord(Buffer.alloc(0), { adapters: true, topicFormat: 'syslog' })).toMatchObject({ reason: 'syslog.empty' });
  });
});

describe('toMessage', () => {
  it('attaches the normalised event to an alert and keeps the record id as event_id', () => {
    const parsed = parseRecord(ecs('alert', 'a-9').toString(), { format: 'ecs' });
    if (!parsed.ok) throw new Error(parsed.message);
    const message = toMessage(parsed.events[0]!, 'ecs');
    if (message.destination !== 'events') throw new Error('not an alert');
    expect(message.attributes.event_id).toBe('a-9');
    expect(JSON.parse(message.data.toString()).normalized['@timestamp']).toBe('2025-12-27T19:00:00Z');
  });
});

describe('headerText', () => {
  it('reads strings, buffers and arrays', () => {
    expect(headerText('syslog')).toBe('syslog');
    expect(headerText(Buffer.from('cef'))).toBe('cef');
    expect(headerText([Buffer.from('zeek-json'), 'x'])).toBe('zeek-json');
    expect(headerText(undefined)).toBeUndefined();
  });
});
