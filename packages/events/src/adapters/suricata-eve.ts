import type { NormalizedEvent, Severity } from '../schema.js';
import { failure, isIp, isObject, isoTimestamp, recordId, str, success, toCount, toPort, transport, truncate } from '../util.js';
import type { JsonAdapter } from './types.js';

/** payload_printable, payload and packet are cut to this many characters in `suricata.eve`. */
export const MAX_PAYLOAD_CHARS = 1024;

const CATEGORY: Record<string, { category: string[]; type: string[] }> = {
  alert: { category: ['intrusion_detection', 'network'], type: ['info'] },
  flow: { category: ['network'], type: ['connection', 'end'] },
  netflow: { category: ['network'], type: ['connection'] },
  http: { category: ['network', 'web'], type: ['access', 'protocol'] },
  dns: { category: ['network'], type: ['protocol'] },
  tls: { category: ['network'], type: ['protocol'] },
  ssh: { category: ['network'], type: ['protocol'] },
  anomaly: { category: ['network'], type: ['protocol', 'error'] },
  fileinfo: { category: ['network', 'file'], type: ['info'] },
  drop: { category: ['network'], type: ['denied'] },
};
const DEFAULT_CATEGORY = { category: ['network'], type: ['protocol'] };
// Fields mapped to ECS; the rest of the record stays under suricata.eve.
const MAPPED = new Set(['timestamp', 'event_type', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto', 'community_id', 'host']);
const TRUNCATED = new Set(['payload', 'payload_printable', 'packet']);

/** Suricata's alert severity: 1 is the highest (classification.config priorities). */
export function suricataSeverity(severity: number): Severity {
  if (severity <= 1) return 'HIGH';
  if (severity === 2) return 'MEDIUM';
  if (severity === 3) return 'LOW';
  return 'INFO';
}

/** One Suricata EVE JSON record (eve.json line) of any event_type. */
export const parseSuricataEve: JsonAdapter = (record, raw) => {
  const eventType = str(record.event_type);
  if (!eventType) return failure('suricata-eve', 'missing_event_type', 'record has no event_type');
  if (record.timestamp === undefined) return failure('suricata-eve', 'missing_timestamp', 'record has no timestamp');
  const timestamp = isoTimestamp(record.timestamp);
  if (!timestamp) return failure('suricata-eve', 'bad_timestamp', `timestamp ${JSON.stringify(record.timestamp)} is not an ISO 8601 date-time`);
  for (const key of ['src_ip', 'dest_ip'] as const) {
    const ip = record[key];
    if (ip !== undefined && (typeof ip !== 'string' || !isIp(ip))) {
      return failure('suricata-eve', 'bad_address', `${key} ${JSON.stringify(ip)} is not an IP address`);
    }
  }
  const alert = isObject(record.alert) ? record.alert : undefined;
  if (eventType === 'alert' && (!alert || !str(alert.signature))) {
    return failure('suricata-eve', 'alert_without_signature', 'alert record has no alert.signature');
  }

  const kinds = CATEGORY[eventType] ?? DEFAULT_CATEGORY;
  const flow = isObject(record.flow) ? record.flow : undefined;
  const eve: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (MAPPED.has(key)) continue;
    const value = record[key];
    eve[key] = TRUNCATED.has(key) && typeof value === 'string' ? truncate(value, MAX_PAYLOAD_CHARS) : value;
  }
  const event: NormalizedEvent = {
    '@timestamp': timestamp,
    event: {
      // A re-shipped record has the same flow, transaction, signature and timestamp.
      id: record.flow_id !== undefined
        ? recordId('eve', record.flow_id, record.tx_id, alert?.signature_id, record.timestamp, eventType, isObject(record.anomaly) ? record.anomaly.event : undefined)
        : recordId('eve', raw),
      kind: eventType === 'alert' ? 'alert' : 'event',
      category: kinds.category,
      type: kinds.type,
      action: eventType === 'alert' ? (str(alert?.action) ?? 'alert') : eventType,
      module: 'suricata',
      dataset: `suricata.${eventType}`,
      original: truncate(raw),
      format: 'suricata-eve',
    },
    observer: { product: 'Suricata', vendor: 'OISF', type: 'ids' },
    suricata: { eve },
  };
  const host = str(record.host);
  if (host) event.observer!.hostname = host;

  const source = endpoint(record.src_ip, record.src_port, toCount(flow?.bytes_toserver), toCount(flow?.pkts_toserver));
  if (source) event.source = source;
  const destination = endpoint(record.dest_ip, record.dest_port, toCount(flow?.bytes_toclient), toCount(flow?.pkts_toclient));
  if (destination) event.destination = destination;
  const network: NonNullable<NormalizedEvent['network']> = {};
  const proto = transport(record.proto);
  if (proto) network.transport = proto;
  const appProto = str(record.app_proto);
  if (appProto && appProto !== 'failed') network.protocol = appProto.toLowerCase();
  const communityId = str(record.community_id);
  if (communityId) network.community_id = communityId;
  if (source?.bytes !== undefined && destination?.bytes !== undefined) network.bytes = source.bytes + destination.bytes;
  if (source?.packets !== undefined && destination?.packets !== undefined) network.packets = source.packets + destination.packets;
  if (Object.keys(network).length) event.network = network;

  if (alert) mapAlert(event, alert);
  if (isObject(record.http)) mapHttp(event, record.http);
  if (isObject(record.dns)) mapDns(event, record.dns);
  if (isObject(record.tls)) mapTls(event, record.tls);
  if (isObject(record.anomaly)) {
    const anomaly = record.anomaly;
    const reason = str(anomaly.event) ?? str(anomaly.code);
    if (reason) event.event.reason = reason;
    event.message = `anomaly ${str(anomaly.type) ?? ''} ${reason ?? ''}`.replace(/\s+/g, ' ').trim();
  }
  if (flow && eventType === 'flow') {
    const start = isoTimestamp(flow.start);
    const end = isoTimestamp(flow.end);
    if (start && end) event.event.duration = (Date.parse(end) - Date.parse(start)) * 1_000_000;
    const reason = str(flow.reason);
    if (reason) event.event.reason = reason;
  }
  return success('suricata-eve', [event]);
};

function endpoint(ip: unknown, port: unknown, bytes: number | undefined, packets: number | undefined) {
  const out: NonNullable<NormalizedEvent['source']> = {};
  if (typeof ip === 'string') out.ip = ip;
  const p = toPort(port);
  if (p !== undefined) out.port = p;
  if (bytes !== undefined) out.bytes = bytes;
  if (packets !== undefined) out.packets = packets;
  return Object.keys(out).length ? out : undefined;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function mapAlert(event: NormalizedEvent, alert: Record<string, unknown>) {
  const signature = str(alert.signature) ?? '';
  event.message = signature;
  const rule: NonNullable<NormalizedEvent['rule']> = { name: signature };
  if (alert.signature_id !== undefined) rule.id = String(alert.signature_id);
  if (alert.rev !== undefined) rule.version = String(alert.rev);
  const category = str(alert.category);
  if (category) rule.category = category;
  const ruleset = /^([A-Z][A-Z0-9]+)\s/.exec(signature)?.[1];
  if (ruleset) rule.ruleset = ruleset;
  event.rule = rule;
  if (typeof alert.severity === 'number') {
    event.event.severity = alert.severity;
    event.event.severity_label = suricataSeverity(alert.severity);
  }
  const metadata = isObject(alert.metadata) ? alert.metadata : undefined;
  const techniques = strings(metadata?.mitre_technique_id);
  const tactics = strings(metadata?.mitre_tactic_id);
  if (techniques.length || tactics.length) {
    event.threat = {};
    if (techniques.length) event.threat.technique = { id: techniques };
    if (tactics.length) event.threat.tactic = { id: tactics };
  }
}

function mapHttp(event: NormalizedEvent, http: Record<string, unknown>) {
  const url = str(http.url);
  const hostname = str(http.hostname);
  if (url || hostname) {
    event.url = {};
    if (url) {
      event.url.original = url;
      const q = url.indexOf('?');
      event.url.path = q >= 0 ? url.slice(0, q) : url;
      if (q >= 0) event.url.query = url.slice(q + 1);
    }
    if (hostname) event.url.domain = hostname;
  }
  const out: NonNullable<NormalizedEvent['http']> = {};
  const method = str(http.http_method);
  const referrer = str(http.http_refer);
  if (method || referrer) {
    out.request = {};
    if (method) out.request.method = method;
    if (referrer) out.request.referrer = referrer;
  }
  const status = typeof http.status === 'number' ? http.status : typeof http.status === 'string' ? Number(http.status) : undefined;
  const length = toCount(http.length);
  if ((status !== undefined && Number.isInteger(status)) || length !== undefined) {
    out.response = {};
    if (status !== undefined && Number.isInteger(status)) out.response.status_code = status;
    if (length !== undefined) out.response.bytes = length;
  }
  const protocol = str(http.protocol);
  if (protocol) out.version = protocol.replace(/^HTTP\//i, '');
  if (Object.keys(out).length) event.http = out;
  const agent = str(http.http_user_agent);
  if (agent) event.user_agent = { original: agent };
}

function mapDns(event: NormalizedEvent, dns: Record<string, unknown>) {
  // EVE DNS v2 puts rrname at the top; v3 (Suricata 8) under queries[].
  const query = Array.isArray(dns.queries) && isObject(dns.queries[0]) ? dns.queries[0] : dns;
  const out: NonNullable<NormalizedEvent['dns']> = {};
  const name = str(query.rrname);
  const type = str(query.rrtype);
  if (name || type) {
    out.question = {};
    if (name) out.question.name = name;
    if (type) out.question.type = type;
  }
  const rcode = str(dns.rcode);
  if (rcode) out.response_code = rcode;
  const kind = str(dns.type);
  if (kind) out.type = kind;
  if (Array.isArray(dns.answers)) {
    out.answers = dns.answers.filter(isObject).map((answer) => {
      const item: { data?: string; type?: string } = {};
      const data = str(answer.rdata);
      if (data) item.data = data;
      const rrtype = str(answer.rrtype);
      if (rrtype) item.type = rrtype;
      return item;
    });
  }
  if (Object.keys(out).length) event.dns = out;
}

function mapTls(event: NormalizedEvent, tls: Record<string, unknown>) {
  const out: NonNullable<NormalizedEvent['tls']> = {};
  const server: NonNullable<NonNullable<NormalizedEvent['tls']>['server']> = {};
  const sni = str(tls.sni);
  if (sni) server.sni = sni;
  const subject = str(tls.subject);
  if (subject) server.subject = subject;
  const issuer = str(tls.issuerdn);
  if (issuer) server.issuer = issuer;
  const ja3s = isObject(tls.ja3s) ? str(tls.ja3s.hash) : undefined;
  if (ja3s) server.ja3s = ja3s;
  if (Object.keys(server).length) out.server = server;
  const ja3 = isObject(tls.ja3) ? str(tls.ja3.hash) : undefined;
  if (ja3) out.client = { ja3 };
  const version = str(tls.version);
  if (version) out.version = version;
  if (Object.keys(out).length) event.tls = out;
}
