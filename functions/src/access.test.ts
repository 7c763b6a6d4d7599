import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTION_READERS, ROUTE_READS, type ReadableCollection } from './access';
import { apiRoutes } from './api/routes';
import { ROLES, roleAtLeast, type Role } from './api/roles';

const routeKey = (route: { method: string; path: string }) => `${route.method.toUpperCase()} ${route.path}`;

/** The README's "Who reads what" table, as this table and the routes say it must read. */
function accessTable(): string {
  const rows = (Object.entries(COLLECTION_READERS) as [ReadableCollection, Role][]).map(([collection, role]) => {
    const routes = apiRoutes
      .filter((route) => ROUTE_READS[routeKey(route)]?.includes(collection))
      .map((route) => `\`${routeKey(route)}\` (${route.access})`)
      .join(', ');
    return `| \`${collection}\` | ${role} | ${routes || '—'} |`;
  });
  return ['| collection | dashboard reads (firestore.rules) | API routes that return it (lowest role) |', '| --- | --- | --- |', ...rows].join('\n');
}

describe('the access table', () => {
  it('names every API route, and only those', () => {
    expect(Object.keys(ROUTE_READS).sort()).toEqual(apiRoutes.map(routeKey).sort());
  });

  it.each(apiRoutes.map((route) => [routeKey(route), route] as const))(
    '%s asks for at least the role that reads its collections in Firestore',
    (_key, route) => {
      const reads = ROUTE_READS[routeKey(route)] ?? [];
      if (route.access === 'public') {
        expect(reads).toEqual([]);
        return;
      }
      for (const collection of reads) {
        expect(roleAtLeast(route.access, COLLECTION_READERS[collection]), `${collection} needs ${COLLECTION_READERS[collection]}`).toBe(true);
      }
    },
  );

  it('GET routes ask for exactly the highest role among the collections they return (no looser, no stricter than the rules)', () => {
    for (const route of apiRoutes.filter((r) => r.method === 'get' && r.access !== 'public')) {
      const needed = (ROUTE_READS[routeKey(route)] ?? []).map((c) => COLLECTION_READERS[c]);
      const highest = needed.reduce<Role>((a, b) => (ROLES.indexOf(b) > ROLES.indexOf(a) ? b : a), 'viewer');
      expect(route.access, routeKey(route)).toBe(highest);
    }
  });

  it('firestore.rules gives each collection exactly its role', () => {
    const rules = readFileSync(join(__dirname, '../../firestore.rules'), 'utf8');
    for (const [collection, role] of Object.entries(COLLECTION_READERS)) {
      const block = new RegExp(`match /${collection}/\\{[^}]+\\} \\{\\s*allow read: if ([^;]+);`).exec(rules);
      expect(block, `no match block for ${collection}`).not.toBeNull();
      expect(block![1], collection).toBe(role === 'viewer' ? 'hasRole()' : `atLeast('${role}')`);
    }
  });

  it('is the table in the README', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const expected = accessTable();
    expect(readme.includes(expected), `README.md must contain:\n${expected}`).toBe(true);
  });
});
