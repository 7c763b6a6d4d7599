import { z } from 'zod';
import { SEVERITIES, type NormalizedEvent, type Severity } from './schema.js';
import { isIp } from './util.js';

/**
 * Event types a threat can have. The first thirteen are design.md's; the rest are what real
 * sensor alerts need (an ET EXPLOIT or Log4Shell alert is neither SQL injection nor malware).
 */
export const EVENT_TYPES = [
  'brute_force',
  'port_scan',
  'malware',
  'ddos',
  'sql_injection',
  'xss',
  'phishing',
  'data_exfiltration',
  'privilege_escalation',
  'ransomware',
  'c2_beacon',
  'suspicious_login',
  'exploit',
  'path_traversal',
  'command_injection',
  'reconnaissance',
  'policy_violation',
  'protocol_anomaly',
  'unknown',
] as const;
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;
export { SEVERITIES };

const IpSchema = z
  .string()
  .trim()
  .refine((value) => isIp(value), { message: 'must be an IPv4 or IPv6 address' });

/** design.md's event, as producers send it (snake_case). Unknown extra fields are allowed. */
export const SecurityEventInputSchema = z.looseObject({
  event_id: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(128, 'must be at most 128 characters')
    .regex(/^[^/]+$/, 'must not contain "/"'),
  timestamp: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
  event_type: z.string().trim().min(1).max(64),
  source_ip: IpSchema,
  destination_ip: IpSchema.optional(),
  destination_port: z.number().int().min(0).max(65535).optional(),
  protocol: z.string().trim().min(1).max(16).optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type SecurityEventInput = z.input<typeof SecurityEventInputSchema>;

/** What a sensor said about its alert, kept beside our own analysis (metadata.sensor). */
export interface SensorVerdict {
  product?: string;
  vendor?: string;
  signature?: string;
  signature_id?: string;
  category?: string;
  ruleset?: string;
  severity?: Severity;
  technique_ids?: string[];
  tactic_ids?: string[];
}

/** Where a record carries no source address (some CEF alerts), per design.md's required field. */
export const UNKNOWN_SOURCE_IP = '0.0.0.0';

/**
 * The design.md event for a normalised event, for the threat pipeline. Our own JSON comes back
 * exactly as it arrived. A sensor alert gets its event type from its signature, ruleset,
 * classtype and ATT&CK ids, and keeps the sensor's verdict in `metadata.sensor`.
 */
export function toSecurityEvent(e: NormalizedEvent): SecurityEventInput {
  if (e.event.format === 'threatstream' && e.threatstream) return e.threatstream.event as SecurityEventInput;
  const sourceIp = e.source?.ip ?? UNKNOWN_SOURCE_IP;
  const sensor: SensorVerdict = {};
  if (e.observer?.product) sensor.product = e.observer.product;
  if (e.observer?.vendor) sensor.vendor = e.observer.vendor;
  if (e.rule?.name) sensor.signature = e.rule.name;
  if (e.rule?.id) sensor.signature_id = e.rule.id;
  if (e.rule?.category) sensor.category = e.rule.category;
  if (e.rule?.ruleset) sensor.ruleset = e.rule.ruleset;
  if (e.event.severity_label) sensor.severity = e.event.severity_label;
  if (e.threat?.technique?.id.length) sensor.technique_ids = e.threat.technique.id;
  if (e.threat?.tactic?.id.length) sensor.tactic_ids = e.threat.tactic.id;

  const payload: Record<string, unknown> = {};
  if (e.message) payload.summary = e.message;
  if (e.rule?.name) payload.signature = e.rule.name;
  if (e.url?.original) payload.url = e.url.original;
  if (e.http?.request?.method) payload.http_method = e.http.request.method;
  if (e.http?.response?.status_code !== undefined) payload.http_status = e.http.response.status_code;
  if (e.user_agent?.original) payload.user_agent = e.user_agent.original;
  if (e.user?.name) payload.user = e.user.name;
  if (e.dns?.question?.name) payload.dns_query = e.dns.question.name;
  if (e.tls?.server?.sni) payload.tls_sni = e.tls.server.sni;
  const printable = e.suricata?.eve.payload_printable;
  if (typeof printable === 'string') payload.payload_printable = printable;

  const metadata: Record<string, unknown> = {
    format: e.event.format,
    kind: e.event.kind,
    sensor,
  };
  if (sourceIp === UNKNOWN_SOURCE_IP && !e.source?.ip) metadata.source_ip_missing = true;
  if (e.network?.community_id) metadata.community_id = e.network.community_id;
  if (e.observer?.hostname) metadata.observer_hostname = e.observer.hostname;
  if (e.source?.port !== undefined) metadata.source_port = e.source.port;
  metadata.original = e.event.original;

  const event: SecurityEventInput = {
    event_id: e.event.id,
    timestamp: e['@timestamp'],
    event_type: e.event.kind === 'alert' ? classifyAlert(e) : 'unknown',
    source_ip: sourceIp,
    payload,
    metadata,
  };
  if (e.destination?.ip) event.destination_ip = e.destination.ip;
  if (e.destination?.port !== undefined) event.destination_port = e.destination.port;
  const protocol = e.network?.transport ?? e.network?.protocol;
  if (protocol) event.protocol = protocol.toUpperCase().slice(0, 16);
  return event;
}

// Ordered: the first match wins. Specific web attacks before the broad "exploit".
const SIGNATURE_PATTERNS: [RegExp, EventType][] = [
  [/sql injection|\bsqli\b|union\s+(all\s+)?select|sql errors? in http/i, 'sql_injection'],
  [/\bxss\b|cross[- ]site scripting|<script/i, 'xss'],
  [/directory traversal|path traversal|\.\.\/|\.\.%2f|local file inclusion|\blfi\b/i, 'path_traversal'],
  [/command injection|cmd injection|os command|shell command|\bcmd\.exe\b.*uri|\/bin\/(ba)?sh/i, 'command_injection'],
  [/ransom/i, 'ransomware'],
  [/phish/i, 'phishing'],
  [/\bc2\b|\bcnc\b|command and control|beacon|check-?in/i, 'c2_beacon'],
  [/brute[- ]?force|password guess|excessive (failed )?login|login attempts|authentication failures/i, 'brute_force'],
  [/\bscan(ner|ning)?\b|nmap|masscan|zmap|port ?sweep|\bprobe\b/i, 'port_scan'],
  [/exfiltrat/i, 'data_exfiltration'],
  [/\bddos\b|\bdos\b|flood|amplification/i, 'ddos'],
  [/log4j|log4shell|jndi|cve-\d{4}-\d+|exploit|overflow|remote code execution|\brce\b|deserializ|shellshock|webshell/i, 'exploit'],
  [/trojan|malware|backdoor|\bbot(net)?\b|\bworm\b|virus|coin ?miner|cryptomin|\brat\b/i, 'malware'],
  [/privilege escalation|privesc|setuid/i, 'privilege_escalation'],
  // WAF and firewall verdicts on reputation or access rules, and certificate checks.
  [/access violation|black ?list|block ?list|deny ?list|allow[- ]only list|reputation/i, 'policy_violation'],
  [/invalid.?server.?cert|certificate validation|self.signed/i, 'policy_violation'],
];

// Emerging Threats and Snort GPL rule groups: the word after "ET " / "GPL ".
const RULESET_GROUPS: Record<string, EventType> = {
  SCAN: 'port_scan',
  EXPLOIT: 'exploit',
  EXPLOIT_KIT: 'exploit',
  WEB_SERVER: 'exploit',
  WEB_SPECIFIC_APPS: 'exploit',
  WEB_CLIENT: 'exploit',
  ATTACK_RESPONSE: 'exploit',
  SHELLCODE: 'exploit',
  NETBIOS: 'exploit',
  MALWARE: 'malware',
  TROJAN: 'malware',
  MOBILE_MALWARE: 'malware',
  WORM: 'malware',
  COINMINER: 'malware',
  ADWARE_PUP: 'malware',
  CNC: 'c2_beacon',
  C2: 'c2_beacon',
  DOS: 'ddos',
  PHISHING: 'phishing',
  CURRENT_EVENTS: 'malware',
  POLICY: 'policy_violation',
  INAPPROPRIATE: 'policy_violation',
  P2P: 'policy_violation',
  GAMES: 'policy_violation',
  CHAT: 'policy_violation',
  TOR: 'policy_violation',
  INFO: 'reconnaissance',
  HUNTING: 'reconnaissance',
  DNS: 'reconnaissance',
  USER_AGENTS: 'reconnaissance',
  SQL: 'sql_injection',
  ICMP: 'reconnaissance',
  ICMP_INFO: 'reconnaissance',
  DROP: 'policy_violation',
  DSHIELD: 'port_scan',
  COMPROMISED: 'malware',
  CINS: 'port_scan',
  TELNET: 'brute_force',
  FTP: 'exploit',
  RPC: 'exploit',
  SNMP: 'reconnaissance',
  MISC: 'reconnaissance',
};

// Suricata/Snort classification.config descriptions and short names.
const CLASSTYPES: [RegExp, EventType][] = [
  [/network scan|network-scan/i, 'port_scan'],
  [/web application attack|web-application-attack/i, 'exploit'],
  [/exploit kit|exploit-kit/i, 'exploit'],
  [/privilege gain|attempted-admin|attempted-user|successful-admin|successful-user|unsuccessful-user|shellcode|executable code/i, 'exploit'],
  [/command and control|command-and-control|domain observed used for c2|domain-c2/i, 'c2_beacon'],
  [/trojan|malware|coin-mining|crypto currency mining/i, 'malware'],
  [/denial of service|denial-of-service|attempted-dos|successful-dos/i, 'ddos'],
  [/social engineering|social-engineering|credential theft|credential-theft/i, 'phishing'],
  [/suspicious username|suspicious-login|default username|default-login/i, 'brute_force'],
  [/information leak|attempted-recon|successful-recon|external ip address|external-ip-check/i, 'reconnaissance'],
  [/privacy violation|policy-violation|potentially bad traffic|bad-unknown|inappropriate content/i, 'policy_violation'],
  [/protocol command decode|protocol-command-decode|decode of an rpc query|non-standard protocol|unusual-client-port|tcp-connection|misc activity|misc-activity|not-suspicious|unknown traffic/i, 'protocol_anomaly'],
];

// Technique (without sub-technique) → type, for alerts whose rule names say nothing else.
const TECHNIQUES: Record<string, EventType> = {
  T1595: 'port_scan',
  T1046: 'port_scan',
  T1110: 'brute_force',
  T1190: 'exploit',
  T1203: 'exploit',
  T1210: 'exploit',
  T1211: 'exploit',
  T1212: 'exploit',
  T1059: 'command_injection',
  T1071: 'c2_beacon',
  T1573: 'c2_beacon',
  T1095: 'c2_beacon',
  T1105: 'malware',
  T1204: 'malware',
  T1498: 'ddos',
  T1499: 'ddos',
  T1566: 'phishing',
  T1486: 'ransomware',
  T1041: 'data_exfiltration',
  T1048: 'data_exfiltration',
  T1567: 'data_exfiltration',
  T1068: 'privilege_escalation',
  T1548: 'privilege_escalation',
  T1078: 'suspicious_login',
  T1496: 'malware',
  T1083: 'reconnaissance',
  T1082: 'reconnaissance',
  T1590: 'reconnaissance',
  T1592: 'reconnaissance',
};

/** The event type of a sensor alert: signature words, then rule group, then classtype, then ATT&CK. */
export function classifyAlert(e: NormalizedEvent): EventType {
  const signature = e.rule?.name ?? '';
  const group = /^(?:ET|ETPRO|GPL)\s+([A-Z0-9_]+)/.exec(signature)?.[1];
  // Suricata's own decoder, stream and app-layer events ("SURICATA HTTP …") are protocol anomalies.
  if (/^SURICATA\s/.test(signature)) return 'protocol_anomaly';
  // Zeek notices write words with underscores (SSH::Password_Guessing).
  const words = signature.replace(/_/g, ' ');
  for (const [pattern, type] of SIGNATURE_PATTERNS) {
    if (pattern.test(words)) return type;
  }
  if (group && RULESET_GROUPS[group]) return RULESET_GROUPS[group];
  const category = e.rule?.category ?? '';
  for (const [pattern, type] of CLASSTYPES) {
    if (pattern.test(category)) return type;
  }
  for (const technique of e.threat?.technique?.id ?? []) {
    const type = TECHNIQUES[technique.split('.')[0] ?? ''];
    if (type) return type;
  }
  return 'unknown';
}
