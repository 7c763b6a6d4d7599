// firestore.indexes.json against the queries the code makes (queries.ts) and the TTL policies
// (retention.ts). The Firestore emulator accepts any query without an index; production refuses
// one whose composite index is missing (FAILED_PRECONDITION), so this test is where it shows.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALL_QUERY_SHAPES, type QueryShape } from './queries';
import { TTL_POLICIES } from './retention';

const ROOT = join(__dirname, '../../..');

function sourceFilesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFilesOf(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}
const SRC = join(ROOT, 'functions/src');

type Order = 'ASCENDING' | 'DESCENDING';
interface IndexField {
  fieldPath: string;
  order?: Order;
  arrayConfig?: string;
}
interface CompositeIndex {
  collectionGroup: string;
  queryScope: 'COLLECTION' | 'COLLECTION_GROUP';
  fields: IndexField[];
}
interface FieldOverride {
  collectionGroup: string;
  fieldPath: string;
  ttl?: boolean;
  indexes: { order?: Order; arrayConfig?: string; queryScope?: string }[];
}
const spec = JSON.parse(readFileSync(join(ROOT, 'firestore.indexes.json'), 'utf8')) as {
  indexes: CompositeIndex[];
  fieldOverrides: FieldOverride[];
};

const order = (direction: 'asc' | 'desc'): Order => (direction === 'asc' ? 'ASCENDING' : 'DESCENDING');

type Requirement =
  | { kind: 'single'; fields: { field: string; order: Order }[] }
  | { kind: 'composite'; equality: string[]; ordered: { field: string; order: Order }[] };

/**
 * The index a query needs, by Firestore's rules: equality filters alone, or a single order or
 * range field, are served by single-field indexes (merged for several equalities); anything else
 * (equality with an order or range, several orders, an aggregation over fields other than the
 * filtered ones) needs a composite index: the equality fields, then the range field, the order
 * fields and the aggregated fields, in that order. A trailing __name__ order in the direction of
 * the order before it is implicit.
 */
function requiredIndex(shape: QueryShape): Requirement {
  const ordered: { field: string; order: Order }[] = [];
  const push = (field: string, direction: Order) => {
    if (!ordered.some((entry) => entry.field === field)) ordered.push({ field, order: direction });
  };
  if (shape.range) push(shape.range, order(shape.orderBy.find((o) => o.field === shape.range)?.direction ?? 'asc'));
  for (const { field, direction } of shape.orderBy) push(field, order(direction));
  const last = ordered.at(-1);
  if (last?.field === '__name__' && (ordered.length === 1 ? last.order === 'ASCENDING' : ordered.at(-2)!.order === last.order)) {
    ordered.pop();
  }
  for (const field of shape.aggregates ?? []) push(field, 'ASCENDING');
  if (ordered.length === 0) return { kind: 'single', fields: shape.equality.map((field) => ({ field, order: 'ASCENDING' })) };
  if (shape.equality.length === 0 && ordered.length === 1) return { kind: 'single', fields: ordered };
  return { kind: 'composite', equality: [...shape.equality], ordered };
}

function hasComposite(shape: QueryShape, equality: string[], ordered: { field: string; order: Order }[]): boolean {
  return spec.indexes.some((index) => {
    if (index.collectionGroup !== shape.collectionGroup || index.queryScope !== shape.scope) return false;
    if (index.fields.length !== equality.length + ordered.length) return false;
    const head = index.fields.slice(0, equality.length).map((field) => field.fieldPath);
    const tail = index.fields.slice(equality.length);
    return (
      equality.every((field) => head.includes(field)) &&
      tail.every((field, i) => field.fieldPath === ordered[i]!.field && field.order === ordered[i]!.order)
    );
  });
}

/** The override that governs a field's single-field indexes (a map's override covers its sub-fields). */
function overrideFor(collectionGroup: string, field: string): FieldOverride | undefined {
  return spec.fieldOverrides
    .filter((o) => o.collectionGroup === collectionGroup && (field === o.fieldPath || field.startsWith(`${o.fieldPath}.`)))
    .sort((a, b) => b.fieldPath.length - a.fieldPath.length)[0];
}

