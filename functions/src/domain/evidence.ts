/**
 * Defensive readers for event payloads. A payload is whatever a sensor sent: numbers may be
 * strings, lists may be counts, the same fact goes by several names, and some senders are
 * hostile. Each reader takes the first of several field names that holds a usable value,
 * ignores everything else (objects, NaN, negative counts), and never throws.
 */

export type Payload = Readonly<Record<string, unknown>>;

/** A list of field names, built once at module load (never per event). */
export type FieldNames = readonly string[];

/**
 * The snake_case names given, each followed by its camelCase spelling
 * ("failed_attempts" → "failed_attempts", "failedAttempts").
 */
export function fieldNames(...snakeCaseNames: string[]): FieldNames {
  const names: string[] = [];
  for (const name of snakeCaseNames) {
    names.push(name);
    const camel = name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
    if (camel !== name) names.push(camel);
  }
  return Object.freeze(names);
}

const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number from a number or numeric text ("150", " 1.5e3 "); undefined otherwise. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const text = value.trim();
  if (!NUMERIC_TEXT.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * A number derived from evidence (a rate, a product with a unit), kept only when finite:
 * 1e308 attempts in 1e-300 seconds is not a rate anyone can use.
 */
export function finite(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

/** The first field holding a finite number (or numeric text). */
export function readNumber(payload: Payload, names: FieldNames): number | undefined {
  for (const name of names) {
    if (!Object.hasOwn(payload, name)) continue;
    const number = toNumber(payload[name]);
    if (number !== undefined) return number;
  }
  return undefined;
}

/** Like `readNumber`, but only non-negative values. */
export function readNonNegative(payload: Payload, names: FieldNames): number | undefined {
  for (const name of names) {
    if (!Object.hasOwn(payload, name)) continue;
    const number = toNumber(payload[name]);
    if (number !== undefined && number >= 0) return number;
  }
  return undefined;
}

/**
 * How many of something: a non-negative number, numeric text, or a list (its length — the
 * scanner sent the ports themselves rather than their count).
 */
export function readCount(payload: Payload, names: FieldNames): number | undefined {
  for (const name of names) {
    if (!Object.hasOwn(payload, name)) continue;
    const value = payload[name];
    if (Array.isArray(value)) return value.length;
    const number = toNumber(value);
    if (number !== undefined && number >= 0) return Math.floor(number);
  }
  return undefined;
}

/** Longest text kept from one payload field: enough to show, bounded to scan cheaply. */
export const MAX_TEXT_LENGTH = 4096;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

/** Text for display: control characters replaced by spaces, cut to `maxLength`. */
export function displayText(text: string, maxLength: number): string {
  const clean = text.replace(CONTROL_CHARACTERS, ' ').trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}

/** Text from a string, a finite number, or a list of them (joined); bounded and trimmed. */
function toText(value: unknown, maxLength: number): string | undefined {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (Array.isArray(value)) text = textItems(value, 8).join(', ');
  if (text === undefined) return undefined;
  text = (text.length > maxLength ? text.slice(0, maxLength) : text).trim();
  return text.length > 0 ? text : undefined;
}

/** The first field holding text (numbers are accepted as their text), trimmed and bounded. */
export function readText(payload: Payload, names: FieldNames, maxLength = MAX_TEXT_LENGTH): string | undefined {
  for (const name of names) {
    if (!Object.hasOwn(payload, name)) continue;
    const text = toText(payload[name], maxLength);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Text items of a list: strings (and numbers) only, at most `maxItems`. */
function textItems(values: readonly unknown[], maxItems: number): string[] {
  const items: string[] = [];
  for (const value of values) {
    if (items.length === maxItems) break;
    if (typeof value === 'string' && value.trim().length > 0) items.push(value.trim().slice(0, MAX_TEXT_LENGTH));
    else if (typeof value === 'number' && Number.isFinite(value)) items.push(String(value));
  }
  return items;
}

/** A list of texts from a list field or a comma-separated text field (at most `maxItems`). */
export function readTextList(payload: Payload, names: FieldNames, maxItems = 32): string[] | undefined {
  for (const name of names) {
    if (!Object.hasOwn(payload, name)) continue;
    const value = payload[name];
    let items: string[] = [];
    if (Array.isArray(value)) items = textItems(value, maxItems);
    else if (typeof value === 'string') items = textItems(value.slice(0, MAX_TEXT_LENGTH).split(','), maxItems);
    if (items.length > 0) return items;
  }
  return undefined;
}

const TRUE_TEXT = new Set(['true', 'yes', 'y', '1', 'on', 'success', 'succeeded', 'successful']);
const FALSE_TEXT = new Set(['false', 'no', 'n', '0', 'off', 'failure', 'failed', 'fail']);

/** A yes/no answer from a boolean, 1/0, or words such as "true", "yes", "failed". */
export function readFlag(payload: Payload, names: FieldNames): boolean | undefined {
  for (const name of names) {
    if (!Object.hasOwn(payload, name)) continue;
    const value = payload[name];
    if (typeof value === 'boolean') return value;
    if (value === 1 || value === 0) return value === 1;
    if (typeof value === 'string' && value.length <= 16) {
      const word = value.trim().toLowerCase();
      if (TRUE_TEXT.has(word)) return true;
      if (FALSE_TEXT.has(word)) return false;
    }
  }
  return undefined;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};
const SIZE_TEXT = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b)$/i;

/** A byte count from a number or text with a unit ("2.5 GB", "512MiB"). */
export function toBytes(value: unknown): number | undefined {
  const number = toNumber(value);
  if (number !== undefined) return number >= 0 ? number : undefined;
  if (typeof value !== 'string' || value.length > 32) return undefined;
  const match = SIZE_TEXT.exec(value.trim());
  if (match === null) return undefined;
  const unit = BYTE_UNITS[match[2]!.toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

/** The first field holding a byte count (a number, or text with a unit). */
export function readBytes(payload: Payload, names: FieldNames): number | undefined {
  for (const name of names) {
    if (!Object.hasOwn(payload, name)) continue;
    const bytes = toBytes(payload[name]);
    if (bytes !== undefined) return bytes;
  }
  return undefined;
}

/**
 * 0 at or below `low`, 1 at or above `high`, logarithmic in between: evidence like attempt
 * counts spans orders of magnitude, and 10 → 100 matters as much as 100 → 1,000.
 */
export function logScale(value: number | undefined, low: number, high: number): number {
  if (value === undefined || !(value > low)) return 0;
  if (value >= high) return 1;
  return Math.log(value / low) / Math.log(high / low);
}

/**
 * Combines independent pieces of evidence, each 0..1, as "noisy OR": 1 − Π(1 − s). Two weak
 * signals make a stronger one, the result never exceeds 1, and a 0 changes nothing.
 */
export function noisyOr(...strengths: number[]): number {
  let doubt = 1;
  for (const strength of strengths) doubt *= 1 - Math.min(1, Math.max(0, strength));
  return 1 - doubt;
}

/** "1,234,567" for counts (exponent form past 10^15, where digits mean nothing). */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1e15) return value.toExponential(2);
  const rounded = Math.round(value);
  const digits = String(Math.abs(rounded));
  let grouped = '';
  for (let end = digits.length; end > 0; end -= 3) {
    const group = digits.slice(Math.max(0, end - 3), end);
    grouped = grouped === '' ? group : `${group},${grouped}`;
  }
  return rounded < 0 ? `-${grouped}` : grouped;
}

/** "1 file", "4,200 files". */
export function countOf(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${formatCount(count)} ${count === 1 ? noun : pluralNoun}`;
}

const SIZE_STEPS: readonly (readonly [number, string])[] = [
  [1e12, 'TB'],
  [1e9, 'GB'],
  [1e6, 'MB'],
  [1e3, 'kB'],
];

/** "2.5 GB" for byte counts (decimal units, as network tools report them). */
export function formatBytes(bytes: number): string {
  for (const [size, unit] of SIZE_STEPS) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${value >= 100 || bytes >= 1e15 ? formatCount(value) : value.toFixed(1).replace(/\.0$/, '')} ${unit}`;
    }
  }
  return `${formatCount(bytes)} B`;
}
