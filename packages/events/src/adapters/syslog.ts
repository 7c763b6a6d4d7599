import type { NormalizedEvent } from '../schema.js';
import { failure, isoTimestamp, recordId, success, truncate } from '../util.js';
import { parseAccessLog } from './access-log.js';
import { parseAuthMessage } from './auth-messages.js';
import type { AdapterContext, TextAdapter } from './types.js';

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

// RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]
const RFC5424 = /^1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\](?=\s|$)(?:\[.*?\](?=\s|$|\[))*)(?: (.*))?$/s;
// RFC 3164 (BSD): Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG; rsyslog may write an ISO timestamp instead.
const BSD_TIME = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)? /;
const ISO_TIME = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) /;
const HOST_TAG = /^(\S+) ([^\s:[\]]+)(?:\[(\d+)\])?: ?(.*)$/s;
const TAG_ONLY = /^([^\s:[\]]+)(?:\[(\d+)\])?: ?(.*)$/s;

export interface SyslogHeader {
  timestamp: string;
  priority?: number;
  hostname?: string;
  appname?: string;
  procid?: string;
  msgid?: string;
  version?: string;
  structuredData?: Record<string, Record<string, string>>;
  message: string;
}

/**
 * Syslog lines (RFC 3164 and RFC 5424, with or without PRI, rsyslog's ISO timestamps), and
 * bare NCSA access log lines. A record may hold several lines: each is an event. What the
 * message says is read for OpenSSH, sudo, su, PAM and access logs (auth-messages.ts).
 */
export const parseSyslog: TextAdapter = (raw, context) => {
  const events: NormalizedEvent[] = [];
  let start = 0;
  let lineNumber = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('\n', start);
    if (end < 0) end = raw.length;
    const line = raw.charCodeAt(end - 1) === 13 ? raw.slice(start, end - 1) : raw.slice(start, end);
    start = end + 1;
    lineNumber++;
    if (line.trim() === '') continue;
    const result = parseLine(line, context);
    if (typeof result === 'string') {
      const [code, message] = result.split('|') as [string, string];
      return failure('syslog', code, lineNumber > 1 || start < raw.length ? `line ${lineNumber}: ${message}` : message);
    }
    events.push(result);
  }
  return success('syslog', events);
};

function parseLine(line: string, context: AdapterContext): NormalizedEvent | string {
  let rest = line;
  let priority: number | undefined;
  if (line.charCodeAt(0) === 60 /* < */) {
    const close = line.indexOf('>');
    const digits = close > 1 && close <= 4 ? line.slice(1, close) : '';
    if (!/^\d{1,3}$/.test(digits)) return 'bad_priority|the <PRI> part is not 1 to 3 digits in angle brackets';
    priority = Number(digits);
    if (priority > 191) return `bad_priority|priority ${priority} is over 191`;
    rest = line.slice(close + 1);
  }
  let header: SyslogHeader | string;
  if (rest.startsWith('1 ')) header = rfc5424(rest);
  else {
    const access = priority === undefined ? parseAccessLog(rest) : undefined;
    if (access && !BSD_TIME.test(rest) && !ISO_TIME.test(rest)) {
      const event = baseEvent(line, access.timestamp);
      event.event.dataset = 'http.access';
      access.fill(event);
      return event;
    }
    header = bsd(rest, context.now);
  }
  if (typeof header === 'string') return header;
  if (priority !== undefined) header.priority = priority;
  return toEvent(line, header);
}

function rfc5424(text: string): SyslogHeader | string {
  const match = RFC5424.exec(text);
  if (!match) return 'bad_header|RFC 5424 header is not VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA';
  const [, time, hostname, appname, procid, msgid, sd, message] = match;
  const timestamp = isoTimestamp(time);
  if (!timestamp) return `bad_timestamp|timestamp ${JSON.stringify(time)} is not RFC 3339`;
  const header: SyslogHeader = { timestamp, version: '1', message: (message ?? '').replace(/^\uFEFF/, '') };
  if (hostname !== '-') header.hostname = hostname;
  if (appname !== '-') header.appname = appname;
  if (procid !== '-') header.procid = procid;
  if (msgid !== '-') header.msgid = msgid;
  if (sd !== '-') header.structuredData = structuredData(sd!);
  return header;
}

