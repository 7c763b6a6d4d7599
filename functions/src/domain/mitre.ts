import type { EventType } from './event';
import type { MitreTechnique } from './threat';

/** ATT&CK Enterprise tactics, by their official names. */
export type MitreTactic =
  | 'Reconnaissance'
  | 'Initial Access'
  | 'Execution'
  | 'Persistence'
  | 'Privilege Escalation'
  | 'Defense Evasion'
  | 'Credential Access'
  | 'Discovery'
  | 'Lateral Movement'
  | 'Command and Control'
  | 'Exfiltration'
  | 'Impact';

/**
 * The techniques this pipeline can name, with their ATT&CK Enterprise ids and names. A
 * technique that ATT&CK files under several tactics is listed under the one our events give
 * evidence of (e.g. Valid Accounts: Initial Access, for a suspicious login), since a threat
 * document carries one tactic per technique.
 */
const TECHNIQUE_TABLE: readonly (readonly [id: string, name: string, tactic: MitreTactic])[] = [
  ['T1003', 'OS Credential Dumping', 'Credential Access'],
  ['T1021', 'Remote Services', 'Lateral Movement'],
  ['T1021.001', 'Remote Desktop Protocol', 'Lateral Movement'],
  ['T1021.002', 'SMB/Windows Admin Shares', 'Lateral Movement'],
  ['T1021.004', 'SSH', 'Lateral Movement'],
  ['T1021.005', 'VNC', 'Lateral Movement'],
  ['T1027', 'Obfuscated Files or Information', 'Defense Evasion'],
  ['T1027.002', 'Software Packing', 'Defense Evasion'],
  ['T1041', 'Exfiltration Over C2 Channel', 'Exfiltration'],
  ['T1046', 'Network Service Discovery', 'Discovery'],
  ['T1048', 'Exfiltration Over Alternative Protocol', 'Exfiltration'],
  ['T1048.003', 'Exfiltration Over Unencrypted Non-C2 Protocol', 'Exfiltration'],
  ['T1059', 'Command and Scripting Interpreter', 'Execution'],
  ['T1059.007', 'JavaScript', 'Execution'],
  ['T1068', 'Exploitation for Privilege Escalation', 'Privilege Escalation'],
  ['T1071', 'Application Layer Protocol', 'Command and Control'],
  ['T1071.001', 'Web Protocols', 'Command and Control'],
  ['T1071.004', 'DNS', 'Command and Control'],
  ['T1078', 'Valid Accounts', 'Initial Access'],
  ['T1078.004', 'Cloud Accounts', 'Initial Access'],
  ['T1083', 'File and Directory Discovery', 'Discovery'],
  ['T1090', 'Proxy', 'Command and Control'],
  ['T1090.003', 'Multi-hop Proxy', 'Command and Control'],
  ['T1095', 'Non-Application Layer Protocol', 'Command and Control'],
  ['T1098', 'Account Manipulation', 'Privilege Escalation'],
  ['T1105', 'Ingress Tool Transfer', 'Command and Control'],
  ['T1110', 'Brute Force', 'Credential Access'],
  ['T1110.001', 'Password Guessing', 'Credential Access'],
  ['T1110.003', 'Password Spraying', 'Credential Access'],
  ['T1110.004', 'Credential Stuffing', 'Credential Access'],
  ['T1133', 'External Remote Services', 'Initial Access'],
  ['T1189', 'Drive-by Compromise', 'Initial Access'],
  ['T1190', 'Exploit Public-Facing Application', 'Initial Access'],
  ['T1204', 'User Execution', 'Execution'],
  ['T1204.001', 'Malicious Link', 'Execution'],
  ['T1204.002', 'Malicious File', 'Execution'],
  ['T1486', 'Data Encrypted for Impact', 'Impact'],
  ['T1489', 'Service Stop', 'Impact'],
  ['T1490', 'Inhibit System Recovery', 'Impact'],
  ['T1496', 'Resource Hijacking', 'Impact'],
  ['T1498', 'Network Denial of Service', 'Impact'],
  ['T1498.001', 'Direct Network Flood', 'Impact'],
  ['T1498.002', 'Reflection Amplification', 'Impact'],
  ['T1499', 'Endpoint Denial of Service', 'Impact'],
  ['T1499.001', 'OS Exhaustion Flood', 'Impact'],
  ['T1499.002', 'Service Exhaustion Flood', 'Impact'],
  ['T1539', 'Steal Web Session Cookie', 'Credential Access'],
  ['T1548', 'Abuse Elevation Control Mechanism', 'Privilege Escalation'],
  ['T1548.001', 'Setuid and Setgid', 'Privilege Escalation'],
  ['T1548.002', 'Bypass User Account Control', 'Privilege Escalation'],
  ['T1548.003', 'Sudo and Sudo Caching', 'Privilege Escalation'],
  ['T1555', 'Credentials from Password Stores', 'Credential Access'],
  ['T1566', 'Phishing', 'Initial Access'],
  ['T1566.001', 'Spearphishing Attachment', 'Initial Access'],
  ['T1566.002', 'Spearphishing Link', 'Initial Access'],
  ['T1567', 'Exfiltration Over Web Service', 'Exfiltration'],
  ['T1567.002', 'Exfiltration to Cloud Storage', 'Exfiltration'],
  ['T1567.003', 'Exfiltration to Text Storage Sites', 'Exfiltration'],
  ['T1568', 'Dynamic Resolution', 'Command and Control'],
  ['T1568.002', 'Domain Generation Algorithms', 'Command and Control'],
  ['T1571', 'Non-Standard Port', 'Command and Control'],
  ['T1573', 'Encrypted Channel', 'Command and Control'],
  ['T1595', 'Active Scanning', 'Reconnaissance'],
  ['T1595.001', 'Scanning IP Blocks', 'Reconnaissance'],
  ['T1595.002', 'Vulnerability Scanning', 'Reconnaissance'],
  ['T1621', 'Multi-Factor Authentication Request Generation', 'Credential Access'],
];

