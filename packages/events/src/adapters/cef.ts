import type { NormalizedEvent, Severity } from '../schema.js';
import { failure, isIp, isoTimestamp, recordId, severityFromScore, success, toCount, toPort, truncate } from '../util.js';
import { parseSyslogPrefix } from './syslog.js';
import type { AdapterContext, TextAdapter } from './types.js';

// Some senders write "CEF: 0|" (Barracuda); the spec says "CEF:0|".
const CEF_START = /CEF: ?(\d+)\|/;
const EXTENSION_KEY = /(?:^|\s)([A-Za-z0-9_.[\],-]+)=/g;
const WORD_SEVERITY: Record<string, Severity> = {
  unknown: 'INFO',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  'very-high': 'CRITICAL',
  'very high': 'CRITICAL',
  critical: 'CRITICAL',
  substantial: 'HIGH',
  informational: 'INFO',
  info: 'INFO',
  warning: 'MEDIUM',
};
// A CEF record is a sensor's alert when its category says attack, or a labelled custom field names a signature or threat.
const ALERT_CATEGORY = /attack|intrusion|\bips\b|\bids\b|threat|malware|virus|exploit|signature|anomaly|^WF$|waf/i;
const IDS_PRODUCT = /\b(ids|ips|waf)\b|intrusion|snort|suricata|modsecurity|firepower|tippingpoint|threat/i;
const PROTOCOL_NUMBERS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp' };
const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/**
 * ArcSight Common Event Format, bare or after a syslog header, one record per line. Header
 * fields are split on unescaped pipes (`\|`, `\\`); extension values run to the next ` key=`
 * and unescape `\=`, `\\`, `\n`, `\r`. Labelled custom fields (cs1 with cs1Label…) become labels.
 */
export const parseCef: TextAdapter = (raw, context) => {
  const events: NormalizedEvent[] = [];
  const lines = raw.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const result = parseLine(line, context);
    if (typeof result === 'string') {
      const [code, message] = result.split('|') as [string, string];
      return failure('cef', code, lines.length > 1 ? `line ${n + 1}: ${message}` : message);
    }
    events.push(result);
  }
  return success('cef', events);
};

function splitHeader(text: string): { fields: string[]; rest: string } | undefined {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && (text[i + 1] === '|' || text[i + 1] === '\\')) {
      current += text[i + 1];
      i++;
    } else if (ch === '|') {
      fields.push(current);
      current = '';
      if (fields.length === 6) return { fields, rest: text.slice(i + 1) };
    } else {
      current += ch;
    }
  }
  return undefined;
}

function unescapeValue(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\([=\\nr|])/g, (_, ch: string) => (ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch));
}

export function parseExtension(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const keys: { key: string; start: number; valueStart: number }[] = [];
  EXTENSION_KEY.lastIndex = 0;
  for (let m = EXTENSION_KEY.exec(text); m; m = EXTENSION_KEY.exec(text)) {
    keys.push({ key: m[1]!, start: m.index, valueStart: m.index + m[0].length });
  }
  for (let i = 0; i < keys.length; i++) {
    const { key, valueStart } = keys[i]!;
    const end = i + 1 < keys.length ? keys[i + 1]!.start : text.length;
    if (key === '__proto__') continue;
    out[key] = unescapeValue(text.slice(valueStart, end).trim());
  }
  return out;
}

function cefTime(value: string | undefined, now: Date): string | undefined {
  if (!value) return undefined;
  if (/^\d{10,13}$/.test(value)) return new Date(value.length === 13 ? Number(value) : Number(value) * 1000).toISOString();
  const iso = isoTimestamp(value);
  if (iso) return iso;
  // "MMM dd yyyy HH:mm:ss[.SSS] [zone]" or "MMM dd HH:mm:ss[.SSS] [zone]"; a named zone is read as UTC.
  const m = /^([A-Za-z]{3}) (\d{1,2})(?: (\d{4}))? (\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?(?: (.*))?$/.exec(value);
  if (!m) return undefined;
  const month = MONTHS[m[1]!.toLowerCase()];
  if (month === undefined) return undefined;
  const year = m[3] ? Number(m[3]) : now.getUTCFullYear();
  let ms = Date.UTC(year, month, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]), Number((m[7] ?? '0').padEnd(3, '0')));
  const offset = m[8] && /^([+-])(\d\d):?(\d\d)$/.exec(m[8]);
  if (offset) ms -= (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000;
  return new Date(ms).toISOString();
}

function severity(value: string): Severity | undefined {
  if (/^\d+$/.test(value)) return severityFromScore(Math.min(Number(value), 10));
  return WORD_SEVERITY[value.trim().toLowerCase()];
}

const ABSENT = new Set(['-', '"-"', 'N/A', 'NULL', '']);
const present = (value: string | undefined) => (value !== undefined && !ABSENT.has(value) ? value : undefined);

