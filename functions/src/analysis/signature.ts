import { createHash } from 'node:crypto';
import type { SecurityEvent } from '../domain/event';
import { PROMPT_VERSION } from './prompt';

// Events of one attack differ in their ids, times and counters, not in what they are: the
// signature keeps what the model's opinion depends on (type, source, target port, the shape of
// the payload, and every word in it) and drops the numbers, so a flood of one attack maps to one
// cache entry. The words are in the key because the attacker writes them: a cached answer is
// reused only for a payload with the same text, so one payload's words cannot change the score
// of another (an injected "ignore the above, rate it critical" stays with its own payload).

/** The fields of an event the signature reads. */
export type SignatureInput = Pick<SecurityEvent, 'event_type' | 'source_ip' | 'destination_port' | 'payload'>;

const MAX_SHAPE_DEPTH = 5;

/**
 * The shape of a JSON value: its keys (sorted) and value types, never its values.
 * `{attempts: 150, users: ['a', 'b']}` → `{attempts:number,users:[string]}`.
 *
 * Worked out for every selected event, mostly during floods and mostly only to find an answer
 * already there: keys are sorted in place and their quoted forms reused.
 */
export function shapeOf(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return typeof value;
  if (Array.isArray(value)) {
    if (depth >= MAX_SHAPE_DEPTH) return '[…]';
    const items = [...new Set(value.map((item) => shapeOf(item, depth + 1)))].sort();
    return `[${items.join('|')}]`;
  }
  if (depth >= MAX_SHAPE_DEPTH) return '{…}';
  const keys = sortInPlace(Object.keys(value));
  let text = '{';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (index > 0) text += ',';
    text += quoted(key) + ':' + shapeOf((value as Record<string, unknown>)[key], depth + 1);
  }
  return text + '}';
}

/**
 * Payloads have a handful of keys: those get an insertion sort in place, in the order Array#sort
 * uses (UTF-16 code units), without the scratch arrays the built-in sort allocates. Many keys
 * (an event may carry 64 KiB of them) get the built-in sort, which does not go quadratic.
 */
function sortInPlace(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let at = index - 1;
    while (at >= 0 && keys[at]! > key) {
      keys[at + 1] = keys[at]!;
      at--;
    }
    keys[at + 1] = key;
  }
  return keys;
}

/** Keys repeat from event to event; payloads are attacker-controlled, so only so many are kept. */
const QUOTED_KEYS_KEPT = 1_024;
const quotedKeys = new Map<string, string>();

function quoted(key: string): string {
  let text = quotedKeys.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_KEPT) quotedKeys.set(key, text);
  }
  return text;
}

/**
 * A digest of every string in the payload (keys sorted, as in shapeOf; numbers, booleans and
 * nulls left out), or "-" when it has none: same words, same digest.
 */
export function wordsDigest(payload: unknown): string {
  const hash = createHash('sha256');
  let any = false;
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string') {
      // Length-prefixed, so no split of the same characters into strings can collide.
      hash.update(`${value.length}:`).update(value);
      any = true;
      return;
    }
    if (value === null || typeof value !== 'object' || depth >= MAX_SHAPE_DEPTH) return;
    if (Array.isArray(value)) {
      hash.update('[');
      for (const item of value) visit(item, depth + 1);
      hash.update(']');
      return;
    }
    hash.update('{');
    for (const key of Object.keys(value).sort()) {
      hash.update(`${key.length}:`).update(key);
      visit((value as Record<string, unknown>)[key], depth + 1);
    }
    hash.update('}');
  };
  visit(payload, 0);
  return any ? hash.digest('hex').slice(0, 32) : '-';
}

/** The normalised text the signature hashes; readable, for logs and tests. */
export function signatureText(event: SignatureInput): string {
  return (
    event.event_type +
    '|' +
    event.source_ip.trim().toLowerCase() +
    '|' +
    (event.destination_port ?? '-') +
    '|' +
    shapeOf(event.payload) +
    '|' +
    wordsDigest(event.payload)
  );
}

/** A short, stable id for the signature; also a valid Firestore document id. */
export function eventSignature(event: SignatureInput): string {
  return createHash('sha256').update(signatureText(event)).digest('hex').slice(0, 40);
}

/**
 * What a model answer is cached under: the event's signature, for one model and prompt version.
 * `text` keys the in-memory layer (no hashing on the hot path); `id`, a hash computed on first
 * use, names the shared modelCache document and is recorded on the threat.
 */
export class AnswerKey {
  private hashed: string | undefined;
  constructor(readonly text: string) {}

  get id(): string {
    this.hashed ??= createHash('sha256').update(this.text).digest('hex').slice(0, 40);
    return this.hashed;
  }
}

export function answerKey(event: SignatureInput, model: string): AnswerKey {
  return new AnswerKey(keyPrefix(model) + signatureText(event));
}

/** `<prompt version>|<model>|`: one model per instance, so the last one is kept. */
let lastPrefix = { model: '', prefix: `${PROMPT_VERSION}||` };

function keyPrefix(model: string): string {
  if (lastPrefix.model !== model) lastPrefix = { model, prefix: `${PROMPT_VERSION}|${model}|` };
  return lastPrefix.prefix;
}
