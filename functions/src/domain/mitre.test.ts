import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventType } from './event';
import {
  BASE_TECHNIQUE_IDS,
  isKnownTechnique,
  looksLikePasswordSpraying,
  mapTechniques,
  MITRE_TECHNIQUES,
  techniqueById,
  type TechniqueEvidence,
} from './mitre';
import { MitreTechniqueSchema } from './threat';

const TACTICS = [
  'Reconnaissance',
  'Resource Development',
  'Initial Access',
  'Execution',
  'Persistence',
  'Privilege Escalation',
  'Defense Evasion',
  'Credential Access',
  'Discovery',
  'Lateral Movement',
  'Collection',
  'Command and Control',
  'Exfiltration',
  'Impact',
];

const ids = (type: EventType, evidence: TechniqueEvidence = {}) => mapTechniques(type, evidence).map((technique) => technique.id);

describe('the technique table', () => {
  it('has at least 30 techniques with well-formed, unique ids', () => {
    expect(MITRE_TECHNIQUES.length).toBeGreaterThanOrEqual(30);
    for (const technique of MITRE_TECHNIQUES) expect(MitreTechniqueSchema.parse(technique)).toEqual(technique);
    expect(new Set(MITRE_TECHNIQUES.map((technique) => technique.id)).size).toBe(MITRE_TECHNIQUES.length);
  });

  it('uses only official tactic names and non-empty technique names', () => {
    for (const technique of MITRE_TECHNIQUES) {
      expect(TACTICS).toContain(technique.tactic);
      expect(technique.name.trim()).not.toBe('');
    }
  });

  it('lists the parent of every sub-technique', () => {
    for (const { id } of MITRE_TECHNIQUES) {
      if (id.includes('.')) expect(isKnownTechnique(id.split('.')[0]!), `parent of ${id}`).toBe(true);
    }
  });

  // Checked against attack.mitre.org (Enterprise).
  it.each([
    ['T1110', 'Brute Force', 'Credential Access'],
    ['T1110.001', 'Password Guessing', 'Credential Access'],
    ['T1110.003', 'Password Spraying', 'Credential Access'],
    ['T1110.004', 'Credential Stuffing', 'Credential Access'],
    ['T1046', 'Network Service Discovery', 'Discovery'],
    ['T1498', 'Network Denial of Service', 'Impact'],
    ['T1499', 'Endpoint Denial of Service', 'Impact'],
    ['T1190', 'Exploit Public-Facing Application', 'Initial Access'],
    ['T1189', 'Drive-by Compromise', 'Initial Access'],
    ['T1059.007', 'JavaScript', 'Execution'],
    ['T1566', 'Phishing', 'Initial Access'],
    ['T1566.001', 'Spearphishing Attachment', 'Initial Access'],
    ['T1566.002', 'Spearphishing Link', 'Initial Access'],
    ['T1041', 'Exfiltration Over C2 Channel', 'Exfiltration'],
    ['T1048', 'Exfiltration Over Alternative Protocol', 'Exfiltration'],
    ['T1567', 'Exfiltration Over Web Service', 'Exfiltration'],
    ['T1068', 'Exploitation for Privilege Escalation', 'Privilege Escalation'],
    ['T1548', 'Abuse Elevation Control Mechanism', 'Privilege Escalation'],
    ['T1078', 'Valid Accounts', 'Initial Access'],
    ['T1486', 'Data Encrypted for Impact', 'Impact'],
    ['T1490', 'Inhibit System Recovery', 'Impact'],
    ['T1071', 'Application Layer Protocol', 'Command and Control'],
    ['T1071.001', 'Web Protocols', 'Command and Control'],
    ['T1071.004', 'DNS', 'Command and Control'],
    ['T1573', 'Encrypted Channel', 'Command and Control'],
    ['T1095', 'Non-Application Layer Protocol', 'Command and Control'],
    ['T1105', 'Ingress Tool Transfer', 'Command and Control'],
    ['T1204', 'User Execution', 'Execution'],
    ['T1027', 'Obfuscated Files or Information', 'Defense Evasion'],
    ['T1021', 'Remote Services', 'Lateral Movement'],
    ['T1021.001', 'Remote Desktop Protocol', 'Lateral Movement'],
    ['T1021.004', 'SSH', 'Lateral Movement'],
    ['T1595', 'Active Scanning', 'Reconnaissance'],
    ['T1083', 'File and Directory Discovery', 'Discovery'],
    ['T1090', 'Proxy', 'Command and Control'],
    ['T1090.003', 'Multi-hop Proxy', 'Command and Control'],
    ['T1059', 'Command and Scripting Interpreter', 'Execution'],
    ['T1190', 'Exploit Public-Facing Application', 'Initial Access'],
  ])('%s is %s (%s)', (id, name, tactic) => {
    expect(techniqueById(id)).toEqual({ id, name, tactic });
  });
});