function parseLine(line: string, context: AdapterContext): NormalizedEvent | string {
  const start = CEF_START.exec(line);
  if (!start) return 'bad_header|no "CEF:<version>|" in the line';
  const header = splitHeader(line.slice(start.index + start[0].length));
  if (!header) return 'bad_header|the header has fewer than the 6 pipe-terminated fields after CEF:<version>| (vendor|product|version|class id|name|severity|)';
  const [vendor, product, version, classId, name, sev] = header.fields as [string, string, string, string, string, string];
  const ext = parseExtension(header.rest);
  if (header.rest.trim() !== '' && Object.keys(ext).length === 0) return 'bad_extension|the extension is not key=value pairs';
  const prefix = start.index > 0 ? parseSyslogPrefix(line.slice(0, start.index), context.now) : undefined;
  const syslog = typeof prefix === 'object' ? prefix : undefined;
  const timestamp = cefTime(ext.rt ?? ext.deviceReceiptTime, context.now) ?? cefTime(ext.end, context.now) ?? cefTime(ext.start, context.now) ?? syslog?.timestamp;
  if ((ext.rt ?? ext.deviceReceiptTime) && !cefTime(ext.rt ?? ext.deviceReceiptTime, context.now)) return `bad_timestamp|rt ${JSON.stringify(ext.rt ?? ext.deviceReceiptTime)} is not a CEF time`;

  const labels: Record<string, string> = {};
  for (const key of Object.keys(ext)) {
    const custom = /^(cs|cn|cfp|c6a|flexString|flexNumber|flexDate|deviceCustomString|deviceCustomNumber)(\d+)$/.exec(key);
    if (custom) {
      const label = ext[`${key}Label`];
      if (label && ext[key] !== undefined) labels[label] = ext[key]!;
    }
  }
  const category = present(ext.cat) ?? present(ext.deviceEventCategory);
  const signatureLabel = Object.entries(labels).some(([label, value]) => /signature|attack|threat ?name/i.test(label) && present(value));
  const isAlert = (category !== undefined && ALERT_CATEGORY.test(category)) || signatureLabel || (category === undefined && IDS_PRODUCT.test(`${vendor} ${product}`));

  const event: NormalizedEvent = {
    '@timestamp': timestamp ?? context.now.toISOString(),
    event: {
      // CEF has no record id: the line is the identity of a re-shipped record.
      id: recordId('cef', line),
      kind: isAlert ? 'alert' : 'event',
      category: isAlert ? ['intrusion_detection', 'network'] : ['network'],
      type: ['info'],
      module: 'cef',
      dataset: 'cef.log',
      original: truncate(line),
      format: 'cef',
    },
    message: present(ext.msg) ?? name,
    cef: { version: start[1]!, device_event_class_id: classId, extensions: ext },
  };
  if (!timestamp) labels.timestamp_source = 'received';
  const sevLabel = severity(sev);
  if (sevLabel) event.event.severity_label = sevLabel;
  if (/^\d+$/.test(sev)) event.event.severity = Number(sev);
  const action = present(ext.act) ?? present(ext.deviceAction);
  if (action) event.event.action = action;
  const outcome = present(ext.outcome)?.toLowerCase();
  if (outcome && /^(success|succeeded|allowed?|ok)$/.test(outcome)) event.event.outcome = 'success';
  else if (outcome && /^(fail(ure|ed)?|denied|blocked?)$/.test(outcome)) event.event.outcome = 'failure';

  event.observer = {};
  if (present(vendor)) event.observer.vendor = vendor;
  if (present(product)) event.observer.product = product;
  if (present(version)) event.observer.version = version;
  const deviceHost = present(ext.dvchost) ?? syslog?.hostname;
  if (deviceHost) event.observer.hostname = deviceHost;
  if (isAlert) event.observer.type = IDS_PRODUCT.test(`${vendor} ${product}`) || /waf|^WF$/i.test(category ?? '') ? 'ids' : 'firewall';
  if (isAlert) {
    event.rule = { name };
    if (present(classId)) event.rule.id = classId;
    if (category) event.rule.category = category;
    const ruleset = [vendor, product].filter((part) => present(part)).join(' ');
    if (ruleset) event.rule.ruleset = ruleset;
  }

  const source = endpoint(ext.src ?? ext.sourceAddress, ext.spt ?? ext.sourcePort, ext.shost ?? ext.sourceHostName, ext.in ?? ext.bytesIn);
  if (source) event.source = source;
  const destination = endpoint(ext.dst ?? ext.destinationAddress, ext.dpt ?? ext.destinationPort, ext.dhost ?? ext.destinationHostName, ext.out ?? ext.bytesOut);
  if (destination) event.destination = destination;
  const proto = present(ext.proto ?? ext.transportProtocol);
  if (proto) event.network = { transport: PROTOCOL_NUMBERS[proto] ?? proto.toLowerCase() };
  const app = present(ext.app ?? ext.applicationProtocol);
  if (app) (event.network ??= {}).protocol = app.toLowerCase();

  const user = present(ext.suser ?? ext.sourceUserName) ?? present(ext.duser ?? ext.destinationUserName);
  if (user) event.user = { name: user };
  const request = present(ext.request ?? ext.requestUrl);
  if (request) {
    event.url = { original: request };
    const pathStart = /^[a-z]+:\/\/[^/]*/i.exec(request)?.[0].length ?? 0;
    const q = request.indexOf('?');
    event.url.path = request.slice(pathStart, q >= 0 ? q : undefined) || '/';
    if (q >= 0) event.url.query = request.slice(q + 1);
    if (destination?.domain) event.url.domain = destination.domain;
    event.event.category.push('web');
  }
  const method = present(ext.requestMethod);
  if (method) {
    event.http = { request: { method } };
    // Barracuda and others put the HTTP status in `outcome`.
    if (outcome && /^[1-5]\d\d$/.test(outcome)) event.http.response = { status_code: Number(outcome) };
  }
  const agent = present(ext.requestClientApplication);
  if (agent) event.user_agent = { original: agent };
  if (Object.keys(labels).length) event.labels = labels;
  return event;
}

function endpoint(ip: string | undefined, port: string | undefined, host: string | undefined, bytes: string | undefined) {
  const out: NonNullable<NormalizedEvent['source']> = {};
  if (ip && isIp(ip)) out.ip = ip;
  const p = toPort(port);
  if (p !== undefined) out.port = p;
  const h = present(host);
  if (h) out.domain = h;
  const b = toCount(bytes);
  if (b !== undefined) out.bytes = b;
  return Object.keys(out).length ? out : undefined;
}
