import { looksLikeAccessLog } from './adapters/access-log.js';
import { parseCef } from './adapters/cef.js';
import { parseEcs } from './adapters/ecs.js';
import { parseGcpAudit } from './adapters/gcp-audit.js';
import { parseSuricataEve } from './adapters/suricata-eve.js';
import { parseSyslog } from './adapters/syslog.js';
import { parseThreatstream } from './adapters/threatstream.js';
import { isWindowsEventRecord, parseWindowsEvent } from './adapters/windows.js';
import type { AdapterContext, JsonAdapter, TextAdapter } from './adapters/types.js';
import { parseZeekJson } from './adapters/zeek-json.js';
import { parseZeekTsv } from './adapters/zeek-tsv.js';
import { INPUT_FORMATS, type InputFormat, type NormalizedEvent, type ParseHint, type ParseOutcome } from './schema.js';
import { failure, isObject } from './util.js';

/** Larger records are refused: a log record is bytes to kilobytes; a Zeek chunk is bounded by the bridge's message size. */
export const MAX_RECORD_CHARS = 1024 * 1024;

const JSON_ADAPTERS: Record<'threatstream' | 'ecs' | 'suricata-eve' | 'zeek-json' | 'gcp-audit' | 'windows-event', JsonAdapter> = {
  threatstream: parseThreatstream,
  ecs: parseEcs,
  'suricata-eve': parseSuricataEve,
  'zeek-json': parseZeekJson,
  'gcp-audit': parseGcpAudit,
  'windows-event': parseWindowsEvent,
};
const TEXT_ADAPTERS: Record<'zeek-tsv' | 'syslog' | 'cef', TextAdapter> = {
  'zeek-tsv': parseZeekTsv,
  syslog: parseSyslog,
  cef: parseCef,
};

export function isInputFormat(value: unknown): value is InputFormat {
  return typeof value === 'string' && (INPUT_FORMATS as readonly string[]).includes(value);
}

function isJsonFormat(format: InputFormat): format is keyof typeof JSON_ADAPTERS {
  return format in JSON_ADAPTERS;
}

/**
 * The format of a JSON record, by key probes on the decoded object (no field is read twice).
 * Our own events have `event_id`; EVE has `event_type` and `flow_id`/`src_ip`; a LogEntry has
 * `protoPayload` or `logName`+`insertId`; Zeek has `ts` with `uid` or `id.orig_h`; ECS has
 * `@timestamp` with an `event` or `ecs` object.
 */
export function detectJsonFormat(record: Record<string, unknown>): InputFormat | undefined {
  if ('event_id' in record && 'event_type' in record) return 'threatstream';
  if (isWindowsEventRecord(record)) return 'windows-event';
  if ('event_type' in record && ('flow_id' in record || 'src_ip' in record || 'in_iface' in record || 'pcap_cnt' in record)) return 'suricata-eve';
  if ('protoPayload' in record || ('logName' in record && 'insertId' in record)) return 'gcp-audit';
  if ('@timestamp' in record && (isObject(record.event) || isObject(record.ecs) || 'event.kind' in record || 'ecs.version' in record)) return 'ecs';
  if ('ts' in record && ('uid' in record || 'id.orig_h' in record || 'id_orig_h' in record || '_path' in record || '@stream' in record || 'fuid' in record || 'note' in record || isObject(record.id))) return 'zeek-json';
  // Our own shape says source_ip where EVE says src_ip: an event of ours missing its id is still ours, and refused as such.
  if ('source_ip' in record || 'event_id' in record) return 'threatstream';
  if ('event_type' in record && 'timestamp' in record) return 'suricata-eve';
  return undefined;
}

const RFC3164_START = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /;
const ISO_START = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
const RFC5424_NO_PRI = /^1 \d{4}-\d\d-\d\dT/;
const CEF_MARK = /CEF: ?\d+\|/;

/** The format of a text record: first bytes, then one anchored pattern; undefined if none fits. */
export function detectTextFormat(raw: string): InputFormat | undefined {
  const first = raw.charCodeAt(0);
  if (first === 35 /* # */) return 'zeek-tsv';
  // CEF, bare or behind any syslog-ish prefix (some relays write "host tag[pid] CEF:0|…").
  const head = raw.length > 512 ? raw.slice(0, 512) : raw;
  if (head.includes('CEF:') && CEF_MARK.test(head)) return 'cef';
  const syslogLike =
    first === 60 /* < */ ||
    RFC3164_START.test(raw) ||
    ISO_START.test(raw) ||
    RFC5424_NO_PRI.test(raw);
  if (syslogLike) return 'syslog';
  if (looksLikeAccessLog(raw)) return 'syslog';
  return undefined;
}

