import { z } from 'zod';

/** Every input format an adapter parses. `threatstream` is our own event JSON (design.md). */
export const INPUT_FORMATS = ['threatstream', 'ecs', 'suricata-eve', 'zeek-json', 'zeek-tsv', 'syslog', 'cef', 'gcp-audit', 'windows-event'] as const;
export const InputFormatSchema = z.enum(INPUT_FORMATS);
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Our severity scale (design.md); a sensor's own scale is mapped onto it. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/** The raw record kept for forensics is cut to this many characters. */
export const MAX_ORIGINAL_CHARS = 4096;

// ECS categorisation values (https://www.elastic.co/guide/en/ecs/current/ecs-allowed-values-event-category.html).
export const EVENT_CATEGORIES = [
  'authentication', 'configuration', 'database', 'driver', 'email', 'file', 'host', 'iam',
  'intrusion_detection', 'malware', 'network', 'package', 'process', 'registry', 'session',
  'threat', 'vulnerability', 'web', 'api',
] as const;
export const EVENT_TYPES_ECS = [
  'access', 'admin', 'allowed', 'change', 'connection', 'creation', 'deletion', 'denied', 'end',
  'error', 'group', 'indicator', 'info', 'installation', 'protocol', 'start', 'user',
] as const;

const Ip = z.string().min(1);
const Port = z.number().int().min(0).max(65535);
const Count = z.number().int().min(0);
/** Open-ended objects keep what a format gives beyond the common fields. */
const Bag = z.record(z.string(), z.unknown());

const Endpoint = z.object({
  ip: Ip.optional(),
  port: Port.optional(),
  bytes: Count.optional(),
  packets: Count.optional(),
  domain: z.string().optional(),
  mac: z.string().optional(),
});

/**
 * The normalised event: ECS field names (https://www.elastic.co/guide/en/ecs/current/), nested
 * objects, every field optional except `@timestamp` and `event.{id, kind, original}`.
 * Format-specific detail the common fields cannot hold lives under the format's own namespace
 * (`suricata`, `zeek`, `cef`, `gcp`, `log.syslog`) as Elastic's own integrations do, or `labels`.
 */
