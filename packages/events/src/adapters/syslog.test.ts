import { describe, expect, it } from 'vitest';
import { events, refusal, sample, sampleLines } from '../../test-support/samples.js';
import { detectFormat, parseRecord } from '../parse.js';

const NOW = new Date('2017-03-01T00:00:00Z');
const one = (line: string) => {
  const parsed = events(parseRecord(line, { now: NOW }));
  expect(parsed).toHaveLength(1);
  return parsed[0]!;
};

describe('syslog on real auth logs (Elastic Beats system/auth test files)', () => {
  it.each(['beats-system-auth-test.log', 'beats-system-auth-secure-rhel7.log', 'beats-system-auth-timestamp.log'])('detects and parses every line of %s', (file) => {
    for (const line of sampleLines('syslog', file)) {
      expect(detectFormat(line)).toBe('syslog');
      expect(one(line).event.format).toBe('syslog');
    }
    const whole = sample('syslog', file);
    expect(events(parseRecord(whole, { now: NOW }))).toHaveLength(sampleLines('syslog', file).length);
  });

  const auth = sampleLines('syslog', 'beats-system-auth-test.log');
  it('reads an accepted public key login', () => {
    const event = one(auth[0]!);
    expect(event['@timestamp']).toBe('2017-02-21T21:54:44.000Z');
    expect(event.event).toMatchObject({ category: ['authentication'], action: 'ssh_login', outcome: 'success', dataset: 'syslog.sshd' });
    expect(event.user).toEqual({ name: 'vagrant' });
    expect(event.source).toEqual({ ip: '10.0.2.2', port: 63673 });
    expect(event.labels).toMatchObject({ auth_method: 'publickey', key: 'RSA 39:33:99:e9:a0:dc:f2:33:a3:e5:72:3b:7c:3a:56:84' });
    expect(event.host?.hostname).toBe('localhost');
    expect(event.process).toEqual({ name: 'sshd', pid: 3402 });
  });

  it('reads accepted and failed passwords, invalid users, no identification', () => {
    expect(one(auth[1]!).event).toMatchObject({ action: 'ssh_login', outcome: 'success' });
    expect(one(auth[1]!).labels?.auth_method).toBe('password');
    const invalid = one(auth[2]!);
    expect(invalid.event).toMatchObject({ action: 'ssh_invalid_user', outcome: 'failure' });
    expect(invalid.user?.name).toBe('test');
    expect(invalid.source?.ip).toBe('10.0.2.2');
    const failed = one(auth[3]!);
    expect(failed.event).toMatchObject({ action: 'ssh_login', outcome: 'failure' });
    expect(failed.user?.name).toBe('root');
    expect(failed.source).toEqual({ ip: '216.160.83.57', port: 29160 });
    expect(one(auth[5]!).event).toMatchObject({ action: 'ssh_no_identification', outcome: 'failure' });
    expect(one(auth[5]!).source?.ip).toBe('2.125.160.217');
  });

  it('reads sudo commands and refusals', () => {
    const ok = one(auth[4]!);
    expect(ok.event).toMatchObject({ action: 'sudo', outcome: 'success' });
    expect(ok.user).toEqual({ name: 'vagrant', target: { name: 'root' } });
    expect(ok.process?.command_line).toBe('/bin/ls');
    const refused = one(auth[7]!);
    expect(refused.event).toMatchObject({ action: 'sudo', outcome: 'failure', reason: 'user NOT in sudoers' });
    expect(refused.user?.name).toBe('tsg');
  });

  it('reads PAM failures, preauth disconnects and sessions (RHEL 7)', () => {
    const lines = sampleLines('syslog', 'beats-system-auth-secure-rhel7.log');
    const byAction = (action: string) => lines.map(one).filter((e) => e.event.action === action);
    const pam = byAction('pam_auth_failure')[0]!;
    expect(pam.user?.name).toBe('root');
    expect(pam.source?.ip).toBe('202.109.143.106');
    expect(byAction('pam_repeated_failures')[0]!.labels?.failures).toBe('4');
    const disconnect = byAction('ssh_disconnect_received');
    expect(disconnect.map((e) => e.event.outcome)).toEqual(['failure', 'unknown']);
    expect(byAction('session_opened')[0]!.user?.name).toBe('drewr');
    expect(byAction('ssh_login').filter((e) => e.event.outcome === 'failure').length).toBe(4);
  });

  it('reads rsyslog ISO timestamps without and with an offset', () => {
    const [a, b] = sampleLines('syslog', 'beats-system-auth-timestamp.log').map(one);
    expect(a!['@timestamp']).toBe('2019-06-14T10:40:20.912Z');
    expect(a!.event.action).toBe('session_opened');
    expect(b!['@timestamp']).toBe('2019-06-14T11:31:15.412Z');
  });
});