/** The format of a raw record, or undefined. JSON is decoded to probe its keys. */
export function detectFormat(raw: string): InputFormat | undefined {
  const text = raw.trimStart();
  if (text.charCodeAt(0) === 123 /* { */) {
    try {
      const record: unknown = JSON.parse(text);
      return isObject(record) ? detectJsonFormat(unwrapPubSubPush(record) ?? record) : undefined;
    } catch {
      return undefined;
    }
  }
  return detectTextFormat(text);
}

/**
 * Parses one raw record into normalised events. With a format hint only that adapter runs;
 * without one the format is detected. Never throws: bad input is a reason and a message.
 */
export function parseRecord(raw: string, hint?: ParseHint): ParseOutcome {
  const context: AdapterContext = { now: hint?.now ?? new Date() };
  const format = hint?.format;
  if (format !== undefined && !isInputFormat(format)) {
    return failure('unknown', 'unsupported_format', `format "${String(format)}" is not one of ${INPUT_FORMATS.join(', ')}`);
  }
  if (raw.length > MAX_RECORD_CHARS) {
    return failure(format ?? 'unknown', 'too_large', `record is ${raw.length} characters, over the ${MAX_RECORD_CHARS}-character limit`);
  }
  const text = raw.trim();
  if (text === '') return failure(format ?? 'unknown', 'empty', 'record is empty');
  try {
    return dispatch(text, format, context);
  } catch (error) {
    // An adapter bug must not take the record (or the batch it travels in) down with it.
    return failure(format ?? 'unknown', 'parser_error', `could not be parsed: ${(error as Error).message}`);
  }
}

function dispatch(text: string, format: InputFormat | undefined, context: AdapterContext): ParseOutcome {
  const looksJson = text.charCodeAt(0) === 123;
  if (format === undefined ? looksJson : isJsonFormat(format)) {
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      // Shippers that batch (Fluent Bit, Vector) send JSON lines: one record each.
      if (text.includes('\n')) return parseJsonLines(text, format, context);
      return failure(format ?? 'unknown', 'invalid_json', `not valid JSON: ${(error as Error).message}`);
    }
    if (!isObject(record)) return failure(format ?? 'unknown', 'not_an_object', 'the JSON record must be an object');
    const inner = unwrapPubSubPush(record);
    if (inner) return parseRecordJson(inner, JSON.stringify(inner), format, context);
    return parseRecordJson(record, text, format, context);
  }
  const textFormat = format ?? detectTextFormat(text);
  if (textFormat === undefined) {
    return failure('unknown', 'unrecognised', `not a supported format (first characters: ${JSON.stringify(text.slice(0, 40))})`);
  }
  if (isJsonFormat(textFormat)) return failure(textFormat, 'invalid_json', 'expected a JSON object');
  return TEXT_ADAPTERS[textFormat](text, context);
}

function parseRecordJson(record: Record<string, unknown>, raw: string, format: InputFormat | undefined, context: AdapterContext): ParseOutcome {
  const jsonFormat = format ?? detectJsonFormat(record);
  if (jsonFormat === undefined) {
    const keys = Object.keys(record).slice(0, 8).join(', ');
    return failure('unknown', 'unrecognised_json', `JSON record of no supported format (keys: ${keys})`);
  }
  if (!isJsonFormat(jsonFormat)) return failure(jsonFormat, 'unexpected_json', 'is a text format, got a JSON object');
  return JSON_ADAPTERS[jsonFormat](record, raw, context);
}

function parseJsonLines(text: string, format: InputFormat | undefined, context: AdapterContext): ParseOutcome {
  const events: NormalizedEvent[] = [];
  let seen: InputFormat | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      return failure(format ?? seen ?? 'unknown', 'invalid_json', `line ${n + 1}: not valid JSON: ${(error as Error).message}`);
    }
    if (!isObject(record)) return failure(format ?? seen ?? 'unknown', 'not_an_object', `line ${n + 1}: the JSON record must be an object`);
    const outcome = parseRecordJson(record, line, format, context);
    if (!outcome.ok) return { ...outcome, message: outcome.message.replace(/^([^:]+): /, `$1: line ${n + 1}: `) };
    if (seen !== undefined && outcome.format !== seen) {
      return failure(seen, 'mixed_formats', `line ${n + 1} is ${outcome.format}, earlier lines ${seen}: send one format per record`);
    }
    seen = outcome.format;
    events.push(...outcome.events);
  }
  return seen === undefined ? failure(format ?? 'unknown', 'empty', 'record is empty') : { ok: true, format: seen, events };
}

/** A Pub/Sub push delivery ({message: {data: base64}, subscription}) carries the record in data. */
function unwrapPubSubPush(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const message = record.message;
  if (!isObject(message) || typeof message.data !== 'string' || typeof record.subscription !== 'string') return undefined;
  try {
    const binary = atob(message.data);
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    const inner: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isObject(inner) ? inner : undefined;
  } catch {
    return undefined;
  }
}
