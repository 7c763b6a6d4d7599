import type { Timestamp } from 'firebase/firestore';
import type { EventType, Severity } from './types';

/** Most severe first; the Record below fails to compile if a severity is added and not styled. */
export const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const satisfies readonly Severity[];

export const SEVERITY_CLASS: Record<Severity, string> = {
  CRITICAL: 'sev-critical',
  HIGH: 'sev-high',
  MEDIUM: 'sev-medium',
  LOW: 'sev-low',
  INFO: 'sev-info',
};

/** Chart colours per severity (the badges' backgrounds). */
export const SEVERITY_COLOUR: Record<Severity, string> = {
  CRITICAL: '#ff6b6b',
  HIGH: '#ff9f43',
  MEDIUM: '#ffd43b',
  LOW: '#74c0fc',
  INFO: '#ced4da',
};

export function isSeverity(value: unknown): value is Severity {
  return (SEVERITY_ORDER as readonly unknown[]).includes(value);
}

type MaybeTimestamp = Pick<Timestamp, 'toMillis'> | null | undefined;

export function millis(value: MaybeTimestamp): number | undefined {
  return value && typeof value.toMillis === 'function' ? value.toMillis() : undefined;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function clockTime(value: MaybeTimestamp | number): string {
  const ms = typeof value === 'number' ? value : millis(value);
  return ms === undefined ? '—' : timeFormat.format(ms);
}

export function dateTime(value: MaybeTimestamp | number): string {
  const ms = typeof value === 'number' ? value : millis(value);
  return ms === undefined ? '—' : dateTimeFormat.format(ms);
}

export function isoTime(value: MaybeTimestamp | number): string | undefined {
  const ms = typeof value === 'number' ? value : millis(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

export function ago(value: MaybeTimestamp, now: number = Date.now()): string {
  const ms = millis(value);
  if (ms === undefined) return '—';
  const seconds = Math.round((ms - now) / 1000);
  if (Math.abs(seconds) < 60) return relative.format(seconds, 'second');
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return relative.format(hours, 'hour');
  return relative.format(Math.round(hours / 24), 'day');
}

let regionNames: Intl.DisplayNames | undefined;
/** "Germany" for "DE"; the code itself when the browser does not know it. */
export function countryName(code: string | undefined): string | undefined {
  if (!code) return undefined;
  if (!/^[A-Z]{2}$/.test(code)) return code;
  try {
    regionNames ??= new Intl.DisplayNames(undefined, { type: 'region' });
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Event types as people write them; the Record fails to compile if a type is added and not named. */
export const EVENT_TYPE_LABEL: Record<EventType, string> = {
  brute_force: 'Brute force',
  port_scan: 'Port scan',
  malware: 'Malware',
  ddos: 'DDoS',
  sql_injection: 'SQL injection',
  xss: 'XSS',
  phishing: 'Phishing',
  data_exfiltration: 'Data exfiltration',
  privilege_escalation: 'Privilege escalation',
  ransomware: 'Ransomware',
  c2_beacon: 'C2 beacon',
  suspicious_login: 'Suspicious login',
  exploit: 'Exploit',
  path_traversal: 'Path traversal',
  command_injection: 'Command injection',
  reconnaissance: 'Reconnaissance',
  policy_violation: 'Policy violation',
  protocol_anomaly: 'Protocol anomaly',
  unknown: 'Unknown',
};

export function eventTypeLabel(type: string): string {
  return (EVENT_TYPE_LABEL as Record<string, string>)[type] ?? humanise(type);
}

/** "brute_force" → "Brute force". */
export function humanise(identifier: string): string {
  const words = identifier.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const MAX_VALUE_CHARS = 4_000;

/**
 * Any stored value (attacker-controlled payloads included) as plain text for a text node: React
 * escapes it, and it is never parsed as HTML. Long values are cut.
 */
export function plainText(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === undefined) text = '';
  else {
    try {
      text = JSON.stringify(value, null, 2) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length - MAX_VALUE_CHARS} more characters)` : text;
}

/** A rate for reading at a glance: whole numbers from 10 up, one decimal below (541.685 → "542"). */
export function loadFigure(value: number): string {
  const rounded = Math.abs(value) >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
  return rounded.toLocaleString('en');
}

export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

export function signed(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return rounded > 0 ? `+${rounded}` : String(rounded);
}
