import { describe, expect, it } from 'vitest';
import { redact, redactText } from './analysis/redact';
import { parseModelAnswer } from './analysis/answer';
import { bearerToken } from './api/middleware/auth';
import { SecurityEventSchema } from './domain/event';

// Every regex that attacker text reaches must take time linear in its input. A quadratic one
// (the old e-mail pattern: 60 KB took 1.8 s) takes four times as long on twice the input; a
// linear one about twice. The bound (3.5, on CPU time) is generous for a shared two-core machine;
// the 2 s bound per MB alone already rules a quadratic pattern out (the old one: 4.5 s on 60 KB).
const HALF = 512 * 1024;
const FULL = 1024 * 1024;
const MAX_RATIO = 3.5;
const MAX_MS_PER_MB = 2_000;

/** CPU time, not wall time: on a loaded machine a run waiting for a core is not the pattern's cost. */
function millis(run: () => unknown): number {
  const started = process.cpuUsage();
  run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/**
 * The best of several interleaved runs of each size: on a shared machine a single run can be
 * slowed by a collection or a neighbour, the fastest of seven is the pattern's own cost.
 */
function timeBoth(half: () => unknown, full: () => unknown): { halfMs: number; fullMs: number; ratio: number } {
  let halfMs = Infinity;
  let fullMs = Infinity;
  for (let i = 0; i < 7; i++) {
    halfMs = Math.min(halfMs, millis(half));
    fullMs = Math.min(fullMs, millis(full));
  }
  return { halfMs, fullMs, ratio: fullMs / Math.max(halfMs, 1) };
}

function expectLinear(half: () => unknown, full: () => unknown): void {
  const { halfMs, fullMs, ratio } = timeBoth(half, full);
  const detail = `0.5 MB ${halfMs.toFixed(1)} ms, 1 MB ${fullMs.toFixed(1)} ms`;
  expect(fullMs, detail).toBeLessThan(MAX_MS_PER_MB);
  expect(ratio, detail).toBeLessThan(MAX_RATIO);
}

const repeat = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

/** Pathological strings, one per pattern family: long runs each pattern's start could rescan. */
const HOSTILE_TEXT: [string, (length: number) => string][] = [
  ['alphanumeric run before "=" (old e-mail pattern)', (n) => repeat('a', n - 1) + '='],
  ['alphanumeric run before "@"', (n) => repeat('a', n - 1) + '@'],
  ['"a@" repeated', (n) => repeat('a@', n)],
  ['dotted labels after "@"', (n) => 'x@' + repeat('a.', n - 2)],
  ['"eyJ-" repeated (old JWT pattern)', (n) => repeat('eyJ-', n)],
  ['"eyJaaaaa." repeated', (n) => repeat('eyJaaaaa.', n)],
  ['password=" with no closing quote, repeated', (n) => repeat('password="', n)],
  ["password=' with no closing quote, repeated", (n) => repeat("password='", n)],
  ['secret key name then spaces, no separator', (n) => 'password' + repeat(' ', n - 9) + 'x'],
  ['key names with no separator', (n) => repeat('password_', n)],
  ['"_pin" repeated', (n) => repeat('_pin', n)],
  ['"Bearer " repeated', (n) => repeat('Bearer ', n)],
  ['"Digest " repeated', (n) => repeat('Digest ', n)],
  ['"//a:" repeated (URL user information)', (n) => repeat('//a:', n)],
  ['URL user information with no "@"', (n) => '//' + repeat('a', n - 4) + ':b'],
  ['PEM BEGIN lines with no END', (n) => repeat('-----BEGIN PRIVATE KEY-----', n)],
  ['colons', (n) => repeat(':', n)],
  ['mixed punctuation', (n) => repeat('a=b@c:eyJ.d-e_f/', n)],
];

describe('attacker text meets only linear-time patterns', () => {
  it.each(HOSTILE_TEXT)('redactText: %s', (_name, make) => {
    const half = make(HALF);
    const full = make(FULL);
    redactText(make(4096)); // warm up the regex compiler
    expectLinear(() => redactText(half), () => redactText(full));
  });

  it.each(HOSTILE_TEXT.slice(0, 6))('redact (keys and values): %s', (_name, make) => {
    const payload = (n: number) => ({ [make(n / 2)]: make(n / 2) });
    const half = payload(HALF);
    const full = payload(FULL);
    expectLinear(() => redact(half), () => redact(full));
  });

  const SEED = { event_id: 'e', timestamp: '2025-12-27T19:00:00Z', event_type: 'ddos', source_ip: '1.2.3.4' };
  it.each<[string, (n: number) => Record<string, unknown>]>([
    ['a long timestamp', (n) => ({ ...SEED, timestamp: '2025-12-27T19:00:00.' + repeat('1', n) + 'Z' })],
    ['a long event id', (n) => ({ ...SEED, event_id: repeat('a', n) })],
    ['a long event type', (n) => ({ ...SEED, event_type: repeat('x', n) })],
    ['a long address', (n) => ({ ...SEED, source_ip: repeat('1.', n) })],
  ])('event validation (zod patterns, past the 64 KB byte limit): %s', (_name, make) => {
    const half = make(HALF);
    const full = make(FULL);
    expectLinear(() => SecurityEventSchema.safeParse(half), () => SecurityEventSchema.safeParse(full));
  });

  it.each<[string, (n: number) => string]>([
    ['fences with trailing spaces', (n) => '```' + repeat('``` ', n - 4) + 'x'],
    ['an open fence', (n) => '```json\n' + repeat('{', n - 8)],
  ])("the model's answer (code-fence pattern): %s", (_name, make) => {
    const half = make(HALF);
    const full = make(FULL);
    expectLinear(() => parseModelAnswer(half), () => parseModelAnswer(full));
  });

  it.each<[string, (n: number) => string]>([
    ['a long token', (n) => 'Bearer ' + repeat('a', n - 7)],
    ['spaces then junk', (n) => 'Bearer' + repeat(' ', n - 7) + '!'],
  ])('the Authorization header pattern: %s', (_name, make) => {
    const request = (header: string) => ({ get: () => header }) as never;
    const attempt = (header: string) => () => {
      try {
        bearerToken(request(header));
      } catch {
        // a 401 is a fine answer; only the time matters here
      }
    };
    expectLinear(attempt(make(HALF)), attempt(make(FULL)));
  });
});