describe('access logs (Elastic Beats apache/nginx test files), bare or in syslog', () => {
  it.each(['beats-apache-access-test.log', 'beats-nginx-access.log', 'beats-nginx-access-test.log'])('detects and parses every line of %s', (file) => {
    for (const line of sampleLines('syslog', file)) {
      expect(detectFormat(line)).toBe('syslog');
      const event = one(line);
      expect(event.event).toMatchObject({ dataset: 'http.access', category: ['web', 'network'] });
      expect(event.http?.response?.status_code).toBeGreaterThanOrEqual(200);
    }
  });

  it('maps a combined log line', () => {
    const event = one(sampleLines('syslog', 'beats-nginx-access.log')[1]!);
    expect(event['@timestamp']).toBe('2016-10-25T12:49:34.000Z');
    expect(event.source?.ip).toBe('77.179.66.156');
    expect(event.http).toEqual({ version: '1.1', request: { method: 'GET', referrer: 'http://localhost:8080/' }, response: { status_code: 404, bytes: 571 } });
    expect(event.url).toEqual({ original: '/favicon.ico', path: '/favicon.ico' });
    expect(event.user_agent?.original).toMatch(/^Mozilla\/5.0 \(Macintosh/);
    expect(event.event.outcome).toBe('failure');
  });

  it('takes the client from forwarded-for lists and after a virtual host; keeps requests it cannot split', () => {
    const lines = sampleLines('syslog', 'beats-nginx-access-test.log');
    expect(one(lines[0]!).source?.ip).toBe('10.0.0.2');
    expect(one(lines[0]!).labels?.remote_addresses).toBe('10.0.0.2,10.0.0.1,127.0.0.1');
    expect(one(lines[4]!).url).toEqual({ original: '/assets/xxxx?q=100', path: '/assets/xxxx', query: 'q=100' });
    const apache = sampleLines('syslog', 'beats-apache-access-test.log');
    expect(one(apache[6]!).source?.ip).toBe('123.123.123.123');
    expect(one(apache[0]!).source?.ip).toBe('::1');
    expect(one(apache[2]!).http?.request).toBeUndefined();
    expect(one(apache[4]!).source).toEqual({ domain: 'monitoring-server' });
  });

  it('reads an access log line shipped inside syslog', () => {
    const line = `<190>Oct 25 14:49:34 web01 nginx: ${sampleLines('syslog', 'beats-nginx-access.log')[1]}`;
    expect(detectFormat(line)).toBe('syslog');
    const event = one(line);
    expect(event.log?.syslog).toMatchObject({ priority: 190, facility: { code: 23 }, severity: { code: 6 }, appname: 'nginx' });
    expect(event.http?.response?.status_code).toBe(404);
    expect(event['@timestamp']).toBe('2016-10-25T12:49:34.000Z');
  });
});

describe('syslog headers (RFC 5424 section 6.5 examples, RFC 3164 section 5.4)', () => {
  it('parses RFC 5424 with structured data and a BOM', () => {
    const event = one('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...');
    expect(event['@timestamp']).toBe('2003-10-11T22:14:15.003Z');
    expect(event.log?.syslog).toMatchObject({ priority: 165, appname: 'evntslog', msgid: 'ID47', version: '1', structured_data: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' } } });
    expect(event.message).toBe('An application event log entry...');
  });

  it('parses RFC 5424 with nil values and an offset', () => {
    const event = one('<34>1 2003-10-11T22:14:15.003-07:00 mymachine.example.com su - ID47 - \'su root\' failed for lonvick on /dev/pts/8');
    expect(event['@timestamp']).toBe('2003-10-12T05:14:15.003Z');
    expect(event.log?.syslog?.procid).toBeUndefined();
    expect(event.host?.hostname).toBe('mymachine.example.com');
  });

  it('parses RFC 5424 sshd without PRI', () => {
    const event = one('1 2024-05-02T10:00:00Z bastion sshd 812 - - Failed password for invalid user admin from 198.51.100.7 port 40022 ssh2');
    expect(event.event).toMatchObject({ action: 'ssh_login', outcome: 'failure' });
    expect(event.labels?.invalid_user).toBe('true');
  });

  it('parses RFC 3164 with PRI: su failure', () => {
    const event = one("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
    expect(event.log?.syslog).toMatchObject({ priority: 34, facility: { code: 4 }, severity: { code: 2 } });
    expect(event.event.severity).toBe(2);
    expect(event['@timestamp']).toBe('2016-10-11T22:14:15.000Z');
  });

  it.each([
    ['Oct 11 22:14:15 host su[812]: FAILED su for root by alice', 'failure', 'alice', 'root'],
    ['Oct 11 22:14:15 host su[812]: Successful su for root by alice', 'success', 'alice', 'root'],
    ['Oct 11 22:14:15 host su[812]: (to root) alice on pts/1', 'success', 'alice', 'root'],
    ['Oct 11 22:14:15 host su[812]: FAILED SU (to root) alice on pts/1', 'failure', 'alice', 'root'],
  ])('reads su (shadow-utils, util-linux): %s', (line, outcome, user, target) => {
    const event = one(line);
    expect(event.event).toMatchObject({ action: 'su', outcome });
    expect(event.user).toEqual({ name: user, target: { name: target } });
  });

  it.each([
    ['Connection closed by authenticating user root 203.0.113.9 port 52114 [preauth]', 'ssh_connection_closed', 'root'],
    ['Disconnected from invalid user oracle 203.0.113.9 port 52114 [preauth]', 'ssh_disconnected', 'oracle'],
    ['error: maximum authentication attempts exceeded for root from 203.0.113.9 port 52114 ssh2 [preauth]', 'ssh_max_auth_attempts', 'root'],
    ['Failed publickey for git from 203.0.113.9 port 52114 ssh2: ED25519 SHA256:abc', 'ssh_login', 'git'],
  ])('reads OpenSSH %s', (message, action, user) => {
    const event = one(`Mar  1 10:00:00 bastion sshd-session[99]: ${message}`);
    expect(event.event).toMatchObject({ action, outcome: 'failure' });
    expect(event.user?.name).toBe(user);
    expect(event.source?.ip).toBe('203.0.113.9');
  });

  it('reads RFC 3164 lines without a hostname', () => {
    const su = one('<86>Oct 11 22:14:15 su: pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 ruser=alice rhost=  user=root');
    expect(su.host).toBeUndefined();
    expect(su.process?.name).toBe('su');
    expect(su.event).toMatchObject({ action: 'pam_auth_failure', outcome: 'failure' });
    expect(su.user?.name).toBe('root');
    const sshd = one('Oct 11 22:14:15 sshd[123]: Failed password for root from 203.0.113.9 port 22 ssh2');
    expect(sshd.process).toEqual({ name: 'sshd', pid: 123 });
    expect(sshd.event.outcome).toBe('failure');
  });

  it('puts an RFC 3164 date no more than a day ahead of now', () => {
    expect(one('Dec 31 23:59:59 host app: x')['@timestamp']).toBe('2016-12-31T23:59:59.000Z');
    expect(one('Mar  1 12:00:00 host app: x')['@timestamp']).toBe('2017-03-01T12:00:00.000Z');
  });

  it('derives ids from the line: same line, same id', () => {
    const line = sampleLines('syslog', 'beats-system-auth-test.log')[3]!;
    expect(one(line).event.id).toBe(one(line).event.id);
    expect(one(line).event.id).not.toBe(one(`${line} `.trim() + 'x').event.id);
  });

  it.each([
    ['<999>Oct 11 22:14:15 host app: x', 'syslog.bad_priority'],
    ['<abc>Oct 11 22:14:15 host app: x', 'syslog.bad_priority'],
    ['<34>hello world', 'syslog.bad_header'],
    ['<34>Feb 30 22:14:15 host app: x', 'syslog.bad_timestamp'],
    ['<34>1 yesterday host app - - - x', 'syslog.bad_timestamp'],
    ['<34>1 2003-10-11T22:14:15Z host', 'syslog.bad_header'],
  ])('refuses %j with %s', (line, reason) => {
    const outcome = refusal(parseRecord(line, { now: NOW }));
    expect(outcome.reason).toBe(reason);
    expect(outcome.message).toMatch(/^syslog: /);
  });

  it('names the line of a chunk that is wrong', () => {
    const outcome = refusal(parseRecord('Oct 11 22:14:15 host app: fine\n<999>Oct 11 22:14:15 host app: x', { now: NOW }));
    expect(outcome.message).toMatch(/^syslog: line 2: /);
  });
});
