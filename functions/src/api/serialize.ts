import { Timestamp } from 'firebase-admin/firestore';
import type { PageTruncated } from './schemas';

/** Plain JSON for the wire: Firestore Timestamps become ISO 8601 strings, recursively. */
export function toWire<T>(value: T): unknown {
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toWire(inner)]));
  }
  return value;
}

/** A document as the API sends it: its id first, then its fields. */
export function withId<T extends object>(id: string, data: T): unknown {
  return toWire({ id, ...data });
}

/**
 * A page's bytes are bounded as well as its items: 500 threats of up to 64 KB each would be tens
 * of megabytes, 200 runs of up to 1 MiB each hundreds. Past this, a page ends early and says so
 * (`truncated`), with a cursor to go on.
 */
export const MAX_PAGE_BYTES = 1024 * 1024;

/**
 * How many of `items` (already wire JSON) fit in `maxBytes` of serialised JSON, keeping at least
 * one so that a page always moves forward.
 */
export function itemsWithinBytes(items: readonly unknown[], maxBytes: number): number {
  let total = 2; // the array's brackets
  for (let i = 0; i < items.length; i++) {
    total += Buffer.byteLength(JSON.stringify(items[i])) + (i > 0 ? 1 : 0);
    if (total > maxBytes) return Math.max(1, i);
  }
  return items.length;
}

export interface BoundedPage {
  items: unknown[];
  nextCursor: string | null;
  truncated?: PageTruncated;
}

/**
 * Every list route's page: its records as wire JSON, cut at `maxBytes`. A cut page says so in
 * `truncated`, and its cursor continues after the last record sent rather than the last read.
 */
export function boundedPage<R>(
  records: readonly R[],
  page: {
    requested: number;
    /** The cursor after the whole of `records` (null: nothing after them). */
    nextCursor: string | null;
    toWire: (record: R) => unknown;
    cursorOf: (record: R) => string;
    maxBytes?: number;
  },
): BoundedPage {
  const maxBytes = page.maxBytes ?? MAX_PAGE_BYTES;
  const items = records.map(page.toWire);
  const kept = itemsWithinBytes(items, maxBytes);
  if (kept === items.length) return { items, nextCursor: page.nextCursor };
  return {
    items: items.slice(0, kept),
    nextCursor: page.cursorOf(records[kept - 1]!),
    truncated: { reason: 'max_bytes', maxBytes, requested: page.requested, returned: kept },
  };
}
