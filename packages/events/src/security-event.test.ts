import { describe, expect, it } from 'vitest';
import { events, sampleLines } from '../test-support/samples.js';
import { parseRecord } from './parse.js';
import type { NormalizedEvent } from './schema.js';
import { EVENT_TYPES, SecurityEventInputSchema, classifyAlert, toSecurityEvent } from './security-event.js';

const alert = (rule: NormalizedEvent['rule'], techniques: string[] = []): NormalizedEvent => ({
  '@timestamp': '2024-01-01T00:00:00.000Z',
  event: { id: 'a', kind: 'alert', category: [], type: [], original: '', format: 'suricata-eve' },
  rule,
  ...(techniques.length ? { threat: { technique: { id: techniques } } } : {}),
});

describe('classifyAlert', () => {
  it.each([
    ['ET SCAN Nmap Scripting Engine User-Agent Detected (Nmap Scripting Engine)', 'Web Application Attack', 'port_scan'],
    ['ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT', 'Web Application Attack', 'sql_injection'],
    ['ET WEB_SERVER Script tag in URI Possible Cross Site Scripting Attempt', 'Web Application Attack', 'xss'],
    ['ET WEB_SERVER Possible CVE-2014-6271 Attempt', 'Attempted Administrator Privilege Gain', 'exploit'],
    ['ET EXPLOIT Apache log4j RCE Attempt (http ldap) (CVE-2021-44228)', 'Attempted Administrator Privilege Gain', 'exploit'],
    ['ET ATTACK_RESPONSE Possible /etc/passwd via HTTP (linux style)', 'Information Leak', 'exploit'],
    ['ET MALWARE Win32/Emotet CnC Activity', 'A Network Trojan was detected', 'c2_beacon'],
    ['ET MALWARE Cobalt Strike Beacon Observed', 'A Network Trojan was detected', 'c2_beacon'],
    ['ET TROJAN Generic Dropper', 'A Network Trojan was detected', 'malware'],
    ['ET DOS Possible NTP DDoS Inbound Frequent Un-Authed MON_LIST Requests', 'Attempted Denial of Service', 'ddos'],
    ['ET POLICY curl User-Agent Outbound', 'Attempted Information Leak', 'policy_violation'],
    ['ET INFO Dotted Quad Host DLL Request', 'Potentially Bad Traffic', 'reconnaissance'],
    ['ET P2P BitTorrent DHT ping request', 'Potential Corporate Privacy Violation', 'policy_violation'],
    ['SURICATA HTTP unable to match response to request', 'Generic Protocol Command Decode', 'protocol_anomaly'],
    ['GPL SCAN nmap XMAS', 'Attempted Information Leak', 'port_scan'],
    ['ET PHISHING Successful Generic Phish', 'Possible Social Engineering Attempted', 'phishing'],
    ['SSH::Password_Guessing', 'SSH', 'brute_force'],
    ['HTTP::SQL_Injection_Attacker', 'HTTP', 'sql_injection'],
    ['Vendor rule 42', 'Web Application Attack', 'exploit'],
    ['URL Access Violation', 'attack', 'policy_violation'],
    ['IP Protection: IP in black list was blocked', 'attack', 'policy_violation'],
    ['SSL::Invalid_Server_Cert', 'SSL', 'policy_violation'],
    ['Vendor rule 43', 'Detection of a Network Scan', 'port_scan'],
  ])('%s (%s) → %s', (name, category, type) => {
    expect(classifyAlert(alert({ name, category }))).toBe(type);
  });

  it('falls back on the sensor\'s ATT&CK techniques, then unknown', () => {
    expect(classifyAlert(alert({ name: 'custom 1' }, ['T1110.001']))).toBe('brute_force');
    expect(classifyAlert(alert({ name: 'custom 2' }, ['T9999']))).toBe('unknown');
  });

  it('only returns exported event types', () => {
    expect(EVENT_TYPES).toEqual(expect.arrayContaining(['exploit', 'port_scan', 'unknown']));
  });
});

describe('toSecurityEvent', () => {
  it('gives a design.md event that validates, for every real alert and observation', () => {
    for (const line of sampleLines('suricata-eve', 'eve.json')) {
      const [event] = events(parseRecord(line));
      const security = toSecurityEvent(event!);
      expect(SecurityEventInputSchema.safeParse(security).success).toBe(true);
      if (event!.event.kind !== 'alert') expect(security.event_type).toBe('unknown');
      expect(security.metadata?.format).toBe('suricata-eve');
    }
  });

  it('marks a missing source address instead of inventing one silently', () => {
    const security = toSecurityEvent(alert({ name: 'ET SCAN x' }));
    expect(security.source_ip).toBe('0.0.0.0');
    expect(security.metadata?.source_ip_missing).toBe(true);
  });
});
