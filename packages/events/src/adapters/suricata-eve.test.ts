import { describe, expect, it } from 'vitest';
import { events, refusal, sampleLines } from '../../test-support/samples.js';
import { detectFormat, parseRecord } from '../parse.js';
import { toSecurityEvent } from '../security-event.js';

const lines = sampleLines('suricata-eve', 'eve.json');
const byType = (type: string) => lines.filter((line) => JSON.parse(line).event_type === type);

describe('Suricata EVE on real Suricata 7 output (ET Open over suricata-verify pcaps)', () => {
  it('detects and parses every committed record', () => {
    expect(lines.length).toBeGreaterThan(100);
    for (const line of lines) {
      expect(detectFormat(line)).toBe('suricata-eve');
      expect(events(parseRecord(line))).toHaveLength(1);
    }
  });

  it('maps an alert: rule, severity, addresses, community id, payload kept truncated', () => {
    const line = byType('alert').find((l) => l.includes('Nmap Scripting Engine'))!;
    const record = JSON.parse(line);
    const [event] = events(parseRecord(line));
    expect(event!.event).toMatchObject({ kind: 'alert', format: 'suricata-eve', module: 'suricata', dataset: 'suricata.alert', severity: record.alert.severity });
    expect(event!['@timestamp']).toBe(new Date(record.timestamp.replace(/(\d\d)(\d\d)$/, '$1:$2')).toISOString());
    expect(event!.rule).toMatchObject({ id: String(record.alert.signature_id), name: record.alert.signature, category: record.alert.category, ruleset: 'ET', version: String(record.alert.rev) });
    expect(event!.source).toMatchObject({ ip: record.src_ip, port: record.src_port });
    expect(event!.destination).toMatchObject({ ip: record.dest_ip, port: record.dest_port });
    expect(event!.network).toMatchObject({ transport: 'tcp', protocol: 'http', community_id: record.community_id });
    expect(event!.user_agent?.original).toMatch(/Nmap Scripting Engine/);
    expect(event!.url?.original).toBe(record.http.url);
    expect(event!.observer).toMatchObject({ product: 'Suricata', type: 'ids' });
    expect(event!.event.original).toBe(line.slice(0, 4096));
  });

  it('keeps the rule\'s ATT&CK ids from its metadata', () => {
    const line = JSON.stringify({
      ...JSON.parse(byType('alert')[0]!),
      alert: { action: 'allowed', gid: 1, signature_id: 2024364, rev: 4, signature: 'ET SCAN Possible Nmap User-Agent Observed', category: 'Web Application Attack', severity: 1, metadata: { mitre_tactic_id: ['TA0043'], mitre_technique_id: ['T1595'] } },
    });
    const [event] = events(parseRecord(line));
    expect(event!.threat).toEqual({ technique: { id: ['T1595'] }, tactic: { id: ['TA0043'] } });
    const security = toSecurityEvent(event!);
    expect(security.event_type).toBe('port_scan');
    expect(security.metadata?.sensor).toMatchObject({ technique_ids: ['T1595'], tactic_ids: ['TA0043'], severity: 'HIGH', signature_id: '2024364' });
  });

  it('turns each real alert into a design.md event the pipeline accepts', () => {
    for (const line of byType('alert')) {
      const [event] = events(parseRecord(line));
      const security = toSecurityEvent(event!);
      expect(security.event_id).toBe(event!.event.id);
      expect(security.source_ip).toBe(JSON.parse(line).src_ip);
      expect(security.payload?.signature).toBe(JSON.parse(line).alert.signature);
    }
  });

  it.each([
    ['flow', 'event', ['network'], (e: any) => expect(e.source.bytes).toBeGreaterThanOrEqual(0)],
    ['http', 'event', ['network', 'web'], (e: any) => expect(typeof e.http.request.method).toBe('string')],
    ['dns', 'event', ['network'], (e: any) => expect(e.dns.question.name ?? e.dns.type).toBeTruthy()],
    ['tls', 'event', ['network'], (e: any) => expect(e.tls).toBeTruthy()],
    ['ssh', 'event', ['network'], (e: any) => expect(e.suricata.eve.ssh).toBeTruthy()],
    ['anomaly', 'event', ['network'], (e: any) => expect(e.event.reason).toBeTruthy()],
  ])('maps %s records as observations', (type, kind, category, check) => {
    const records = byType(type);
    expect(records.length).toBeGreaterThan(0);
    for (const line of records) {
      const [event] = events(parseRecord(line));
      expect(event!.event.kind).toBe(kind);
      expect(event!.event.category).toEqual(expect.arrayContaining(category));
      expect(event!.event.dataset).toBe(`suricata.${type}`);
      check(event);
    }
  });

  it('derives the same id for a re-shipped record and different ids for different records', () => {
    const ids = lines.map((line) => events(parseRecord(line))[0]!.event.id);
    expect(new Set(ids).size).toBe(lines.length);
    expect(events(parseRecord(lines[0]!))[0]!.event.id).toBe(ids[0]);
    expect(ids[0]).toMatch(/^eve-[0-9a-f]{16}$/);
  });

  it('reads a batch of EVE lines in one record (JSON lines), and names the bad line of a batch', () => {
    const batch = lines.slice(0, 10).join('\n');
    const parsed = events(parseRecord(batch));
    expect(parsed.map((e) => e.event.original)).toEqual(lines.slice(0, 10));
    const broken = refusal(parseRecord(`${lines[0]}\n{"timestamp": `));
    expect(broken.reason).toBe('suricata-eve.invalid_json');
    expect(broken.message).toMatch(/line 2: not valid JSON/);
    const mixed = refusal(parseRecord(`${lines[0]}\n${JSON.stringify({ event_id: 'x', timestamp: '2024-01-01T00:00:00Z', event_type: 'ddos', source_ip: '1.2.3.4' })}`));
    expect(mixed.reason).toBe('suricata-eve.mixed_formats');
  });

  it('parses the documented timestamp form', () => {
    const line = JSON.stringify({ timestamp: '2020-06-06T06:36:48.235506+0000', flow_id: 1, event_type: 'flow', src_ip: '10.0.0.1', dest_ip: '10.0.0.2', proto: 'TCP' });
    expect(events(parseRecord(line))[0]!['@timestamp']).toBe('2020-06-06T06:36:48.235Z');
  });

  it('cuts payload_printable in suricata.eve', () => {
    const line = JSON.stringify({ ...JSON.parse(byType('alert')[0]!), payload_printable: 'A'.repeat(5000) });
    const [event] = events(parseRecord(line));
    expect((event!.suricata!.eve.payload_printable as string).length).toBe(1024);
    expect(event!.event.original.length).toBe(4096);
  });

  it.each([
    [{ flow_id: 1, event_type: 'alert', src_ip: '1.2.3.4' }, 'suricata-eve.missing_timestamp'],
    [{ timestamp: 'yesterday', flow_id: 1, event_type: 'flow', src_ip: '1.2.3.4' }, 'suricata-eve.bad_timestamp'],
    [{ timestamp: '2020-06-06T06:36:48.235506+0000', flow_id: 1, event_type: 'alert', src_ip: '1.2.3.4' }, 'suricata-eve.alert_without_signature'],
    [{ timestamp: '2020-06-06T06:36:48.235506+0000', flow_id: 1, event_type: 'flow', src_ip: '1.2.3.999' }, 'suricata-eve.bad_address'],
    [{ timestamp: '2020-06-06T06:36:48.235506+0000', flow_id: 1, event_type: '', src_ip: '1.2.3.4' }, 'suricata-eve.missing_event_type'],
  ])('refuses %j with %s', (record, reason) => {
    const outcome = refusal(parseRecord(JSON.stringify(record), { format: 'suricata-eve' }));
    expect(outcome.reason).toBe(reason);
    expect(outcome.message).toMatch(/^suricata-eve: /);
  });
});
