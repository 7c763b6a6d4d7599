/**
 * The transport check the bridge makes before handing a Kafka message to Pub/Sub.
 *
 * It is deliberately much weaker than the event schema (functions/src/domain/event.ts): the
 * bridge only refuses what could never become a threat document — bytes that are not a JSON
 * object, or that have no usable `event_id` (the functions' idempotency key and document id),
 * or that are over the event size limit. Everything else goes through unchanged and the
 * functions decide, with their own dead-letter path for schema errors.
 *
 * The limits mirror the event schema's: MAX_EVENT_BYTES and the event_id rules (1-128
 * characters after trimming, no "/"). tools/simulator/scenarios.test.ts checks they agree.
 *
 * Cost: this runs for every message, and JSON.parse of each event, only to read two fields,
 * was the bridge's largest cost of its own: the decoded string, the parse, and the objects it
 * builds for the garbage collector (profiled under bench/bridge-throughput.ts). So the bytes
 * are validated as JSON in one pass that builds nothing (`scanEnvelope`), and only the two
 * top-level strings wanted are decoded. Anything the scan does not accept goes through
 * `checkEnvelopeByParsing`, the plain JSON.parse version, which stays the authority on every
 * rejection and its reason. envelope.test.ts checks that the scan accepts exactly what that
 * reference accepts, with the same fields, on hand-picked, random and mutated bytes.
 */
export const MAX_EVENT_BYTES = 64 * 1024;
export const MAX_EVENT_ID_LENGTH = 128;
/** Pub/Sub attribute values are limited to 1024 bytes; event_type is short anyway. */
const MAX_EVENT_TYPE_LENGTH = 64;

export type EnvelopeRejection =
  | 'empty'
  | 'too_large'
  | 'not_json'
  | 'not_object'
  | 'missing_event_id'
  | 'invalid_event_id';

export type EnvelopeResult =
  | { ok: true; eventId: string; eventType?: string }
  | { ok: false; reason: EnvelopeRejection; detail: string };

export function checkEnvelope(value: Buffer | null | undefined): EnvelopeResult {
  if (!value || value.length === 0) return reject('empty', 'message has no value');
  if (value.length > MAX_EVENT_BYTES) {
    return reject('too_large', `message is ${value.length} bytes, over the ${MAX_EVENT_BYTES}-byte limit`);
  }
  return scanEnvelope(value) ?? checkEnvelopeByParsing(value);
}

