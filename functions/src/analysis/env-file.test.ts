// Every param needs a value in functions/.env: the Functions emulator stops at an interactive
// prompt for any param without one, which hangs `npm test` and `npm start` without a terminal.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FUNCTIONS = join(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Params the code declares: `defineString('NAME'`, `defineSecret('NAME'`, ... */
function declaredParams(): { name: string; secret: boolean }[] {
  const params = new Map<string, boolean>();
  for (const file of sourceFiles(join(FUNCTIONS, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/define(String|Int|Boolean|List|Float|Secret|JsonSecret)\(\s*['"]([A-Z_][A-Z0-9_]*)['"]/g)) {
      params.set(match[2]!, match[1]!.includes('Secret'));
    }
  }
  return [...params].map(([name, secret]) => ({ name, secret }));
}

function envKeys(file: string): Set<string> {
  const text = readFileSync(join(FUNCTIONS, file), 'utf8');
  return new Set([...text.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((match) => match[1]!));
}

describe('functions/.env', () => {
  const params = declaredParams();

  it('has a value for every param, so the emulator never prompts', () => {
    const keys = envKeys('.env');
    const plain = params.filter((param) => !param.secret).map((param) => param.name);
    expect(plain).toContain('GEMINI_MODEL');
    expect(plain.filter((name) => !keys.has(name))).toEqual([]);
  });

  it('never holds a secret', () => {
    const keys = envKeys('.env');
    const secrets = params.filter((param) => param.secret).map((param) => param.name);
    expect(secrets).toContain('GEMINI_API_KEY');
    expect(secrets.filter((name) => keys.has(name))).toEqual([]);
  });
});
