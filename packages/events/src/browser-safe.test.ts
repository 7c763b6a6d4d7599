import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The dashboard bundles this package for the browser: no Node built-ins outside tests.
describe('the package source', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [],
    );

  it.each(files(__dirname))('%s imports nothing from Node or Firebase', (file) => {
    const source = readFileSync(file, 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]!);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(specifier === 'zod' || specifier.startsWith('./') || specifier.startsWith('../')).toBe(true);
    expect(source).not.toMatch(/(?<![.\w])(Buffer|process|require)\s*[.(]/);
  });
});
