// The Functions emulator prompts for every param that no .env file sets, even one with a default,
// and without a terminal (npm test, CI) the prompt hangs the emulator's start. functions/.env must
// therefore set every param the code defines; secrets are not prompted for (Secret Manager in
// production, functions/.secret.local on the emulator).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = __dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function definedParams(kind: 'plain' | 'secret'): string[] {
  const pattern = kind === 'plain' ? /define(?:String|Int|Boolean|List|Float)\(\s*'([A-Z0-9_]+)'/g : /define(?:Json)?Secret\(\s*'([A-Z0-9_]+)'/g;
  return sourceFiles(SRC).flatMap((path) => [...readFileSync(path, 'utf8').matchAll(pattern)].map((match) => match[1]!));
}

function envKeys(file: string): Set<string> {
  const text = readFileSync(join(SRC, '..', file), 'utf8');
  return new Set([...text.matchAll(/^([A-Z0-9_]+)=/gm)].map((match) => match[1]!));
}

describe('functions/.env', () => {
  it('sets every param the code defines (else the emulator stops at a prompt)', () => {
    const params = definedParams('plain');
    expect(params.length).toBeGreaterThan(10);
    const keys = envKeys('.env');
    expect(params.filter((name) => !keys.has(name))).toEqual([]);
  });

  it('holds no secret (secrets go to Secret Manager, or .secret.local on the emulator)', () => {
    const keys = envKeys('.env');
    expect(definedParams('secret').filter((name) => keys.has(name))).toEqual([]);
  });
});

describe('the alias files (.env.demo for npm start, .env.emulator-tests for the suites)', () => {
  it.each(['.env.demo', '.env.emulator-tests'])('%s sets only params the code defines (a misspelt key is ignored silently)', (file) => {
    const defined = new Set([...definedParams('plain'), ...definedParams('secret')]);
    const keys = [...envKeys(file)];
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((name) => !defined.has(name))).toEqual([]);
  });
});

describe('functions/.secret.local', () => {
  it("gives every receiver's signing secret a value on the emulator, each a different one", () => {
    const receivers = ['PLAYBOOK_WEBHOOK_SECRET', 'PLAYBOOK_SLACK_SECRET', 'PLAYBOOK_EDR_SECRET', 'PLAYBOOK_TICKETING_SECRET'];
    expect(definedParams('secret')).toEqual(expect.arrayContaining(receivers));
    const text = readFileSync(join(SRC, '..', '.secret.local'), 'utf8');
    const values = receivers.map((name) => new RegExp(`^${name}=(.+)$`, 'm').exec(text)?.[1]);
    expect(values.every((value) => value !== undefined && value.length >= 16)).toBe(true);
    expect(new Set(values).size).toBe(receivers.length);
  });
});