const TECHNIQUES_BY_ID: ReadonlyMap<string, MitreTechnique> = new Map(
  TECHNIQUE_TABLE.map(([id, name, tactic]) => [id, Object.freeze({ id, name, tactic })]),
);

/** Every technique in the table, in id order. */
export const MITRE_TECHNIQUES: readonly MitreTechnique[] = [...TECHNIQUES_BY_ID.values()];

/** The technique with this id, or undefined when it is not in our table. */
export function techniqueById(id: string): MitreTechnique | undefined {
  return TECHNIQUES_BY_ID.get(id.trim().toUpperCase());
}

/** Whether an id (e.g. one an LLM proposed) names a technique in our table. */
export function isKnownTechnique(id: string): boolean {
  return techniqueById(id) !== undefined;
}

/** Looks up ids this module itself uses; an unknown one is a programming error. */
function techniques(ids: readonly string[]): MitreTechnique[] {
  return ids.map((id) => {
    const technique = TECHNIQUES_BY_ID.get(id);
    if (technique === undefined) throw new Error(`MITRE technique ${id} is missing from the table`);
    return technique;
  });
}

/** Techniques every event of a type maps to, before evidence refines the mapping. */
export const BASE_TECHNIQUE_IDS: Readonly<Record<EventType, readonly string[]>> = {
  brute_force: ['T1110'],
  port_scan: ['T1046'],
  malware: ['T1204.002'],
  ddos: ['T1498'],
  sql_injection: ['T1190'],
  xss: ['T1189', 'T1059.007'],
  phishing: ['T1566'],
  data_exfiltration: [], // the channel decides: see exfiltrationTechniques
  privilege_escalation: [], // the method decides: see escalationTechniques
  ransomware: ['T1486'],
  c2_beacon: ['T1071'],
  suspicious_login: ['T1078'],
  exploit: ['T1190'],
  path_traversal: ['T1190', 'T1083'],
  command_injection: ['T1190', 'T1059'],
  reconnaissance: ['T1595'],
  policy_violation: [], // against policy, not a technique: the sensor's own ids are kept beside ours
  protocol_anomaly: [], // malformed traffic says nothing certain about the behaviour
  unknown: [], // nothing is known about the behaviour, so no technique is claimed
};