describe('techniqueById and isKnownTechnique', () => {
  it('tolerates case and surrounding spaces (as an LLM might write ids)', () => {
    expect(techniqueById(' t1110.001 ')?.id).toBe('T1110.001');
    expect(isKnownTechnique('t1486')).toBe(true);
  });

  it.each(['T9999', 'T1110.999', 'T1110.1', '1110', 'TA0006', '', 'Brute Force', 'T1110;DROP'])('does not know %j', (id) => {
    expect(isKnownTechnique(id)).toBe(false);
    expect(techniqueById(id)).toBeUndefined();
  });

  it('returns techniques that cannot be changed by a caller', () => {
    const technique = techniqueById('T1110')!;
    expect(() => {
      (technique as { name: string }).name = 'changed';
    }).toThrow(TypeError);
  });
});

describe('mapTechniques', () => {
  /** Types that are no technique by themselves: only evidence (or the sensor's own ids) names one. */
  const NOTHING_WITHOUT_EVIDENCE: readonly EventType[] = ['unknown', 'policy_violation', 'protocol_anomaly'];

  it.each(EVENT_TYPES.filter((type) => !NOTHING_WITHOUT_EVIDENCE.includes(type)))('maps %s to at least one technique without evidence', (type) => {
    expect(ids(type).length).toBeGreaterThan(0);
  });

  it.each(NOTHING_WITHOUT_EVIDENCE)('claims no technique for %s without evidence', (type) => {
    expect(ids(type)).toEqual([]);
  });

  it.each<[EventType, string[]]>([
    ['exploit', ['T1190']],
    ['path_traversal', ['T1190', 'T1083']],
    ['command_injection', ['T1190', 'T1059']],
    ['reconnaissance', ['T1595']],
  ])('maps %s to its base techniques %j', (type, expected) => {
    expect(ids(type)).toEqual(expected);
  });

  it('claims no technique for an unknown event', () => {
    expect(ids('unknown')).toEqual([]);
    expect(BASE_TECHNIQUE_IDS.unknown).toEqual([]);
  });

  it.each<[string, EventType, TechniqueEvidence, string[], string[]]>([
    ['seed: SSH brute force', 'brute_force', { destinationPort: 22 }, ['T1110', 'T1110.001', 'T1021', 'T1021.004'], ['T1110.003']],
    ['RDP brute force', 'brute_force', { destinationPort: 3389 }, ['T1110.001', 'T1021.001'], ['T1021.004']],
    ['SMB brute force', 'brute_force', { destinationPort: 445 }, ['T1021.002'], []],
    ['brute force on a web port', 'brute_force', { destinationPort: 443 }, ['T1110', 'T1110.001'], ['T1021']],
    ['many accounts, few tries each', 'brute_force', { distinctUsers: 40, attemptsPerUser: 1 }, ['T1110', 'T1110.003'], ['T1110.001']],
    ['many accounts, many tries each', 'brute_force', { distinctUsers: 40, attemptsPerUser: 50 }, ['T1110.001'], ['T1110.003']],
    ['sensor says spraying', 'brute_force', { passwordSpraying: true }, ['T1110.003'], ['T1110.001']],
    ['credential stuffing', 'brute_force', { credentialStuffing: true, distinctUsers: 40, attemptsPerUser: 1 }, ['T1110.004'], ['T1110.003']],
    ['brute force that got in', 'brute_force', { loginSucceeded: true }, ['T1078'], []],
    ['internal scan', 'port_scan', { externalSource: false, hostsScanned: 50 }, ['T1046'], ['T1595']],
    ['sweep from the internet', 'port_scan', { externalSource: true, hostsScanned: 50 }, ['T1046', 'T1595', 'T1595.001'], ['T1595.002']],
    ['vulnerability scanner', 'port_scan', { externalSource: true, vulnerabilityScanner: true }, ['T1595', 'T1595.002'], ['T1595.001']],
    ['infostealer', 'malware', { malwareKind: 'stealer' }, ['T1204.002', 'T1555'], []],
    ['packed miner', 'malware', { malwareKind: 'miner', packed: true }, ['T1496', 'T1027', 'T1027.002'], []],
    ['mimikatz', 'malware', { malwareKind: 'credential_dumper' }, ['T1003'], []],
    ['downloaded loader', 'malware', { malwareKind: 'loader', downloaded: true }, ['T1105'], []],
    ['UDP flood', 'ddos', { denialVector: 'volumetric' }, ['T1498', 'T1498.001'], ['T1499']],
    ['DNS amplification', 'ddos', { denialVector: 'amplification' }, ['T1498', 'T1498.002'], []],
    ['SYN flood', 'ddos', { denialVector: 'state_exhaustion' }, ['T1499', 'T1499.001'], ['T1498']],
    ['HTTP flood', 'ddos', { denialVector: 'application' }, ['T1499', 'T1499.002'], ['T1498']],
    ['SQL injection', 'sql_injection', {}, ['T1190'], []],
    ['cookie-stealing XSS', 'xss', { cookieTheft: true }, ['T1189', 'T1059.007', 'T1539'], []],
    ['plain XSS', 'xss', {}, ['T1189', 'T1059.007'], ['T1539']],
    ['phishing link clicked', 'phishing', { phishingLink: true, linkClicked: true }, ['T1566', 'T1566.002', 'T1204', 'T1204.001'], ['T1566.001']],
    ['phishing attachment opened', 'phishing', { phishingAttachment: true, attachmentOpened: true }, ['T1566.001', 'T1204.002'], []],
    ['exfiltration to Mega', 'data_exfiltration', { exfiltrationChannel: 'cloud_storage' }, ['T1567', 'T1567.002'], ['T1041']],
    ['exfiltration to Pastebin', 'data_exfiltration', { exfiltrationChannel: 'text_storage' }, ['T1567', 'T1567.003'], []],
    ['exfiltration over FTP', 'data_exfiltration', { exfiltrationChannel: 'unencrypted_protocol' }, ['T1048', 'T1048.003'], ['T1041']],
    ['exfiltration, channel unknown', 'data_exfiltration', {}, ['T1041'], ['T1048']],
    ['sudo abuse', 'privilege_escalation', { escalationMethod: 'sudo' }, ['T1548', 'T1548.003'], ['T1068']],
    ['UAC bypass', 'privilege_escalation', { escalationMethod: 'uac_bypass' }, ['T1548', 'T1548.002'], []],
    ['role grant', 'privilege_escalation', { escalationMethod: 'account_manipulation' }, ['T1098'], ['T1068']],
    ['kernel exploit', 'privilege_escalation', { escalationMethod: 'exploit' }, ['T1068'], ['T1548']],
    ['ransomware deleting shadow copies', 'ransomware', { recoveryInhibited: true, servicesStopped: true }, ['T1486', 'T1490', 'T1489'], []],
    ['HTTPS beacon on an odd port', 'c2_beacon', { c2Channel: 'web', encryptedChannel: true, nonStandardPort: true }, ['T1071', 'T1071.001', 'T1573', 'T1571'], []],
    ['DNS tunnel with DGA', 'c2_beacon', { c2Channel: 'dns', domainGeneration: true }, ['T1071.004', 'T1568', 'T1568.002'], []],
    ['raw ICMP channel', 'c2_beacon', { c2Channel: 'non_application' }, ['T1095'], ['T1071']],
    ['MFA fatigue on a cloud account', 'suspicious_login', { cloudAccount: true, mfaFatigue: true }, ['T1078', 'T1078.004', 'T1621'], []],
    ['VPN login after failures', 'suspicious_login', { remoteAccessService: true, priorFailures: 12 }, ['T1133', 'T1110'], []],
    ['exploit dropping a shell command', 'exploit', { shellCommand: true }, ['T1190', 'T1059'], ['T1083']],
    ['command injection reading /etc/passwd', 'command_injection', { shellCommand: true, fileDiscovery: true }, ['T1190', 'T1059', 'T1083'], []],
    ['vulnerability scanner probing', 'reconnaissance', { vulnerabilityScanner: true }, ['T1595', 'T1595.002'], ['T1046']],
    ['TOR traffic', 'policy_violation', { torTraffic: true }, ['T1090', 'T1090.003'], []],
  ])('%s', (_name, type, evidence, included, excluded) => {
    const mapped = ids(type, evidence);
    for (const id of included) expect(mapped).toContain(id);
    for (const id of excluded) expect(mapped).not.toContain(id);
    expect(new Set(mapped).size).toBe(mapped.length);
  });
});

describe('looksLikePasswordSpraying', () => {
  it.each<[number | undefined, number | undefined, boolean]>([
    [5, 3, true],
    [100, 1, true],
    [4, 1, false],
    [5, 4, false],
    [undefined, 1, false],
    [10, undefined, false],
  ])('%s accounts, %s tries each: %s', (users, perUser, expected) => {
    expect(looksLikePasswordSpraying(users, perUser)).toBe(expected);
  });
});
