import { parseRecord, type NormalizedEvent } from '@threatstream/events';

/**
 * Builders for the pack's test events, shaped as the @threatstream/events adapters shape them
 * (sshd via syslog, Zeek/Suricata flows, access logs, Google Cloud audit entries).
 */
export const T0 = Date.parse('2026-03-02T10:00:00Z');

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${(++counter).toString(36)}`;
const at = (seconds: number) => new Date(T0 + Math.round(seconds * 1000)).toISOString();

export interface Common {
  /** Seconds after T0. */
  at: number;
  id?: string;
}

export function sshLogin(o: Common & { src: string; user: string; outcome: 'success' | 'failure'; host?: string }): NormalizedEvent {
  return {
    '@timestamp': at(o.at),
    event: {
      id: o.id ?? nextId('ssh'),
      kind: 'event',
      category: ['authentication'],
      type: ['start'],
      action: o.outcome === 'success' ? 'ssh_login' : 'ssh_login_failed',
      outcome: o.outcome,
      dataset: 'syslog.sshd',
      original: `sshd[1234]: ${o.outcome === 'success' ? 'Accepted' : 'Failed'} password for ${o.user} from ${o.src} port 50022 ssh2`,
      format: 'syslog',
    },
    process: { name: 'sshd', pid: 1234 },
    source: { ip: o.src, port: 50022 },
    destination: { ip: o.host ?? '10.0.0.5', port: 22 },
    user: { name: o.user },
    host: { hostname: 'bastion' },
  };
}

export function flow(o: Common & { src: string; dst: string; dport: number; bytesOut?: number; transport?: string; outcome?: 'success' | 'failure' }): NormalizedEvent {
  const event: NormalizedEvent = {
    '@timestamp': at(o.at),
    event: { id: o.id ?? nextId('flow'), kind: 'event', category: ['network'], type: ['connection', 'end'], action: 'flow', original: '{}', format: 'suricata-eve' },
    source: { ip: o.src, port: 40000 + (counter % 20000), bytes: o.bytesOut ?? 60 },
    destination: { ip: o.dst, port: o.dport, bytes: 0 },
    network: { transport: o.transport ?? 'tcp' },
    observer: { product: 'Suricata' },
  };
  if (o.outcome !== undefined) event.event.outcome = o.outcome;
  return event;
}

export function webRequest(o: Common & { src: string; url: string; method?: string; status?: number; dst?: string }): NormalizedEvent {
  const [path, query] = o.url.split('?', 2);
  const url: NonNullable<NormalizedEvent['url']> = { original: o.url, path: path ?? o.url };
  if (query !== undefined) url.query = query;
  return {
    '@timestamp': at(o.at),
    event: {
      id: o.id ?? nextId('web'),
      kind: 'event',
      category: ['web'],
      type: ['access'],
      action: 'access',
      outcome: (o.status ?? 200) < 400 ? 'success' : 'failure',
      dataset: 'nginx.access',
      original: `${o.src} - - "${o.method ?? 'GET'} ${o.url} HTTP/1.1" ${o.status ?? 200} 512`,
      format: 'syslog',
    },
    source: { ip: o.src },
    destination: { ip: o.dst ?? '10.0.0.80', port: 443 },
    url,
    http: { request: { method: o.method ?? 'GET' }, response: { status_code: o.status ?? 200 } },
  };
}

export function gcpAudit(o: Common & { method: string; service: string; principal?: string; callerIp?: string; resource?: string; request?: Record<string, unknown>; serviceData?: Record<string, unknown> }): NormalizedEvent {
  const audit: NonNullable<NormalizedEvent['gcp']>['audit'] = {
    method_name: o.method,
    service_name: o.service,
    principal_email: o.principal ?? 'someone@example.com',
    caller_ip: o.callerIp ?? '198.51.100.7',
  };
  if (o.resource !== undefined) audit.resource_name = o.resource;
  if (o.request !== undefined) audit.request = o.request;
  if (o.serviceData !== undefined) audit.service_data = o.serviceData;
  return {
    '@timestamp': at(o.at),
    event: { id: o.id ?? nextId('gcp'), kind: 'event', category: ['configuration'], type: ['change'], action: o.method, outcome: 'success', dataset: 'gcp.audit', original: '{}', format: 'gcp-audit' },
    source: { ip: o.callerIp ?? '198.51.100.7' },
    user: { name: o.principal ?? 'someone@example.com' },
    cloud: { provider: 'gcp', project: { id: 'demo-project' } },
    gcp: { audit },
  };
}

/** A sensor alert (Suricata EVE `alert`), for rules that chain on sensor verdicts. */
export function sensorAlert(o: Common & { src: string; dst: string; dport?: number; signature: string; category: string }): NormalizedEvent {
  return {
    '@timestamp': at(o.at),
    event: { id: o.id ?? nextId('alert'), kind: 'alert', category: ['intrusion_detection', 'network'], type: ['info'], action: 'alert', original: '{}', format: 'suricata-eve' },
    source: { ip: o.src, port: 44444 },
    destination: { ip: o.dst, port: o.dport ?? 80 },
    rule: { id: '2000001', name: o.signature, category: o.category },
    observer: { product: 'Suricata' },
  };
}

/** `n` events from a builder, one every `every` seconds from `start`. */
export function series<E>(n: number, start: number, every: number, make: (i: number, at: number) => E): E[] {
  return Array.from({ length: n }, (_, i) => make(i, start + i * every));
}


/** Raw log lines (sshd syslog, access logs…) through the @threatstream/events adapters, as the pipeline parses them. */
export function parsed(lines: readonly string[], now = new Date(T0 + 3_600_000)): NormalizedEvent[] {
  return lines.flatMap((line) => {
    const outcome = parseRecord(line, { now });
    if (!outcome.ok) throw new Error(`fixture line does not parse (${outcome.reason}): ${line}`);
    return outcome.events;
  });
}

/** "Mar  2 10:00:05": an RFC 3164 timestamp `seconds` after T0. */
export function syslogTime(seconds: number): string {
  const d = new Date(T0 + seconds * 1000);
  const month = d.toLocaleString('en', { month: 'short', timeZone: 'UTC' });
  return `${month} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
}

/** "02/Mar/2026:10:00:05 +0000": an access-log timestamp `seconds` after T0. */
export function accessLogTime(seconds: number): string {
  const d = new Date(T0 + seconds * 1000);
  const month = d.toLocaleString('en', { month: 'short', timeZone: 'UTC' });
  return `${String(d.getUTCDate()).padStart(2, '0')}/${month}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
}