/** What the rules engine read from an event that changes which techniques apply. */
export interface TechniqueEvidence {
  destinationPort?: number;
  /** Brute force: distinct accounts tried (many accounts, few tries each: spraying). */
  distinctUsers?: number;
  attemptsPerUser?: number;
  /** The sensor itself called it spraying. */
  passwordSpraying?: boolean;
  credentialStuffing?: boolean;
  /** A login (after brute force, or a flagged one) that succeeded. */
  loginSucceeded?: boolean;
  /** The source is on the internet (a scan from outside is reconnaissance). */
  externalSource?: boolean;
  hostsScanned?: number;
  vulnerabilityScanner?: boolean;
  malwareKind?: 'miner' | 'stealer' | 'loader' | 'credential_dumper' | 'ransomware';
  packed?: boolean;
  downloaded?: boolean;
  denialVector?: 'volumetric' | 'amplification' | 'state_exhaustion' | 'application';
  cookieTheft?: boolean;
  phishingAttachment?: boolean;
  phishingLink?: boolean;
  linkClicked?: boolean;
  attachmentOpened?: boolean;
  exfiltrationChannel?: 'c2' | 'web_service' | 'cloud_storage' | 'text_storage' | 'unencrypted_protocol' | 'other_protocol';
  escalationMethod?: 'exploit' | 'sudo' | 'uac_bypass' | 'setuid' | 'account_manipulation' | 'unspecified';
  recoveryInhibited?: boolean;
  servicesStopped?: boolean;
  c2Channel?: 'web' | 'dns' | 'non_application';
  encryptedChannel?: boolean;
  nonStandardPort?: boolean;
  domainGeneration?: boolean;
  cloudAccount?: boolean;
  mfaFatigue?: boolean;
  remoteAccessService?: boolean;
  priorFailures?: number;
  /** Exploit-type attacks: the request carries a shell command (T1059) or reads files by path (T1083). */
  shellCommand?: boolean;
  fileDiscovery?: boolean;
  /** Policy violation: traffic to or through TOR (Multi-hop Proxy). */
  torTraffic?: boolean;
}

/** Remote-access services whose brute forcing is also an attempt at lateral movement. */
const REMOTE_SERVICE_BY_PORT: ReadonlyMap<number, string> = new Map([
  [22, 'T1021.004'],
  [3389, 'T1021.001'],
  [445, 'T1021.002'],
  [139, 'T1021.002'],
  [5900, 'T1021.005'],
]);

/** Distinct accounts from one source from which a brute force may be password spraying. */
export const SPRAYING_MIN_USERS = 5;
/** Attempts per account at or below which many accounts mean spraying, not guessing. */
export const SPRAYING_MAX_ATTEMPTS_PER_USER = 3;

/** Many accounts, few tries each: one password tried everywhere (T1110.003), not guessing. */
export function looksLikePasswordSpraying(distinctUsers: number | undefined, attemptsPerUser: number | undefined): boolean {
  return (
    distinctUsers !== undefined &&
    distinctUsers >= SPRAYING_MIN_USERS &&
    attemptsPerUser !== undefined &&
    attemptsPerUser <= SPRAYING_MAX_ATTEMPTS_PER_USER
  );
}
/** MFA prompts within one login above which it is push fatigue. */
export const MFA_FATIGUE_MIN_PROMPTS = 3;

/**
 * The ATT&CK techniques for an event of a type, refined by evidence: e.g. a brute force
 * against SSH is Password Guessing (T1110.001) aimed at SSH (T1021.004); against many
 * accounts with few tries each it is Password Spraying (T1110.003). Parent techniques are
 * kept beside sub-techniques so a search for the parent finds the event.
 */
