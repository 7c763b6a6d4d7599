import { describe, expect, it } from 'vitest';
import { events, refusal, sampleLines } from '../../test-support/samples.js';
import { detectFormat, parseRecord } from '../parse.js';

describe('ECS JSON (already normalised)', () => {
  it('round-trips our own normalised events: a Suricata alert re-sent as ECS keeps its fields', () => {
    const [original] = events(parseRecord(sampleLines('suricata-eve', 'eve.json')[0]!));
    const raw = JSON.stringify({ ...original, ecs: { version: '8.11.0' } });
    expect(detectFormat(raw)).toBe('ecs');
    const [event] = events(parseRecord(raw));
    expect(event!.event).toMatchObject({ id: original!.event.id, kind: 'alert', format: 'ecs' });
    expect(event!.rule).toEqual(original!.rule);
    expect(event!.source).toEqual(original!.source);
  });

  it('accepts dotted keys, string category and technique, and derives a missing id from the record', () => {
    const raw = JSON.stringify({ '@timestamp': '2024-05-01T10:00:00Z', 'event.kind': 'signal', 'event.category': 'intrusion_detection', 'source.ip': '198.51.100.7', 'threat.technique.id': 'T1110', 'rule.name': 'Brute force' });
    expect(detectFormat(raw)).toBe('ecs');
    const [event] = events(parseRecord(raw));
    expect(event!.event).toMatchObject({ kind: 'alert', category: ['intrusion_detection'], format: 'ecs' });
    expect(event!.event.id).toMatch(/^ecs-[0-9a-f]{16}$/);
    expect(event!.event.original).toBe(raw);
    expect(event!.threat?.technique?.id).toEqual(['T1110']);
    expect(events(parseRecord(raw))[0]!.event.id).toBe(event!.event.id);
  });

  it('takes what Beats send beyond the schema: extra fields dropped, numeric labels as text', () => {
    const raw = JSON.stringify({ '@timestamp': '2024-05-01T10:00:00.000Z', ecs: { version: '8.0.0' }, agent: { type: 'filebeat' }, event: { kind: 'event', category: ['network'], module: 'zeek', dataset: 'zeek.conn' }, user_agent: { name: 'curl' }, labels: { site: 'ams', rack: 4 }, source: { ip: '10.0.0.1', port: 5 } });
    const [event] = events(parseRecord(raw));
    expect(event!.labels).toEqual({ site: 'ams', rack: '4' });
    expect(event).not.toHaveProperty('agent');
    expect(event!.event.dataset).toBe('zeek.conn');
  });

  it.each([
    [{ '@timestamp': 'today', event: { kind: 'event' } }, /@timestamp/],
    [{ '@timestamp': '2024-05-01T10:00:00Z', event: { kind: 'event' }, source: { port: 70000 } }, /source.port/],
  ])('refuses an invalid ECS event %j, naming the field', (record, field) => {
    const outcome = refusal(parseRecord(JSON.stringify(record)));
    expect(outcome.reason).toBe('ecs.invalid');
    expect(outcome.message).toMatch(/^ecs: not a valid ECS event: /);
    expect(outcome.message).toMatch(field);
  });
});
