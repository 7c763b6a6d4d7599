import type { InputFormat, NormalizedEvent, Severity } from '../schema.js';
import { epochSecondsToIso, isoTimestamp, recordId, str, toCount, toPort, transport, truncate } from '../util.js';

/** Zeek fields, flat with Zeek's dotted names (`id.orig_h`), whichever way a shipper wrote them. */
export type ZeekFields = Record<string, unknown>;

const CONN_SUCCESS = new Set(['SF', 'S1', 'S2', 'S3', 'RSTO', 'RSTR']);
const CONN_FAILURE = new Set(['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR']);
// Common fields mapped to ECS; everything else stays under zeek.<log>.
const COMMON = new Set(['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'community_id', '_path', '_write_ts', '_system_name', '@stream', '@system', '@proc']);

/** The log a record came from, when the shipper did not say: by the fields only that log has. */
export function inferZeekPath(fields: ZeekFields): string | undefined {
  if ('note' in fields) return 'notice';
  if ('conn_state' in fields) return 'conn';
  if ('auth_success' in fields || 'auth_attempts' in fields || 'host_key' in fields) return 'ssh';
  if ('qtype_name' in fields || 'rcode_name' in fields || ('query' in fields && 'trans_id' in fields)) return 'dns';
  if ('method' in fields && ('uri' in fields || 'status_code' in fields)) return 'http';
  if ('name' in fields && 'peer' in fields) return 'weird';
  if ('server_name' in fields || 'ssl_history' in fields || 'cipher' in fields) return 'ssl';
  return undefined;
}

/** Zeek's own notices (notice.log `note`) to words classifyAlert understands. */
export const ZEEK_NOTE_SEVERITY: Record<string, Severity> = {
  'Scan::Port_Scan': 'MEDIUM',
  'Scan::Address_Scan': 'MEDIUM',
  'SSH::Password_Guessing': 'HIGH',
  'SSH::Login_By_Password_Guesser': 'CRITICAL',
  'HTTP::SQL_Injection_Attacker': 'HIGH',
  'HTTP::SQL_Injection_Victim': 'HIGH',
  'FTP::Bruteforcing': 'HIGH',
  'Heartbleed::SSL_Heartbeat_Attack_Success': 'CRITICAL',
  'Intel::Notice': 'HIGH',
  'TeamCymruMalwareHashRegistry::Match': 'HIGH',
};

export function zeekEvent(path: string, fields: ZeekFields, raw: string, format: InputFormat): NormalizedEvent | string {
  const ts = fields.ts;
  const timestamp = typeof ts === 'number' ? epochSecondsToIso(ts) : typeof ts === 'string' ? (isoTimestamp(ts) ?? epochSecondsToIso(ts)) : undefined;
  if (ts === undefined) return 'missing_ts';
  if (!timestamp) return 'bad_ts';
  const kind = path === 'notice' ? 'alert' : 'event';
  const event: NormalizedEvent = {
    '@timestamp': timestamp,
    event: {
      // A re-shipped line has the same log, connection uid, time and content.
      id: recordId('zeek', path, fields.uid, ts, raw),
      kind,
      category: ['network'],
      type: ['info'],
      module: 'zeek',
      dataset: `zeek.${path}`,
      original: truncate(raw),
      format,
    },
    observer: { product: 'Zeek', vendor: 'Zeek', type: 'ids' },
  };
  const system = str(fields['_system_name']) ?? str(fields['@system']);
  if (system) event.observer!.hostname = system;
  const source = endpoint(fields['id.orig_h'], fields['id.orig_p']);
  const destination = endpoint(fields['id.resp_h'], fields['id.resp_p']);
  if (source) event.source = source;
  if (destination) event.destination = destination;
  const network: NonNullable<NormalizedEvent['network']> = {};
  const proto = transport(fields.proto);
  if (proto) network.transport = proto;
  const communityId = str(fields.community_id);
  if (communityId) network.community_id = communityId;
  if (Object.keys(network).length) event.network = network;

  const own: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) if (!COMMON.has(key)) own[key] = fields[key];
  event.zeek = { [path]: own };
  if (fields.uid !== undefined) event.zeek.session_id = fields.uid;

  switch (path) {
    case 'conn':
      mapConn(event, fields);
      break;
    case 'ssh':
      mapSsh(event, fields);
      break;
    case 'http':
      mapHttp(event, fields);
      break;
    case 'dns':
      mapDns(event, fields);
      break;
    case 'notice':
      mapNotice(event, fields);
      break;
    case 'weird':
      event.event.type = ['info', 'error'];
      event.event.action = str(fields.name) ?? 'weird';
      if (str(fields.addl)) event.event.reason = str(fields.addl);
      event.message = `weird ${fields.name ?? ''}`.trim();
      break;
    case 'ssl': {
      event.event.type = ['protocol'];
      const sni = str(fields.server_name);
      const version = str(fields.version);
      if (sni || version) {
        event.tls = {};
        if (sni) event.tls.server = { sni };
        if (version) event.tls.version = version;
      }
      break;
    }
  }
  return event;
}

function endpoint(ip: unknown, port: unknown) {
  const out: NonNullable<NormalizedEvent['source']> = {};
  if (typeof ip === 'string' && ip !== '') out.ip = ip;
  const p = toPort(port);
  if (p !== undefined) out.port = p;
  return Object.keys(out).length ? out : undefined;
}

function mapConn(event: NormalizedEvent, fields: ZeekFields) {
  event.event.type = ['connection', 'end'];
  const state = str(fields.conn_state);
  if (state) {
    event.event.action = state;
    event.event.outcome = CONN_SUCCESS.has(state) ? 'success' : CONN_FAILURE.has(state) ? 'failure' : 'unknown';
  }
  const duration = typeof fields.duration === 'number' ? fields.duration : undefined;
  if (duration !== undefined) event.event.duration = Math.round(duration * 1e9);
  const origBytes = toCount(fields.orig_bytes);
  const respBytes = toCount(fields.resp_bytes);
  const origPkts = toCount(fields.orig_pkts);
  const respPkts = toCount(fields.resp_pkts);
  if (origBytes !== undefined || origPkts !== undefined) {
    event.source ??= {};
    if (origBytes !== undefined) event.source.bytes = origBytes;
    if (origPkts !== undefined) event.source.packets = origPkts;
  }
  if (respBytes !== undefined || respPkts !== undefined) {
    event.destination ??= {};
    if (respBytes !== undefined) event.destination.bytes = respBytes;
    if (respPkts !== undefined) event.destination.packets = respPkts;
  }
  const service = str(fields.service);
  if (service) (event.network ??= {}).protocol = service.split(',')[0];
  if (origBytes !== undefined && respBytes !== undefined) (event.network ??= {}).bytes = origBytes + respBytes;
  if (origPkts !== undefined && respPkts !== undefined) (event.network ??= {}).packets = origPkts + respPkts;
}

function mapSsh(event: NormalizedEvent, fields: ZeekFields) {
  event.event.category = ['network', 'authentication'];
  event.event.type = ['info'];
  (event.network ??= {}).protocol = 'ssh';
  const success = fields.auth_success;
  if (success === true || success === 'T') event.event.outcome = 'success';
  else if (success === false || success === 'F') event.event.outcome = 'failure';
  event.event.action = 'ssh_login';
  const client = str(fields.client);
  if (client) event.user_agent = { original: client };
}

function mapHttp(event: NormalizedEvent, fields: ZeekFields) {
  event.event.category = ['network', 'web'];
  event.event.type = ['access', 'protocol'];
  (event.network ??= {}).protocol = 'http';
  const uri = str(fields.uri);
  const host = str(fields.host);
  if (uri || host) {
    event.url = {};
    if (uri) {
      event.url.original = uri;
      const q = uri.indexOf('?');
      event.url.path = q >= 0 ? uri.slice(0, q) : uri;
      if (q >= 0) event.url.query = uri.slice(q + 1);
    }
    if (host) event.url.domain = host;
  }
  const http: NonNullable<NormalizedEvent['http']> = {};
  const method = str(fields.method);
  const referrer = str(fields.referrer);
  const requestBytes = toCount(fields.request_body_len);
  if (method || referrer || requestBytes !== undefined) {
    http.request = {};
    if (method) http.request.method = method;
    if (referrer) http.request.referrer = referrer;
    if (requestBytes !== undefined) http.request.bytes = requestBytes;
  }
  const status = toCount(fields.status_code);
  const responseBytes = toCount(fields.response_body_len);
  if (status !== undefined || responseBytes !== undefined) {
    http.response = {};
    if (status !== undefined) http.response.status_code = status;
    if (responseBytes !== undefined) http.response.bytes = responseBytes;
  }
  const version = str(fields.version);
  if (version) http.version = version;
  if (Object.keys(http).length) event.http = http;
  const agent = str(fields.user_agent);
  if (agent) event.user_agent = { original: agent };
  const user = str(fields.username);
  if (user) event.user = { name: user };
  if (method) event.event.action = method;
}

function mapDns(event: NormalizedEvent, fields: ZeekFields) {
  event.event.type = ['protocol'];
  (event.network ??= {}).protocol = 'dns';
  const dns: NonNullable<NormalizedEvent['dns']> = {};
  const query = str(fields.query);
  const qtype = str(fields.qtype_name);
  if (query || qtype) {
    dns.question = {};
    if (query) dns.question.name = query;
    if (qtype) dns.question.type = qtype;
  }
  const rcode = str(fields.rcode_name);
  if (rcode) dns.response_code = rcode;
  if (Array.isArray(fields.answers)) dns.answers = fields.answers.filter((a): a is string => typeof a === 'string').map((data) => ({ data }));
  if (Object.keys(dns).length) event.dns = dns;
}

function mapNotice(event: NormalizedEvent, fields: ZeekFields) {
  event.event.category = ['intrusion_detection', 'network'];
  event.event.type = ['info'];
  const note = str(fields.note) ?? 'notice';
  event.event.action = note;
  event.rule = { name: note, ruleset: 'zeek-notice' };
  const group = note.split('::')[0];
  if (group && group !== note) event.rule.category = group;
  const msg = str(fields.msg);
  event.message = msg ? `${note}: ${msg}` : note;
  event.event.severity_label = ZEEK_NOTE_SEVERITY[note] ?? 'MEDIUM';
  // notice.log also carries src/dst/p for notices raised outside a connection.
  if (!event.source?.ip && str(fields.src)) event.source = { ...event.source, ip: str(fields.src)! };
  if (!event.destination?.ip && str(fields.dst)) event.destination = { ...event.destination, ip: str(fields.dst)! };
  const p = toPort(typeof fields.p === 'string' ? fields.p.split('/')[0] : fields.p);
  if (event.destination && event.destination.port === undefined && p !== undefined) event.destination.port = p;
}
