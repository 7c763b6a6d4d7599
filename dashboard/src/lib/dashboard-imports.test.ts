import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The dashboard takes its shared shapes from @threatstream/events, never from the functions'
// source: reaching into functions/ couples the browser build to server code (firebase-admin,
// node:*) and lets the two drift. Every import of every dashboard source file is checked.

const DASHBOARD = resolve(__dirname, '..', '..');
const FUNCTIONS = resolve(DASHBOARD, '..', 'functions');

/** Module specifiers of a source file: `from '…'`, `import '…'`, `import('…')`, `require('…')`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]|\brequire\s*\(\s*['"]([^'"]+)['"]/g)) {
    found.push((match[1] ?? match[2] ?? match[3])!);
  }
  return found;
}

/** The specifiers of `file` that lead into functions/ (by path or by package name). */
export function functionsImports(file: string, source: string): string[] {
  return specifiers(source).filter((specifier) => {
    if (specifier.startsWith('@threatstream/functions')) return true;
    if (!specifier.startsWith('.')) return false;
    const target = resolve(dirname(file), specifier);
    return target === FUNCTIONS || target.startsWith(FUNCTIONS + sep);
  });
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(path);
    return /\.(ts|tsx|js|jsx|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('the dashboard source', () => {
  const files = [...sources(join(DASHBOARD, 'src')), join(DASHBOARD, 'vite.config.ts')];

  it('is found (the walk is not empty)', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.some((file) => file.endsWith(join('lib', 'types.ts')))).toBe(true);
  });

  it('the check catches an import of the functions source', () => {
    const file = join(DASHBOARD, 'src', 'lib', 'types.ts');
    // Built at run time, so that this file's own source does not hold such an import.
    const up = '../../../';
    expect(functionsImports(file, `import type { ThreatDoc } from '${up}functions/src/firestore/schema';`)).toHaveLength(1);
    expect(functionsImports(file, `export type { Role } from '${up}functions/src/api/roles';`)).toHaveLength(1);
    expect(functionsImports(file, `const m = await import('${up}functions/lib/index.js');`)).toHaveLength(1);
    expect(functionsImports(file, "import type { Role } from '@threatstream/events';\nimport { x } from './format';")).toEqual([]);
  });

  it.each(files.map((file) => [relative(DASHBOARD, file), file]))('%s imports nothing from functions/', (_name, file) => {
    expect(functionsImports(file, readFileSync(file, 'utf8'))).toEqual([]);
  });
});
