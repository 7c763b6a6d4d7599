import type { NormalizedEvent } from '../schema.js';
import { isIp } from '../util.js';

const MONTHS: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };

// `[10/Oct/2000:13:55:36 -0700] "request" status bytes ["referrer" "agent" [rest]]`
const NCSA = /\[(\d\d)\/([A-Z][a-z]{2})\/(\d{4}):(\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

const NCSA_DATE = /\[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "/;

/** Cheap test for detection: an NCSA date followed by a quoted request near the start. */
export function looksLikeAccessLog(line: string): boolean {
  return NCSA_DATE.test(line.slice(0, 400));
}

export interface AccessLogFields {
  timestamp: string;
  fill(event: NormalizedEvent): void;
}

/**
 * An NCSA common/combined access log line (Apache, nginx), including nginx's forwarded-for
 * address lists and a leading virtual host. Undefined when the line is not one.
 */
export function parseAccessLog(line: string): AccessLogFields | undefined {
  if (!line.includes('] "')) return undefined;
  const match = NCSA.exec(line);
  if (!match) return undefined;
  const [, day, month, year, time, offsetHours, offsetMinutes, request, status, bytes, referrer, agent] = match;
  const monthNumber = MONTHS[month!];
  if (!monthNumber) return undefined;
  const ms = Date.parse(`${year}-${monthNumber}-${day}T${time}${offsetHours}:${offsetMinutes}`);
  if (Number.isNaN(ms)) return undefined;
  // Before the date: client [ident] [user], possibly a vhost first, possibly a forwarded-for list.
  const prefix = line.slice(0, match.index).trim().split(/\s+/);
  const user = prefix.pop();
  prefix.pop(); // ident, always "-" in practice
  const clients = prefix.map((token) => token.replace(/^"|[",]+$/g, '')).filter((token) => token !== '');
  const ips = clients.filter((token) => isIp(token));
  return {
    timestamp: new Date(ms).toISOString(),
    fill(event) {
      event.event.category = ['web', 'network'];
      event.event.type = ['access'];
      event.event.dataset = event.event.dataset ?? 'http.access';
      const statusCode = Number(status);
      event.event.outcome = statusCode < 400 ? 'success' : 'failure';
      if (ips[0]) event.source = { ip: ips[0] };
      else if (clients.length) event.source = { domain: clients[clients.length - 1]! };
      if (ips.length > 1 || clients.length > ips.length) {
        event.labels = { ...event.labels, remote_addresses: clients.join(',') };
      }
      if (user && user !== '-') event.user = { name: user };
      const http: NonNullable<NormalizedEvent['http']> = { response: { status_code: statusCode } };
      if (bytes !== '-') http.response!.bytes = Number(bytes);
      const parts = /^(\S+) (\S+)(?: HTTP\/(\d(?:\.\d)?))?$/.exec(request!);
      if (parts) {
        const [, method, target, version] = parts;
        http.request = { method: method! };
        if (version) http.version = version;
        const q = target!.indexOf('?');
        event.url = { original: target!, path: q >= 0 ? target!.slice(0, q) : target! };
        if (q >= 0) event.url.query = target!.slice(q + 1);
        event.event.action = method!.toLowerCase();
      } else if (request && request !== '-') {
        event.labels = { ...event.labels, request };
      }
      if (referrer && referrer !== '-') (http.request ??= {}).referrer = referrer;
      event.http = http;
      if (agent && agent !== '-') event.user_agent = { original: agent };
    },
  };
}
