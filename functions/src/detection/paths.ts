import { NormalizedEventSchema, type NormalizedEvent } from '@threatstream/events';

type Leaf = string | number | boolean | null | undefined;
/** Depth budget for path types (the normalised event nests five levels at most). */
type Prev = [never, 0, 1, 2, 3, 4, 5, 6];

/** Sub-paths below a value: anything below an open-ended bag (`unknown`) is allowed. */
type SubPath<V, D extends number> = unknown extends V ? string : FieldPath<NonNullable<V>, D>;

/**
 * Every dotted path into T, e.g. `source.ip`, `http.response.status_code`; arrays are walked
 * through (`event.category` names each element). A misspelt path in a TypeScript rule is a
 * compile error; below an open-ended bag (`suricata.eve`, `gcp.audit.request`) any path goes.
 */
export type FieldPath<T, D extends number = 6> = [D] extends [never]
  ? never
  : T extends readonly (infer U)[]
    ? FieldPath<U, D>
    : T extends Leaf
      ? never
      : {
          [K in keyof T & string]-?: K | (SubPath<T[K], Prev[D]> extends infer S extends string ? `${K}.${S}` : never);
        }[keyof T & string];

/** The value a path reads, array elements unwrapped (`event.category` → string). */
export type PathValue<T, P extends string> = T extends readonly (infer U)[]
  ? PathValue<U, P>
  : P extends `${infer Head}.${infer Rest}`
    ? Head extends keyof T
      ? PathValue<NonNullable<T[Head]>, Rest>
      : unknown
    : P extends keyof T
      ? Scalar<NonNullable<T[P]>>
      : unknown;
type Scalar<V> = V extends readonly (infer U)[] ? U : V;

/** A field path of the normalised event. */
export type EventPath = FieldPath<NormalizedEvent>;

/** Reads a path; arrays met on the way yield every element's value (flattened). */
export type Getter = (event: unknown) => unknown;

/** Compiles a dotted path into a getter (a closure per path, not a split per event). */
export function compileGetter(path: string): Getter {
  const segments = path.split('.');
  if (segments.some((segment) => segment.length === 0)) throw new Error(`invalid field path "${path}"`);
  return (event) => walk(event, segments, 0);
}

function walk(value: unknown, segments: readonly string[], from: number): unknown {
  let current = value;
  for (let i = from; i < segments.length; i++) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      const values: unknown[] = [];
      for (const item of current) {
        const inner = walk(item, segments, i);
        if (Array.isArray(inner)) values.push(...inner);
        else if (inner !== undefined) values.push(inner);
      }
      return values.length === 0 ? undefined : values;
    }
    if (typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segments[i]!];
  }
  return current;
}

/** Values a getter returned, as a list (a missing field is an empty list). */
export function valuesOf(value: unknown): readonly unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

interface ZodNode {
  _zod: { def: { type: string; innerType?: ZodNode; shape?: Record<string, ZodNode>; element?: ZodNode; in?: ZodNode } };
}

/**
 * Whether a path names a field of the normalised event, read from its zod schema: the runtime
 * twin of EventPath, for declarative rules (a misspelt field there is a validation error).
 */
export function isEventPath(path: string): boolean {
  let node: ZodNode | undefined = NormalizedEventSchema as unknown as ZodNode;
  for (const segment of path.split('.')) {
    node = unwrap(node);
    const def = node._zod.def;
    if (def.type === 'record' || def.type === 'unknown' || def.type === 'any') return segment.length > 0;
    if (def.type !== 'object' || def.shape === undefined) return false;
    node = def.shape[segment];
    if (node === undefined) return false;
  }
  return true;
}

function unwrap(node: ZodNode): ZodNode {
  let current = node;
  for (;;) {
    const def = current._zod.def;
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) current = def.innerType;
    else if (def.type === 'array' && def.element) current = def.element;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}
