import type { ParseOutcome } from '../schema.js';

export interface AdapterContext {
  /** Reference time for formats without a year (RFC 3164). */
  now: Date;
}

/** Parses a text record (one line, or a chunk of lines) of one format. */
export type TextAdapter = (raw: string, context: AdapterContext) => ParseOutcome;

/** Parses an already-decoded JSON record of one format; `raw` is kept as event.original. */
export type JsonAdapter = (record: Record<string, unknown>, raw: string, context: AdapterContext) => ParseOutcome;
