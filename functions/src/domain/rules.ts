import type { EventType, SecurityEvent } from './event';
import { displayText } from './evidence';
import { isInsideZone } from './enrich/zone';
import { mapTechniques } from './mitre';
import { serviceName } from './ports';
import { analyseBruteForce } from './rules/brute-force';
import { analyseC2Beacon } from './rules/c2-beacon';
import { analyseDdos } from './rules/ddos';
import { analyseExfiltration } from './rules/exfiltration';
import { analyseIntrusion } from './rules/exploit';
import { roundTo, type Analyser, type Finding, type RuleContext } from './rules/finding';
import { analyseMalware } from './rules/malware';
import { analysePhishing } from './rules/phishing';
import { analysePolicyViolation, analyseProtocolAnomaly } from './rules/policy';
import { analysePortScan } from './rules/port-scan';
import { analysePrivilegeEscalation } from './rules/privilege-escalation';
import { analyseRansomware } from './rules/ransomware';
import { analyseReconnaissance } from './rules/reconnaissance';
import { analyseSuspiciousLogin } from './rules/suspicious-login';
import { analyseUnknown } from './rules/unknown';
import { analyseWebAttack } from './rules/web-attack';
import type { Analysis, Geo } from './threat';

export type { RuleContext } from './rules/finding';

/** One rule per event type; the Record type makes a missing one a compile error. */
const ANALYSERS: Readonly<Record<EventType, Analyser>> = {
  brute_force: analyseBruteForce,
  port_scan: analysePortScan,
  malware: analyseMalware,
  ddos: analyseDdos,
  sql_injection: (payload) => analyseWebAttack(payload, 'sql_injection'),
  xss: (payload) => analyseWebAttack(payload, 'xss'),
  phishing: analysePhishing,
  data_exfiltration: analyseExfiltration,
  privilege_escalation: analysePrivilegeEscalation,
  ransomware: analyseRansomware,
  c2_beacon: analyseC2Beacon,
  suspicious_login: (payload, _event, context) => analyseSuspiciousLogin(payload, context),
  exploit: (payload, event) => analyseIntrusion(payload, event, 'exploit'),
  path_traversal: (payload, event) => analyseIntrusion(payload, event, 'path_traversal'),
  command_injection: (payload, event) => analyseIntrusion(payload, event, 'command_injection'),
  reconnaissance: analyseReconnaissance,
  policy_violation: analysePolicyViolation,
  protocol_anomaly: analyseProtocolAnomaly,
  unknown: analyseUnknown,
};

/** Events about one host (rather than an attack on a target) read "on <host>". */
const HOST_EVENTS: ReadonlySet<EventType> = new Set(['malware', 'privilege_escalation', 'ransomware']);
/** Events where the source sends something out, which read "from <source> to <destination>". */
const OUTBOUND_EVENTS: ReadonlySet<EventType> = new Set(['data_exfiltration', 'c2_beacon', 'phishing', 'malware']);

/**
 * Analyses an event with deterministic rules: reads the evidence its payload carries, names
 * the threat, maps it to ATT&CK techniques and recommends actions. Confidence starts at 0.5
 * for a known type (the sensor's word) and rises with the strength of the evidence; an
 * unknown type gets 0.1.
 */
export function analyseWithRules(event: SecurityEvent, context: RuleContext): Analysis {
  const finding = ANALYSERS[event.event_type](event.payload, event, context);
  const strength = roundTo(Math.min(1, Math.max(0, finding.strength)), 3);
  return {
    engine: 'rules',
    summary: summarise(event, context, finding),
    category: finding.category,
    confidence: event.event_type === 'unknown' ? 0.1 : roundTo(0.5 + 0.45 * strength, 2),
    mitre: mapTechniques(event.event_type, finding.techniques),
    evidence: finding.evidence,
    evidenceStrength: strength,
    recommendedActions: finding.actions,
  };
}

function summarise(event: SecurityEvent, context: RuleContext, finding: Finding): string {
  const source = describeEndpoint(context.source);
  const destination =
    context.destination !== undefined
      ? describeEndpoint(context.destination, event.destination_port, event.protocol)
      : event.destination_ip;
  let where: string;
  if (destination === undefined) where = HOST_EVENTS.has(event.event_type) ? `on ${source}` : `from ${source}`;
  else if (OUTBOUND_EVENTS.has(event.event_type)) where = `from ${source} to ${destination}`;
  else where = `from ${source} against ${destination}`;
  return `${finding.headline} ${where}${finding.detail !== undefined ? `: ${finding.detail}` : ''}.`;
}

/** "critical asset 10.0.0.100 port 22/TCP (SSH, private)", "185.234.72.91 (Heusweiler, DE; AS213250 ...)". */
function describeEndpoint(geo: Geo, port?: number, protocol?: string): string {
  let text = geo.criticalAsset ? `critical asset ${geo.ip}` : geo.ip;
  if (port !== undefined) text += ` port ${port}${protocol !== undefined ? `/${protocol}` : ''}`;
  const notes: string[] = [];
  const service = serviceName(port);
  if (service !== undefined) notes.push(service);
  if (isInsideZone(geo.zone) || geo.zone === 'multicast' || geo.zone === 'reserved') notes.push(geo.zone.replace('_', '-'));
  else if (geo.country !== undefined) notes.push(geo.city !== undefined ? `${geo.city}, ${geo.country}` : geo.country);
  if (geo.asn !== undefined) notes.push(`AS${geo.asn}${geo.org !== undefined ? ` ${displayText(geo.org, 48)}` : ''}`);
  return notes.length > 0 ? `${text} (${notes.join('; ')})` : text;
}
