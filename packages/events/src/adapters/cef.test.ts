import { describe, expect, it } from 'vitest';
import { events, refusal, sampleLines } from '../../test-support/samples.js';
import { detectFormat, parseRecord } from '../parse.js';
import { toSecurityEvent } from '../security-event.js';
import { parseExtension } from './cef.js';

const NOW = new Date('2022-08-10T00:00:00Z');
const one = (line: string) => {
  const parsed = events(parseRecord(line, { now: NOW }));
  expect(parsed).toHaveLength(1);
  return parsed[0]!;
};

describe('CEF from real WAFs inside syslog (Azure Sentinel sample data: FortiWeb, Barracuda)', () => {
  const forti = sampleLines('cef', 'azure-sentinel-fortiweb-waf.log');
  const barracuda = sampleLines('cef', 'azure-sentinel-barracuda-waf.log');

  it('detects and parses every line', () => {
    for (const line of [...forti, ...barracuda]) {
      expect(detectFormat(line)).toBe('cef');
      expect(one(line).event.format).toBe('cef');
    }
  });

  it('makes a FortiWeb attack an alert with its fields', () => {
    const event = one(forti[0]!);
    expect(event.event).toMatchObject({ kind: 'alert', severity_label: 'HIGH', action: 'Monitor', category: ['intrusion_detection', 'network', 'web'] });
    expect(event['@timestamp']).toBe('2022-07-25T09:56:13.000Z');
    expect(event.rule).toMatchObject({ name: 'URL Access Violation', category: 'attack' });
    expect(event.source).toEqual({ ip: '49.206.123.11', port: 36381 });
    expect(event.destination).toEqual({ port: 443, domain: 'soartesting.net' });
    expect(event.url).toMatchObject({ original: '/abc', path: '/abc', domain: 'soartesting.net' });
    expect(event.http?.request?.method).toBe('GET');
    expect(event.labels).toMatchObject({ appName: 'My App 1', mainType: 'URL Access', owaspTop10: 'A01:2021-Broken Access Control', threatLevel: 'Substantial' });
    expect(event.observer?.hostname).toBe('syslog.fortiweb-cloud.com');
    const security = toSecurityEvent(event);
    expect(security.source_ip).toBe('49.206.123.11');
    expect(security.metadata?.sensor).toMatchObject({ signature: 'URL Access Violation', severity: 'HIGH' });
  });

  it('keeps FortiWeb audit records as events, with epoch-millisecond rt', () => {
    const event = one(forti[1]!);
    expect(event.event.kind).toBe('event');
    expect(event['@timestamp']).toBe('2022-07-25T10:01:15.696Z');
    expect(event.labels?.userName).toBe('manish_kumar7610@yahoo.com');
    expect(event.message).toBe('IP Protection was configured successfully');
  });

  it('reads Barracuda "CEF: 0" access records as web events with the HTTP status from outcome', () => {
    const event = one(barracuda[0]!);
    expect(event.event.kind).toBe('event');
    expect(event.cef?.version).toBe('0');
    expect(event.observer).toMatchObject({ vendor: 'BarracudaNetworks', product: 'WAAS', version: 'BNWAS-1.0', hostname: '78d886bfdc-dswq7' });
    expect(event.source).toEqual({ ip: '101.173.234.143', port: 48293, bytes: 209 });
    expect(event.destination).toEqual({ port: 9049, domain: '13.86.36.66', bytes: 0 });
    expect(event.http).toEqual({ request: { method: 'GET' }, response: { status_code: 302 } });
    expect(event.user).toBeUndefined();
    expect(event.message).toBe('lang=en');
    expect(event.user_agent?.original).toMatch(/^Mozilla\/5.0 \(Windows NT 10.0; Win64; x64\)/);
    expect(event.labels).toMatchObject({ ProxyIP: '101.173.234.143', 'TimeTaken(ms)': '0', ProtocolVersion: 'HTTP/1.1' });
    expect(event['@timestamp']).toBe('2022-08-03T10:49:35.038Z');
  });
});