function singleFieldIndexed(collectionGroup: string, scope: QueryShape['scope'], field: string, wanted: Order): boolean {
  if (field === '__name__') return true;
  const override = overrideFor(collectionGroup, field);
  if (!override) return scope === 'COLLECTION'; // automatic indexes: ascending and descending, collection scope
  return override.indexes.some((index) => index.order === wanted && (index.queryScope ?? 'COLLECTION') === scope);
}

describe('firestore.indexes.json', () => {
  it('is well formed (what firebase deploy validates)', () => {
    for (const index of spec.indexes) {
      expect(index.collectionGroup, JSON.stringify(index)).toBeTruthy();
      expect(['COLLECTION', 'COLLECTION_GROUP']).toContain(index.queryScope);
      expect(index.fields.length).toBeGreaterThanOrEqual(2);
      for (const field of index.fields) {
        expect(field.fieldPath).toBeTruthy();
        expect(Boolean(field.order) !== Boolean(field.arrayConfig), JSON.stringify(field)).toBe(true);
        if (field.order) expect(['ASCENDING', 'DESCENDING']).toContain(field.order);
      }
    }
    for (const override of spec.fieldOverrides) {
      expect(override.collectionGroup && override.fieldPath, JSON.stringify(override)).toBeTruthy();
      expect(Array.isArray(override.indexes), `${override.collectionGroup}.${override.fieldPath} needs "indexes"`).toBe(true);
      if (override.ttl !== undefined) expect(typeof override.ttl).toBe('boolean');
    }
  });

  it('has no duplicate composite index or field override', () => {
    const indexes = spec.indexes.map((index) => JSON.stringify(index));
    expect(new Set(indexes).size).toBe(indexes.length);
    const overrides = spec.fieldOverrides.map((o) => `${o.collectionGroup}.${o.fieldPath}`);
    expect(new Set(overrides).size).toBe(overrides.length);
  });
});

describe('every query the code makes has its index', () => {
  it.each(ALL_QUERY_SHAPES.map((shape) => [shape.name, shape] as const))('%s', (_name, shape) => {
    const requirement = requiredIndex(shape);
    if (requirement.kind === 'composite') {
      const wanted = [
        ...requirement.equality.map((field) => `${field} ASCENDING`),
        ...requirement.ordered.map((entry) => `${entry.field} ${entry.order}`),
      ].join(', ');
      expect(
        hasComposite(shape, requirement.equality, requirement.ordered),
        `${shape.name} (${shape.usedBy}) needs a ${shape.scope} index on ${shape.collectionGroup} (${wanted})`,
      ).toBe(true);
    } else {
      for (const { field, order: direction } of requirement.fields) {
        expect(
          singleFieldIndexed(shape.collectionGroup, shape.scope, field, direction),
          `${shape.name} (${shape.usedBy}) needs the single-field ${direction} index on ${shape.collectionGroup}.${field}, which a field override removes`,
        ).toBe(true);
      }
    }
  });
});

describe('requiredIndex', () => {
  const base = { name: 'q', collectionGroup: 'c', scope: 'COLLECTION', usedBy: 'test', equality: [], orderBy: [] } as const;
  it.each([
    ['equality only', { ...base, equality: ['a', 'b'] }, { kind: 'single' }],
    ['one order', { ...base, orderBy: [{ field: 'a', direction: 'desc' }] }, { kind: 'single', fields: [{ field: 'a', order: 'DESCENDING' }] }],
    ['order with an implicit __name__', { ...base, orderBy: [{ field: 'a', direction: 'desc' }, { field: '__name__', direction: 'desc' }] }, { kind: 'single' }],
    ['equality and order', { ...base, equality: ['s'], orderBy: [{ field: 'a', direction: 'desc' }] }, { kind: 'composite', ordered: [{ field: 'a', order: 'DESCENDING' }] }],
    ['equality and range', { ...base, equality: ['s'], range: 't' }, { kind: 'composite', ordered: [{ field: 't', order: 'ASCENDING' }] }],
    ['range and a sum of another field', { ...base, range: 't', aggregates: ['v'] }, { kind: 'composite', ordered: [{ field: 't', order: 'ASCENDING' }, { field: 'v', order: 'ASCENDING' }] }],
    ['one sum, no filter', { ...base, aggregates: ['v'] }, { kind: 'single', fields: [{ field: 'v', order: 'ASCENDING' }] }],
  ] as const)('%s', (_name, shape, expected) => {
    expect(requiredIndex(shape as unknown as QueryShape)).toMatchObject(expected);
  });
});

