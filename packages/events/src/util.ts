import { MAX_ORIGINAL_CHARS, type InputFormat, type NormalizedEvent, type ParseOutcome, type Severity } from './schema.js';

/**
 * 64-bit non-cryptographic hash of a string (two 32-bit lanes, cyrb53's mixing), as 16 hex
 * characters. Pure JS so the dashboard can use it; ids only need to be stable, not secret.
 */
export function hash64(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

/** An id made from the record: a short format prefix and a hash of the parts that identify it. */
export function recordId(prefix: string, ...parts: unknown[]): string {
  return `${prefix}-${hash64(parts.map((part) => (part === undefined ? '' : String(part))).join('\u001f'))}`;
}

export function truncate(text: string, max = MAX_ORIGINAL_CHARS): string {
  return text.length <= max ? text : text.slice(0, max);
}

export function failure(format: InputFormat | 'unknown', code: string, message: string): ParseOutcome {
  return { ok: false, format, reason: `${format}.${code}`, message: `${format}: ${message}` };
}

export function success(format: InputFormat, events: NormalizedEvent[]): ParseOutcome {
  return { ok: true, format, events };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Same answer as node:net isIP() for the addresses we meet, without Node (the dashboard uses it). */
export function isIp(value: string): boolean {
  if (IPV4.test(value)) return true;
  return isIpv6(value);
}

function isIpv6(value: string): boolean {
  let address = value;
  const zone = address.indexOf('%');
  if (zone >= 0) {
    if (zone === address.length - 1) return false;
    address = address.slice(0, zone);
  }
  if (!address.includes(':')) return false;
  let groupsAllowed = 8;
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return false;
    address = address.slice(0, lastColon + 1) + '0:0';
  }
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] ?? '');
  const rest = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (![...head, ...rest].every((group) => HEX_GROUP.test(group))) return false;
  const count = head.length + rest.length;
  return halves.length === 2 ? count < groupsAllowed : count === groupsAllowed;
}

/** A port number, or undefined for anything that is not one. */
export function toPort(value: unknown): number | undefined {
  const port = typeof value === 'string' ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
}

export function toCount(value: unknown): number | undefined {
  const count = typeof value === 'string' && value !== '' ? Number(value) : value;
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses an ISO 8601 date-time, including Suricata's `+0000` offsets without a colon, and
 * returns it as UTC ISO (millisecond precision), or undefined.
 */
export function isoTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 10) return undefined;
  let text = value;
  // Suricata writes "+0000"; Date.parse wants "+00:00".
  const offset = /([+-]\d\d)(\d\d)$/.exec(text);
  if (offset && text.length > 19 && text[text.length - 5] !== ':') text = text.slice(0, -5) + `${offset[1]}:${offset[2]}`;
  if (!/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(text)) return undefined;
  text = text.replace(' ', 'T');
  // No offset means UTC here, not the local time Date.parse would assume.
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(text)) text += 'Z';
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Epoch seconds (Zeek's `ts`, possibly fractional) as UTC ISO. */
export function epochSecondsToIso(value: unknown): string | undefined {
  const seconds = typeof value === 'string' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return undefined;
  return new Date(Math.round(seconds * 1000)).toISOString();
}

/** Transport names as ECS writes them (lower case). */
export function transport(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
}

export function severityFromScore(score0to10: number): Severity {
  if (score0to10 >= 9) return 'CRITICAL';
  if (score0to10 >= 7) return 'HIGH';
  if (score0to10 >= 4) return 'MEDIUM';
  if (score0to10 >= 1) return 'LOW';
  return 'INFO';
}

/** Drops undefined members so events compare and serialise cleanly (Firestore rejects undefined). */
export function compact<T extends Record<string, unknown>>(object: T): T | undefined {
  let empty = true;
  for (const key of Object.keys(object)) {
    if (object[key] === undefined) delete object[key];
    else empty = false;
  }
  return empty ? undefined : object;
}
