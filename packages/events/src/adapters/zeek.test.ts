import { describe, expect, it } from 'vitest';
import { events, refusal, sample, sampleLines } from '../../test-support/samples.js';
import { detectFormat, parseRecord } from '../parse.js';
import { toSecurityEvent } from '../security-event.js';

/** Zeek's btest baselines mask ts; a fixed time stands in for it. */
const unmask = (text: string) => text.replaceAll('XXXXXXXXXX.XXXXXX', '1600000000.123456');

describe('Zeek TSV on real logs (OTRF Security-Datasets, Zeek btest baselines)', () => {
  it.each(['conn', 'dns', 'http', 'weird', 'ssl'])('parses the whole %s.log chunk, one event per data line', (log) => {
    const text = sample('zeek-tsv', `${log}.log`);
    expect(detectFormat(text)).toBe('zeek-tsv');
    const dataLines = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const parsed = events(parseRecord(text));
    expect(parsed).toHaveLength(dataLines.length);
    for (const event of parsed) {
      expect(event.event).toMatchObject({ kind: 'event', format: 'zeek-tsv', dataset: `zeek.${log}` });
      expect(event.zeek?.[log]).toBeTruthy();
    }
  });

  it('maps conn fields: addresses, ports, bytes, state and outcome, duration', () => {
    const text = sample('zeek-tsv', 'conn.log');
    const line = text.split('\n').find((l) => l.startsWith('1692161643.549491'))!;
    const [event] = events(parseRecord(text)).filter((e) => e.event.original === line);
    expect(event!['@timestamp']).toBe('2023-08-16T04:54:03.549Z');
    expect(event!.source).toEqual({ ip: '192.168.1.41', port: 55213, bytes: 0, packets: 0 });
    expect(event!.destination).toEqual({ ip: '10.0.5.13', port: 80, bytes: 403, packets: 5 });
    expect(event!.network).toMatchObject({ transport: 'tcp', bytes: 403 });
    expect(event!.event).toMatchObject({ action: 'SHR', outcome: 'failure', duration: 1201128000 });
    expect(event!.zeek?.conn).toMatchObject({ history: '^hadf', local_orig: true });
    expect(event!.zeek?.session_id).toBe('CX6po61SVaO8po0uh8');
  });

  it('maps http and dns fields', () => {
    const [http] = events(parseRecord(sample('zeek-tsv', 'http.log')));
    // This capture saw only the responses: no method or URI, status and sizes only.
    expect(http!.http).toEqual({ version: '1.0', request: { bytes: 0 }, response: { status_code: 200, bytes: 248 } });
    const [withMethod] = events(parseRecord(sampleLines('zeek-json', 'SCRANTON_http.json')[0]!));
    expect(withMethod!.http?.request?.method).toMatch(/^[A-Z]+$/);
    expect(withMethod!.url?.original).toBeTruthy();
    const dns = events(parseRecord(sample('zeek-tsv', 'dns.log')));
    expect(dns.some((e) => e.dns?.question?.name && e.dns.question.type)).toBe(true);
  });

  it('maps ssh logins with their outcome', () => {
    const parsed = events(parseRecord(unmask(sample('zeek-tsv', 'zeek-btest-ssh.log'))));
    expect(parsed.length).toBeGreaterThan(2);
    expect(parsed.map((e) => e.event.outcome)).toEqual(expect.arrayContaining(['success']));
    expect(parsed[0]!.event.category).toContain('authentication');
    expect(parsed[0]!.user_agent?.original).toBe('SSH-2.0-OpenSSH_5.9');
  });

  it('makes notices alerts with an event type: SSH password guessing, SQL injection', () => {
    const [guessing] = events(parseRecord(unmask(sample('zeek-tsv', 'zeek-btest-notice-ssh-bruteforce.log'))));
    expect(guessing!.event.kind).toBe('alert');
    expect(guessing!.rule).toMatchObject({ name: 'SSH::Password_Guessing', category: 'SSH' });
    expect(guessing!.source?.ip).toBe('192.168.56.1');
    expect(toSecurityEvent(guessing!)).toMatchObject({ event_type: 'brute_force', source_ip: '192.168.56.1' });
    const sqli = events(parseRecord(unmask(sample('zeek-tsv', 'zeek-btest-notice-sqli.log'))));
    expect(sqli.map((e) => toSecurityEvent(e).event_type)).toEqual(['sql_injection', 'sql_injection']);
  });

  it.each([
    ['1692161622.036086\tCn\t192.168.1.41', 'zeek-tsv.missing_header'],
    ['#separator \\x09\n#fields\tts\tuid\n#types\ttime\tstring\n1692161622.036086', 'zeek-tsv.field_count'],
    ['#separator \\x09\n#fields\tts\tuid\n#types\ttime\tstring\nsoon\tC1', 'zeek-tsv.bad_value'],
    ['#separator \\x09\n#fields\tts\tuid\n#types\ttime\tstring\nXXXXXXXXXX.XXXXXX\tC1', 'zeek-tsv.bad_value'],
    ['#separator \\x09\n#path\tconn', 'zeek-tsv.missing_header'],
  ])('refuses %j with %s', (raw, reason) => {
    const outcome = refusal(parseRecord(raw, { format: 'zeek-tsv' }));
    expect(outcome.reason).toBe(reason);
    expect(outcome.message).toMatch(/^zeek-tsv: /);
  });
});