describe('TTL policies', () => {
  it.each(TTL_POLICIES.map((policy) => [`${policy.collectionGroup}.${policy.field}`, policy] as const))('%s has a TTL field override', (_name, policy) => {
    const override = spec.fieldOverrides.find((o) => o.collectionGroup === policy.collectionGroup && o.fieldPath === policy.field);
    expect(override?.ttl, `add { "collectionGroup": "${policy.collectionGroup}", "fieldPath": "${policy.field}", "ttl": true, "indexes": [] }`).toBe(true);
  });

  // A document schema with an expiry field promises a TTL policy: find every one, so that a new
  // collection with an expireAt cannot ship without its policy (modelCache once did).
  it('every stored document schema with an expiry field has a TTL policy, and the policy names it', async () => {
    const EXPIRY_FIELD = /^(expireAt|expiresAt|expiry|expiration|ttl\w*)$/i;
    const keysOf = (schema: unknown): string[] => {
      if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
      const def = (schema as { def?: { type?: string; options?: unknown[]; in?: unknown } } | undefined)?.def;
      if (def?.options) return def.options.flatMap(keysOf);
      if (def?.type === 'pipe') return keysOf(def.in);
      return [];
    };
    const files = sourceFilesOf(SRC).filter((path) => /DocSchema\s*=\s*z\b/.test(readFileSync(path, 'utf8')));
    expect(files.length).toBeGreaterThan(1);
    const expiring: string[] = [];
    for (const file of files) {
      const module = (await import(file)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        if (name.endsWith('DocSchema') && keysOf(value).some((key) => EXPIRY_FIELD.test(key))) expiring.push(name);
      }
    }
    expect(expiring).toContain('ModelCacheDocSchema');
    const covered = new Set(TTL_POLICIES.flatMap((policy) => policy.schemas));
    expect(
      expiring.filter((name) => !covered.has(name)),
      'add a TTL policy to firestore/retention.ts (and its "ttl": true override to firestore.indexes.json)',
    ).toEqual([]);
    expect([...covered].filter((name) => !expiring.includes(name)), 'TTL policies naming schemas that do not exist or have no expiry field').toEqual([]);
  });

  it('a TTL field is not indexed unless a query needs it (an indexed timestamp caps a collection near 500 writes/s)', () => {
    const queried = new Set(
      ALL_QUERY_SHAPES.flatMap((shape) => [shape.range, ...shape.equality, ...shape.orderBy.map((o) => o.field)].map((f) => `${shape.collectionGroup}.${f}`)),
    );
    for (const override of spec.fieldOverrides.filter((o) => o.ttl)) {
      const key = `${override.collectionGroup}.${override.fieldPath}`;
      if (!queried.has(key)) expect(override.indexes, `${key} is a TTL field no query reads: exempt it ("indexes": [])`).toEqual([]);
    }
  });
});

describe('queries are declared', () => {
  function sourceFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sourceFiles(path);
      return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
    });
  }

  it('no file builds a filtered or ordered query unless queries.ts declares it', () => {
    const declaredInline = new Set(ALL_QUERY_SHAPES.flatMap((shape) => (shape.inlineIn ? [shape.inlineIn] : [])));
    const undeclared = sourceFiles(SRC)
      .map((path) => relative(SRC, path))
      .filter((file) => file !== 'firestore/queries.ts' && !declaredInline.has(file))
      .filter((file) => /\.(where|orderBy|findNearest)\(/.test(readFileSync(join(SRC, file), 'utf8')));
    expect(
      undeclared,
      'these files build Firestore queries that functions/src/firestore/queries.ts does not declare: add their shapes ' +
        '(better, build them there with buildQuery) so this suite can check their indexes',
    ).toEqual([]);
  });
});