export function mapTechniques(type: EventType, evidence: TechniqueEvidence): MitreTechnique[] {
  const ids = [...BASE_TECHNIQUE_IDS[type]];
  switch (type) {
    case 'brute_force': {
      if (evidence.credentialStuffing) ids.push('T1110.004');
      else if (evidence.passwordSpraying || looksLikePasswordSpraying(evidence.distinctUsers, evidence.attemptsPerUser)) {
        ids.push('T1110.003');
      }
      else ids.push('T1110.001');
      const remoteService = REMOTE_SERVICE_BY_PORT.get(evidence.destinationPort ?? -1);
      if (remoteService !== undefined) ids.push('T1021', remoteService);
      if (evidence.loginSucceeded) ids.push('T1078');
      break;
    }
    case 'port_scan':
      if (evidence.externalSource) {
        ids.push('T1595');
        if ((evidence.hostsScanned ?? 0) > 1) ids.push('T1595.001');
        if (evidence.vulnerabilityScanner) ids.push('T1595.002');
      }
      break;
    case 'malware':
      if (evidence.downloaded) ids.push('T1105');
      if (evidence.packed) ids.push('T1027', 'T1027.002');
      if (evidence.malwareKind === 'miner') ids.push('T1496');
      if (evidence.malwareKind === 'stealer') ids.push('T1555');
      if (evidence.malwareKind === 'credential_dumper') ids.push('T1003');
      if (evidence.malwareKind === 'loader') ids.push('T1105');
      if (evidence.malwareKind === 'ransomware') ids.push('T1486');
      break;
    case 'ddos':
      if (evidence.denialVector === 'volumetric') ids.push('T1498.001');
      if (evidence.denialVector === 'amplification') ids.push('T1498.002');
      if (evidence.denialVector === 'state_exhaustion') ids.splice(0, ids.length, 'T1499', 'T1499.001');
      if (evidence.denialVector === 'application') ids.splice(0, ids.length, 'T1499', 'T1499.002');
      break;
    case 'xss':
      if (evidence.cookieTheft) ids.push('T1539');
      break;
    case 'phishing':
      if (evidence.phishingAttachment) ids.push('T1566.001');
      if (evidence.phishingLink) ids.push('T1566.002');
      if (evidence.linkClicked || evidence.attachmentOpened) ids.push('T1204');
      if (evidence.linkClicked) ids.push('T1204.001');
      if (evidence.attachmentOpened) ids.push('T1204.002');
      break;
    case 'data_exfiltration':
      ids.push(...exfiltrationTechniques(evidence.exfiltrationChannel));
      break;
    case 'privilege_escalation':
      ids.push(...escalationTechniques(evidence.escalationMethod));
      break;
    case 'ransomware':
      if (evidence.recoveryInhibited) ids.push('T1490');
      if (evidence.servicesStopped) ids.push('T1489');
      break;
    case 'c2_beacon':
      if (evidence.c2Channel === 'web') ids.push('T1071.001');
      if (evidence.c2Channel === 'dns') ids.push('T1071.004');
      if (evidence.c2Channel === 'non_application') ids.splice(0, ids.length, 'T1095');
      if (evidence.encryptedChannel) ids.push('T1573');
      if (evidence.nonStandardPort) ids.push('T1571');
      if (evidence.domainGeneration) ids.push('T1568', 'T1568.002');
      break;
    case 'suspicious_login':
      if (evidence.cloudAccount) ids.push('T1078.004');
      if (evidence.remoteAccessService) ids.push('T1133');
      if (evidence.mfaFatigue) ids.push('T1621');
      if ((evidence.priorFailures ?? 0) >= 5) ids.push('T1110');
      break;
    case 'exploit':
    case 'path_traversal':
    case 'command_injection':
      if (evidence.shellCommand) ids.push('T1059');
      if (evidence.fileDiscovery) ids.push('T1083');
      break;
    case 'reconnaissance':
      if (evidence.vulnerabilityScanner) ids.push('T1595.002');
      break;
    case 'policy_violation':
      if (evidence.torTraffic) ids.push('T1090', 'T1090.003');
      break;
    case 'sql_injection':
    case 'protocol_anomaly':
    case 'unknown':
      break;
  }
  return techniques([...new Set(ids)]);
}

function exfiltrationTechniques(channel: TechniqueEvidence['exfiltrationChannel']): string[] {
  switch (channel) {
    case 'web_service':
      return ['T1567'];
    case 'cloud_storage':
      return ['T1567', 'T1567.002'];
    case 'text_storage':
      return ['T1567', 'T1567.003'];
    case 'unencrypted_protocol':
      return ['T1048', 'T1048.003'];
    case 'other_protocol':
      return ['T1048'];
    case 'c2':
    case undefined:
      // Data leaving over an established channel to an unknown host: the ATT&CK default.
      return ['T1041'];
  }
}

function escalationTechniques(method: TechniqueEvidence['escalationMethod']): string[] {
  switch (method) {
    case 'sudo':
      return ['T1548', 'T1548.003'];
    case 'uac_bypass':
      return ['T1548', 'T1548.002'];
    case 'setuid':
      return ['T1548', 'T1548.001'];
    case 'account_manipulation':
      return ['T1098'];
    case 'exploit':
    case 'unspecified':
    case undefined:
      // Without a named mechanism, a privilege gain on a host is most often an exploit.
      return ['T1068'];
  }
}
