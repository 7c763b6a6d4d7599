import { createHash } from 'node:crypto';
import type { SecurityEvent } from '../domain/event';
import { PROMPT_VERSION } from './prompt';

// Events of one attack differ in their ids, times and counters, not in what they are: the
// signature keeps what the model's opinion depends on (type, source, target port, the shape of
// the payload) and drops the values, so a flood of one attack maps to one cache entry.

/** The fields of an event the signature reads. */
export type SignatureInput = Pick<SecurityEvent, 'event_type' | 'source_ip' | 'destination_port' | 'payload'>;

const MAX_SHAPE_DEPTH = 5;

/**
 * The shape of a JSON value: its keys (sorted) and value types, never its values.
 * `{attempts: 150, users: ['a', 'b']}` → `{attempts:number,users:[string]}`.
 */
export function shapeOf(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    if (depth >= MAX_SHAPE_DEPTH) return '[…]';
    const items = [...new Set(value.map((item) => shapeOf(item, depth + 1)))].sort();
    return `[${items.join('|')}]`;
  }
  if (typeof value === 'object') {
    if (depth >= MAX_SHAPE_DEPTH) return '{…}';
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${shapeOf((value as Record<string, unknown>)[key], depth + 1)}`);
    return `{${entries.join(',')}}`;
  }
  return typeof value;
}

/** The normalised text the signature hashes; readable, for logs and tests. */
export function signatureText(event: SignatureInput): string {
  return [
    event.event_type,
    event.source_ip.trim().toLowerCase(),
    event.destination_port ?? '-',
    shapeOf(event.payload),
  ].join('|');
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
  return new AnswerKey(`${PROMPT_VERSION}|${model}|${signatureText(event)}`);
}