function structuredData(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const element = /\[([^\s\]]+)((?:\s+[^=\s\]]+="(?:[^"\\]|\\.)*")*)\s*\]/g;
  for (let match = element.exec(text); match; match = element.exec(text)) {
    const params: Record<string, string> = {};
    const param = /([^=\s\]]+)="((?:[^"\\]|\\.)*)"/g;
    for (let p = param.exec(match[2]!); p; p = param.exec(match[2]!)) params[p[1]!] = p[2]!.replace(/\\(["\\\]])/g, '$1');
    out[match[1]!] = params;
  }
  return out;
}

/** The header of a syslog line that carries another format (CEF): time, host, priority. */
export function parseSyslogPrefix(prefix: string, now: Date): SyslogHeader | string {
  let rest = prefix.trim();
  let priority: number | undefined;
  const pri = /^<(\d{1,3})>/.exec(rest);
  if (pri) {
    priority = Number(pri[1]);
    rest = rest.slice(pri[0].length);
  }
  let header: SyslogHeader | string;
  if (rest.startsWith('1 ')) {
    const [, time, hostname] = rest.split(' ');
    const timestamp = isoTimestamp(time);
    header = timestamp ? { timestamp, message: '', ...(hostname && hostname !== '-' ? { hostname } : {}) } : 'bad_timestamp|bad RFC 5424 timestamp';
  } else {
    header = bsd(`${rest} `, now);
  }
  if (typeof header !== 'string' && priority !== undefined) header.priority = priority;
  return header;
}

function bsd(text: string, now: Date): SyslogHeader | string {
  let timestamp: string | undefined;
  let after: string;
  const bsdTime = BSD_TIME.exec(text);
  if (bsdTime) {
    const [matched, month, day, hh, mm, ss] = bsdTime;
    const monthIndex = MONTHS[month!];
    if (monthIndex === undefined) return `bad_timestamp|month ${JSON.stringify(month)} is not a month`;
    // RFC 3164 has no year: the latest year that does not put the line more than a day ahead.
    let year = now.getUTCFullYear();
    let ms = Date.UTC(year, monthIndex, Number(day), Number(hh), Number(mm), Number(ss));
    if (ms > now.getTime() + 86_400_000) ms = Date.UTC(--year, monthIndex, Number(day), Number(hh), Number(mm), Number(ss));
    const date = new Date(ms);
    if (date.getUTCDate() !== Number(day) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60) {
      return `bad_timestamp|${JSON.stringify(matched.trim())} is not a date`;
    }
    timestamp = date.toISOString();
    after = text.slice(matched.length);
  } else {
    const isoTime = ISO_TIME.exec(text);
    if (!isoTime) return 'bad_header|no RFC 3164 or RFC 3339 timestamp at the start of the line';
    timestamp = isoTimestamp(isoTime[1]);
    if (!timestamp) return `bad_timestamp|timestamp ${JSON.stringify(isoTime[1])} is not a date`;
    after = text.slice(isoTime[0].length);
  }
  const withHost = HOST_TAG.exec(after);
  // "su: pam_unix(su:auth): …" has no host: the first word is the tag, not a host.
  if (withHost && !withHost[1]!.endsWith(':')) {
    const [, hostname, appname, procid, message] = withHost;
    const header: SyslogHeader = { timestamp, hostname, appname, message: message! };
    if (procid) header.procid = procid;
    return header;
  }
  const tagOnly = TAG_ONLY.exec(after);
  if (tagOnly) {
    const [, appname, procid, message] = tagOnly;
    const header: SyslogHeader = { timestamp, appname, message: message! };
    if (procid) header.procid = procid;
    return header;
  }
  // A host and a message without a tag is still a syslog line.
  const space = after.indexOf(' ');
  return space > 0 ? { timestamp, hostname: after.slice(0, space), message: after.slice(space + 1) } : { timestamp, message: after };
}

function baseEvent(line: string, timestamp: string): NormalizedEvent {
  return {
    '@timestamp': timestamp,
    event: {
      // Syslog has no record id: the line itself is the identity of a re-shipped line.
      id: recordId('syslog', line),
      kind: 'event',
      category: [],
      type: ['info'],
      module: 'syslog',
      original: truncate(line),
      format: 'syslog',
    },
  };
}

function toEvent(line: string, header: SyslogHeader): NormalizedEvent {
  const event = baseEvent(line, header.timestamp);
  event.message = header.message;
  const syslog: NonNullable<NonNullable<NormalizedEvent['log']>['syslog']> = {};
  if (header.priority !== undefined) {
    syslog.priority = header.priority;
    syslog.facility = { code: header.priority >> 3 };
    syslog.severity = { code: header.priority & 7 };
    event.event.severity = header.priority & 7;
  }
  if (header.hostname) {
    syslog.hostname = header.hostname;
    event.host = { hostname: header.hostname };
  }
  if (header.appname) syslog.appname = header.appname;
  if (header.procid) syslog.procid = header.procid;
  if (header.msgid) syslog.msgid = header.msgid;
  if (header.version) syslog.version = header.version;
  if (header.structuredData) syslog.structured_data = header.structuredData;
  event.log = { syslog };
  if (header.appname) {
    event.process = { name: header.appname };
    const pid = header.procid !== undefined ? Number(header.procid) : NaN;
    if (Number.isInteger(pid)) event.process.pid = pid;
  }
  event.event.dataset = `syslog.${header.appname ?? 'message'}`;
  const access = parseAccessLog(header.message);
  if (access) {
    access.fill(event);
    // The server's own time, with its offset, is more exact than the relay's header.
    event['@timestamp'] = access.timestamp;
    event.event.dataset = 'http.access';
    return event;
  }
  parseAuthMessage(event, header.appname ?? '', header.message);
  return event;
}