/** The reference check: JSON.parse, then the rules. Slow, exact, and says why. */
export function checkEnvelopeByParsing(value: Buffer): EnvelopeResult {
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return reject('not_json', `not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const kind = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
    return reject('not_object', `event must be a JSON object, got ${kind}`);
  }
  const record = json as Record<string, unknown>;
  if (!('event_id' in record) || record.event_id === undefined || record.event_id === null) {
    return reject('missing_event_id', 'event_id is missing');
  }
  if (typeof record.event_id !== 'string') {
    return reject('invalid_event_id', `event_id must be a string, got ${typeof record.event_id}`);
  }
  return accept(record.event_id, record.event_type) ?? invalidEventId(record.event_id.trim());
}

/** The event_id and event_type rules, shared by both checks; undefined when event_id is unusable. */
function accept(rawEventId: string, type: unknown): EnvelopeResult | undefined {
  const eventId = rawEventId.trim();
  if (eventId.length === 0 || eventId.length > MAX_EVENT_ID_LENGTH || eventId.includes('/')) return undefined;
  const eventType =
    typeof type === 'string' && type.trim().length > 0 && type.length <= MAX_EVENT_TYPE_LENGTH ? type.trim() : undefined;
  return eventType === undefined ? { ok: true, eventId } : { ok: true, eventId, eventType };
}

function invalidEventId(eventId: string): EnvelopeResult {
  if (eventId.length === 0) return reject('invalid_event_id', 'event_id is empty');
  if (eventId.length > MAX_EVENT_ID_LENGTH) {
    return reject('invalid_event_id', `event_id is longer than ${MAX_EVENT_ID_LENGTH} characters`);
  }
  return reject('invalid_event_id', 'event_id must not contain "/"');
}

function reject(reason: EnvelopeRejection, detail: string): EnvelopeResult {
  return { ok: false, reason, detail };
}

// ---------------------------------------------------------------------------------------------
// The one-pass scan (the RFC 8259 grammar, over the raw bytes)
//
// Every structural character of JSON is ASCII, and UTF-8 decoding never folds an ASCII byte
// into a replacement character, so validating the bytes accepts exactly what
// JSON.parse(value.toString('utf8')) accepts: invalid UTF-8 can only sit inside strings, where
// both let it through (as U+FFFD).

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const OPEN_ARRAY = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_ARRAY = 0x5d;
const LOWER_E = 0x65;
const LOWER_U = 0x75;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
/** What may follow a backslash besides `u`: " \ / b f n r t */
const SIMPLE_ESCAPES = new Set([QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
/** Bytes a string scan must stop at: the quote, the backslash, and control characters. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < SPACE; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

const EVENT_ID_KEY = Buffer.from('"event_id"');
const EVENT_TYPE_KEY = Buffer.from('"event_type"');
const NO_FIELD = 0;
const EVENT_ID_FIELD = 1;
const EVENT_TYPE_FIELD = 2;

/** The closing bracket of each open container; nesting is never deeper than the message is long. */
const closers = new Uint8Array(MAX_EVENT_BYTES + 1);
/** Whether the last string scanned had an escape sequence (so its bytes are not its text). */
let lastStringEscaped = false;

/**
 * Accepts `value` when it is a JSON object whose top-level event_id passes the rules, reading
 * event_id and event_type like checkEnvelopeByParsing would (the last of duplicate keys wins).
 * Returns undefined for anything else, which checkEnvelopeByParsing then explains.
 */
export function scanEnvelope(b: Buffer): EnvelopeResult | undefined {
  const length = b.length;
  if (length > MAX_EVENT_BYTES) return undefined;
  let i = skipWhitespace(b, 0);
  if (b[i] !== OPEN_OBJECT) return undefined;
  let depth = 0;
  /** Set when an object member starts at i (after `{`, or a comma in an object). */
  let expectKey = false;
  /** Which wanted field the next value is (set by a top-level key). */
  let field = NO_FIELD;
  // Where the last top-level event_id / event_type string lies (quotes included); start -1 when
  // absent or not a string.
  let idStart = -1;
  let idEnd = -1;
  let typeStart = -1;
  let typeEnd = -1;

  for (;;) {
    if (expectKey) {
      expectKey = false;
      if (b[i] !== QUOTE) return undefined;
      const keyStart = i;
      i = scanString(b, i);
      if (i < 0) return undefined;
      if (depth === 1) field = topLevelField(b, keyStart, i, lastStringEscaped);
      if (b[i]! <= SPACE) i = skipWhitespace(b, i);
      if (b[i] !== COLON) return undefined;
      if (b[++i]! <= SPACE) i = skipWhitespace(b, i);
    }

    // A value starts at i.
    const start = i;
    const c = b[i];
    const isField = field;
    field = NO_FIELD;
    if (isField === EVENT_ID_FIELD) idStart = -1;
    else if (isField === EVENT_TYPE_FIELD) typeStart = -1;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const closer = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      i = skipWhitespace(b, i + 1);
      if (b[i] === closer) {
        i++; // {} or []
      } else {
        closers[depth++] = closer;
        expectKey = closer === CLOSE_OBJECT;
        continue;
      }
    } else if (c === QUOTE) {
      i = scanString(b, i);
      if (isField === EVENT_ID_FIELD) {
        idStart = start;
        idEnd = i;
      } else if (isField === EVENT_TYPE_FIELD) {
        typeStart = start;
        typeEnd = i;
      }
    } else if (c === MINUS || isDigit(c)) {
      i = scanNumber(b, i);
    } else {
      i = scanLiteral(b, i);
    }
    if (i < 0) return undefined;

    // A value ended at i: close containers, or move on to the next element.
    for (;;) {
      if (b[i]! <= SPACE) i = skipWhitespace(b, i); // (b[length] is undefined, not <= SPACE)
      if (depth === 0) {
        if (i !== length || idStart < 0) return undefined;
        const type = typeStart < 0 ? undefined : decodeString(b, typeStart, typeEnd);
        return accept(decodeString(b, idStart, idEnd), type);
      }
      const closer = closers[depth - 1];
      if (b[i] === COMMA) {
        if (b[++i]! <= SPACE) i = skipWhitespace(b, i);
        expectKey = closer === CLOSE_OBJECT;
        break;
      }
      if (b[i] !== closer) return undefined;
      depth--;
      i++;
    }
  }
}

/**
 * Skips JSON whitespace. Callers test `b[i] <= SPACE` first: most JSON has none between
 * tokens, and that test alone is much cheaper than the call.
 */
function skipWhitespace(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i];
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return i;
    i++;
  }
}

/** Scans the string whose opening quote is b[i]; returns the index after its closing quote, or -1. */
function scanString(b: Uint8Array, i: number): number {
  const length = b.length;
  lastStringEscaped = false;
  i++;
  for (;;) {
    // Past the end b[i] is undefined, and STRING_STOP[undefined] is not 0: no bounds check needed.
    while (STRING_STOP[b[i]!] === 0) i++;
    if (i >= length) return -1;
    if (b[i] === QUOTE) return i + 1;
    if (b[i] !== BACKSLASH) return -1; // a control character
    lastStringEscaped = true;
    const escaped = b[i + 1]!;
    if (escaped === LOWER_U) {
      if (!isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4]) || !isHex(b[i + 5])) return -1;
      i += 6;
    } else if (SIMPLE_ESCAPES.has(escaped)) {
      i += 2;
    } else {
      return -1;
    }
  }
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

/** -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?; returns the index after it, or -1. */
function scanNumber(b: Uint8Array, i: number): number {
  if (b[i] === MINUS) i++;
  if (b[i] === ZERO) i++;
  else if (isDigit(b[i])) while (isDigit(b[++i]));
  else return -1;
  if (b[i] === DOT) {
    if (!isDigit(b[++i])) return -1;
    while (isDigit(b[++i]));
  }
  if (b[i] === LOWER_E || b[i] === UPPER_E) {
    if (b[++i] === PLUS || b[i] === MINUS) i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[++i]));
  }
  return i;
}

const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];

/** true, false or null; returns the index after it, or -1. */
function scanLiteral(b: Uint8Array, i: number): number {
  for (const literal of LITERALS) {
    if (b[i] === literal[0]) return matches(b, i, literal) ? i + literal.length : -1;
  }
  return -1;
}

/** Whether the top-level key in b[start, end) (quotes included) is event_id or event_type. */
function topLevelField(b: Buffer, start: number, end: number, escaped: boolean): number {
  if (escaped) {
    // An escaped key can still spell either name ("event\u005fid"): rare, so decode it.
    const key = decodeString(b, start, end);
    return key === 'event_id' ? EVENT_ID_FIELD : key === 'event_type' ? EVENT_TYPE_FIELD : NO_FIELD;
  }
  const length = end - start;
  if (length === EVENT_ID_KEY.length && matches(b, start, EVENT_ID_KEY)) return EVENT_ID_FIELD;
  if (length === EVENT_TYPE_KEY.length && matches(b, start, EVENT_TYPE_KEY)) return EVENT_TYPE_FIELD;
  return NO_FIELD;
}

function matches(b: Uint8Array, at: number, expected: Uint8Array): boolean {
  for (let k = 0; k < expected.length; k++) if (b[at + k] !== expected[k]) return false;
  return true;
}

/** The text of the valid JSON string in b[start, end) (quotes included). */
function decodeString(b: Buffer, start: number, end: number): string {
  const raw = b.toString('utf8', start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(b.toString('utf8', start, end)) as string) : raw;
}