// Escaping cases from logstash-plugins/logstash-codec-cef spec/codecs/cef_spec.rb (Apache-2.0).
describe('CEF escaping', () => {
  it('splits the header on unescaped pipes only', () => {
    const event = one('CEF:0|secu\\|rity|threatmanager\\||1.\\|0|10\\|0|tro\\|jan successfully stopped|\\|10|');
    expect(event.observer).toMatchObject({ vendor: 'secu|rity', product: 'threatmanager|', version: '1.|0' });
    expect(event.cef?.device_event_class_id).toBe('10|0');
    expect(event.message).toBe('tro|jan successfully stopped');
  });

  it('unescapes backslashes in the header', () => {
    const event = one('CEF:0|secu\\\\rity|threat\\\\manager|1.\\\\0|10\\\\0|tro\\\\jan successfully stopped|\\\\10|');
    expect(event.observer?.vendor).toBe('secu\\rity');
  });

  it.each([
    ['moo=this =has = equals\\=', { moo: 'this =has = equals=' }],
    ['moo=this \\\\has \\\\ backslashs\\\\', { moo: 'this \\has \\ backslashs\\' }],
    ['moo=this|has an pipe', { moo: 'this|has an pipe' }],
    ['foo=bar msg=line one\\nline two\\r bar=baz', { foo: 'bar', msg: 'line one\nline two\r', bar: 'baz' }],
    [' src=10.0.0.192  dst=12.121.122.82  spt=1232', { src: '10.0.0.192', dst: '12.121.122.82', spt: '1232' }],
    ['src=10.0.0.192 ad.field[0]=field0 ad.Error_,Code=3221225578', { src: '10.0.0.192', 'ad.field[0]': 'field0', 'ad.Error_,Code': '3221225578' }],
    ['src=192.168.1.11 target=aaaaaああああaaaa msg=Description Omitted', { src: '192.168.1.11', target: 'aaaaaああああaaaa', msg: 'Description Omitted' }],
  ])('extension %j', (extension, expected) => {
    expect(parseExtension(extension)).toEqual(expected);
    expect(one(`CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|${extension}`).cef?.extensions).toEqual(expected);
  });

  it('makes a "trojan successfully stopped" record of an IDS-like product an alert of type malware', () => {
    const event = one('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 dst=12.121.122.82 spt=1232');
    expect(event.event).toMatchObject({ kind: 'alert', severity: 10, severity_label: 'CRITICAL' });
    expect(toSecurityEvent(event).event_type).toBe('malware');
  });

  it('reads CEF date forms and takes the relay time when rt is absent', () => {
    expect(one('CEF:0|V|P|1|1|n|3|rt=Sep 07 2018 14:50:39 src=1.2.3.4')['@timestamp']).toBe('2018-09-07T14:50:39.000Z');
    expect(one('<134>Feb 10 10:00:00 fw01 CEF:0|V|P|1|1|n|3|src=1.2.3.4')['@timestamp']).toBe('2022-02-10T10:00:00.000Z');
    const bare = one('CEF:0|V|P|1|1|n|3|src=1.2.3.4');
    expect(bare['@timestamp']).toBe(NOW.toISOString());
    expect(bare.labels?.timestamp_source).toBe('received');
  });

  it.each([
    ['CEF:0|security|threatmanager|1.0|100|double backslash', 'cef.bad_header'],
    ['CEF:0|V|P|1|1|n|3|this is in the extensions space but it is not valid because it is not equals-separated key/value', 'cef.bad_extension'],
    ['CEF:0|V|P|1|1|n|3|rt=whenever src=1.2.3.4', 'cef.bad_timestamp'],
  ])('refuses %j with %s', (line, reason) => {
    const outcome = refusal(parseRecord(line, { now: NOW }));
    expect(outcome.reason).toBe(reason);
    expect(outcome.message).toMatch(/^cef: /);
  });
});