describe('Zeek JSON on real logs (OTRF Security-Datasets, json-streaming-logs)', () => {
  it.each(['NASHUA_conn', 'NASHUA_dns', 'NASHUA_notice', 'NASHUA_weird', 'SCRANTON_http', 'NASHUA_ssl'])('detects and parses every line of %s', (file) => {
    for (const line of sampleLines('zeek-json', `${file}.json`)) {
      expect(detectFormat(line)).toBe('zeek-json');
      const [event] = events(parseRecord(line));
      expect(event!.event.dataset).toBe(`zeek.${JSON.parse(line)['@stream']}`);
      expect(event!.observer?.hostname).toBe(JSON.parse(line)['@system']);
    }
  });

  it('reads underscored connection ids and the notice as an alert', () => {
    const [line] = sampleLines('zeek-json', 'NASHUA_notice.json');
    const [event] = events(parseRecord(line!));
    expect(event!.event.kind).toBe('alert');
    expect(event!.source).toEqual({ ip: '10.0.1.6', port: 57091 });
    expect(event!.destination).toEqual({ ip: '192.168.0.4', port: 8443 });
    expect(event!.rule?.name).toBe('SSL::Invalid_Server_Cert');
    expect(event!.message).toMatch(/self signed certificate/);
  });

  it('reads native dotted and nested ids, and infers the log without _path', () => {
    const dotted = { ts: 1588205199.82437, uid: 'C1', 'id.orig_h': '10.0.1.6', 'id.orig_p': 1, 'id.resp_h': '10.0.0.4', 'id.resp_p': 53, proto: 'udp', query: 'a.example', qtype_name: 'A', rcode_name: 'NOERROR', trans_id: 1 };
    const [a] = events(parseRecord(JSON.stringify(dotted)));
    expect(a!.event.dataset).toBe('zeek.dns');
    expect(a!.dns?.question).toEqual({ name: 'a.example', type: 'A' });
    const nested = { ts: '2020-04-30T00:00:00.000000Z', uid: 'C2', id: { orig_h: '10.0.1.6', orig_p: 2, resp_h: '10.0.0.5', resp_p: 22 }, auth_success: false, auth_attempts: 3 };
    const [b] = events(parseRecord(JSON.stringify(nested)));
    expect(b!.event).toMatchObject({ dataset: 'zeek.ssh', outcome: 'failure' });
    expect(b!.source?.ip).toBe('10.0.1.6');
  });

  it('refuses a record without a usable ts, naming zeek-json', () => {
    expect(refusal(parseRecord('{"ts":"later","uid":"C1","_path":"conn"}')).reason).toBe('zeek-json.bad_ts');
    expect(refusal(parseRecord('{"uid":"C1","_path":"conn"}', { format: 'zeek-json' })).reason).toBe('zeek-json.missing_ts');
  });
});
