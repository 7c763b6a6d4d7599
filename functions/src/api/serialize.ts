import { Timestamp } from 'firebase-admin/firestore';

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