export const NormalizedEventSchema = z.object({
  '@timestamp': z.iso.datetime({ offset: true }),
  message: z.string().optional(),
  event: z.object({
    /** Derived from the record, so a re-shipped record gets the same id. Safe as a Firestore id. */
    id: z.string().min(1).max(128).regex(/^[^/]+$/),
    kind: z.enum(['alert', 'event']),
    category: z.array(z.string()).default([]),
    type: z.array(z.string()).default([]),
    action: z.string().optional(),
    outcome: z.enum(['success', 'failure', 'unknown']).optional(),
    /** The source's own numeric severity, as it gave it (Suricata 1 = highest, CEF 0–10, syslog 0–7). */
    severity: z.number().optional(),
    /** That severity on our scale. */
    severity_label: SeveritySchema.optional(),
    module: z.string().optional(),
    dataset: z.string().optional(),
    provider: z.string().optional(),
    duration: z.number().optional(),
    created: z.string().optional(),
    reason: z.string().optional(),
    /** The raw record, cut to MAX_ORIGINAL_CHARS. */
    original: z.string().max(MAX_ORIGINAL_CHARS),
    /** Which adapter produced it. */
    format: InputFormatSchema,
  }),
  source: Endpoint.optional(),
  destination: Endpoint.optional(),
  network: z
    .object({
      transport: z.string().optional(),
      protocol: z.string().optional(),
      community_id: z.string().optional(),
      direction: z.string().optional(),
      bytes: Count.optional(),
      packets: Count.optional(),
    })
    .optional(),
  user: z.object({ name: z.string().optional(), email: z.string().optional(), target: z.object({ name: z.string() }).optional() }).optional(),
  url: z.object({ original: z.string().optional(), path: z.string().optional(), query: z.string().optional(), domain: z.string().optional() }).optional(),
  http: z
    .object({
      version: z.string().optional(),
      request: z.object({ method: z.string().optional(), referrer: z.string().optional(), bytes: Count.optional() }).optional(),
      response: z.object({ status_code: z.number().int().optional(), bytes: Count.optional() }).optional(),
    })
    .optional(),
  user_agent: z.object({ original: z.string().optional() }).optional(),
  rule: z
    .object({
      id: z.string().optional(),
      name: z.string().optional(),
      category: z.string().optional(),
      ruleset: z.string().optional(),
      version: z.string().optional(),
      reference: z.string().optional(),
    })
    .optional(),
  threat: z
    .object({
      technique: z.object({ id: z.array(z.string()) }).optional(),
      tactic: z.object({ id: z.array(z.string()) }).optional(),
    })
    .optional(),
  observer: z
    .object({ product: z.string().optional(), vendor: z.string().optional(), type: z.string().optional(), hostname: z.string().optional(), version: z.string().optional() })
    .optional(),
  host: z.object({ hostname: z.string().optional(), ip: z.array(z.string()).optional() }).optional(),
  process: z.object({ name: z.string().optional(), pid: z.number().int().optional(), command_line: z.string().optional() }).optional(),
  dns: z
    .object({
      question: z.object({ name: z.string().optional(), type: z.string().optional() }).optional(),
      response_code: z.string().optional(),
      answers: z.array(z.object({ data: z.string().optional(), type: z.string().optional() })).optional(),
      type: z.string().optional(),
    })
    .optional(),
  tls: z.object({ version: z.string().optional(), server: z.object({ sni: z.string().optional(), subject: z.string().optional(), issuer: z.string().optional(), ja3s: z.string().optional() }).optional(), client: z.object({ ja3: z.string().optional() }).optional() }).optional(),
  cloud: z.object({ provider: z.string().optional(), project: z.object({ id: z.string() }).optional(), region: z.string().optional() }).optional(),
  log: z
    .object({
      level: z.string().optional(),
      syslog: z
        .object({
          priority: z.number().int().optional(),
          facility: z.object({ code: z.number().int() }).optional(),
          severity: z.object({ code: z.number().int() }).optional(),
          appname: z.string().optional(),
          procid: z.string().optional(),
          msgid: z.string().optional(),
          hostname: z.string().optional(),
          version: z.string().optional(),
          structured_data: z.record(z.string(), z.record(z.string(), z.string())).optional(),
        })
        .optional(),
    })
    .optional(),
  gcp: z
    .object({
      audit: z.object({
        method_name: z.string().optional(),
        service_name: z.string().optional(),
        resource_name: z.string().optional(),
        resource_type: z.string().optional(),
        principal_email: z.string().optional(),
        caller_ip: z.string().optional(),
        status: z.object({ code: z.number().int().optional(), message: z.string().optional() }).optional(),
        authorization_info: z.array(Bag).optional(),
        request: Bag.optional(),
        response: Bag.optional(),
        service_data: Bag.optional(),
        metadata: Bag.optional(),
        log_name: z.string().optional(),
      }),
    })
    .optional(),
  /** Suricata EVE's own fields (alert, app-layer, flow, anomaly…) as Suricata wrote them. */
  suricata: z.object({ eve: Bag }).optional(),
  /** Zeek's own fields under the log's name, e.g. `zeek.conn.conn_state`. */
  zeek: Bag.optional(),
  /** CEF header and extension fields not mapped above (incl. csN/cnN by their labels). */
  cef: z.object({ version: z.string(), device_event_class_id: z.string(), extensions: z.record(z.string(), z.string()) }).optional(),
  /** Our own event (design.md shape) as it arrived, so toSecurityEvent returns it unchanged. */
  threatstream: z.object({ event: Bag }).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  /** A Windows event log record (EVTX dump, Winlogbeat or NXLog JSON), ECS's `winlog` names. */
  winlog: z
    .object({
      channel: z.string().optional(),
      event_id: z.number().int().optional(),
      provider_name: z.string().optional(),
      computer_name: z.string().optional(),
      record_id: z.number().optional(),
      /** EventData (or UserData) fields as the provider named them: Sysmon's `Image`, `CommandLine`… */
      event_data: Bag.optional(),
    })
    .optional(),
});
export type NormalizedEvent = z.infer<typeof NormalizedEventSchema>;

/** The result of parsing one raw record, which may hold several events (a Zeek TSV chunk). */
export type ParseOutcome =
  | { ok: true; format: InputFormat; events: NormalizedEvent[] }
  | {
      ok: false;
      format: InputFormat | 'unknown';
      /** Stable code for metrics and dead-letters, e.g. `cef.bad_header`. */
      reason: string;
      /** Names the format and what was wrong. */
      message: string;
    };

export interface ParseHint {
  format?: InputFormat;
  /** Reference time for formats without a year (RFC 3164 syslog); defaults to now. */
  now?: Date;
}
