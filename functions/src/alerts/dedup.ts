import { createHash } from 'node:crypto';
import type { EventType } from '../domain/event';

/** One ongoing attack: the same source doing the same kind of thing. */
export function dedupKeyFor(sourceIp: string, eventType: EventType): string {
  return createHash('sha256').update(`${sourceIp}|${eventType}`).digest('hex').slice(0, 32);
}

export interface ActiveAlertWindow {
  status: 'OPEN' | 'ACKNOWLEDGED' | 'RESOLVED';
  firstSeen: Date;
  lastSeen: Date;
}

/**
 * Whether a threat seen at `threatTime` joins an existing alert rather than opening a new one:
 * the alert is not resolved, and the threat falls within the window around what the alert has
 * seen so far (events can arrive out of order). An acknowledged alert is still being worked on,
 * so it keeps collecting occurrences.
 */
export function joinsAlert(alert: ActiveAlertWindow, threatTime: Date, windowMs: number): boolean {
  if (alert.status === 'RESOLVED') return false;
  const time = threatTime.getTime();
  return time >= alert.firstSeen.getTime() - windowMs && time <= alert.lastSeen.getTime() + windowMs;
}

const EVENT_TYPE_TITLES: Record<EventType, string> = {
  brute_force: 'Brute force',
  port_scan: 'Port scan',
  malware: 'Malware',
  ddos: 'DDoS',
  sql_injection: 'SQL injection',
  xss: 'Cross-site scripting',
  phishing: 'Phishing',
  data_exfiltration: 'Data exfiltration',
  privilege_escalation: 'Privilege escalation',
  ransomware: 'Ransomware',
  c2_beacon: 'C2 beaconing',
  suspicious_login: 'Suspicious login',
  exploit: 'Exploit attempt',
  path_traversal: 'Path traversal',
  command_injection: 'Command injection',
  reconnaissance: 'Reconnaissance',
  policy_violation: 'Policy violation',
  protocol_anomaly: 'Protocol anomaly',
  unknown: 'Unclassified activity',
};

export function alertTitle(eventType: EventType, sourceIp: string, country?: string): string {
  return `${EVENT_TYPE_TITLES[eventType]} from ${sourceIp}${country ? ` (${country})` : ''}`;
}
