/**
 * Redaction time on pathological attacker text: each pattern family's worst input at 0.5 MB and
 * 1 MB (a linear pattern about doubles, a quadratic one quadruples), and, side by side on 60 KB,
 * the e-mail and JWT patterns redact.ts used before (issue 20: 60 KB took 1.8 s).
 *
 *   npx tsx bench/attacker-text.ts
 */
import { redactText } from '../functions/src/analysis/redact';

const OLD_EMAIL = /[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g;
const OLD_JWT = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

const repeat = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
const INPUTS: [string, (n: number) => string][] = [
  ['alphanumeric run, then "="', (n) => repeat('a', n - 1) + '='],
  ['alphanumeric run, then "@"', (n) => repeat('a', n - 1) + '@'],
  ['"eyJ-" repeated', (n) => repeat('eyJ-', n)],
  ['password=" repeated', (n) => repeat('password="', n)],
  ['"//a:" repeated', (n) => repeat('//a:', n)],
  ['PEM BEGIN lines, no END', (n) => repeat('-----BEGIN PRIVATE KEY-----', n)],
  ['mixed punctuation', (n) => repeat('a=b@c:eyJ.d-e_f/', n)],
];

function bestMs(run: () => unknown, times = 3): number {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const started = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

console.log('redactText on hostile input (best of 3)');
console.log(`${'input'.padEnd(30)}${'0.5 MB ms'.padStart(11)}${'1 MB ms'.padStart(10)}${'ratio'.padStart(8)}`);
let worst = 0;
for (const [name, make] of INPUTS) {
  const half = make(512 * 1024);
  const full = make(1024 * 1024);
  redactText(make(4096));
  const a = bestMs(() => redactText(half));
  const b = bestMs(() => redactText(full));
  worst = Math.max(worst, b / Math.max(a, 1));
  console.log(`${name.padEnd(30)}${a.toFixed(1).padStart(11)}${b.toFixed(1).padStart(10)}${(b / Math.max(a, 1)).toFixed(2).padStart(8)}`);
}
console.log(`worst 1 MB / 0.5 MB ratio: ${worst.toFixed(2)} (linear ≈ 2, quadratic ≈ 4; the unit test's bound is 3.5, on CPU time)`);

console.log('\nside by side on 60 KB (one run each)');
const alnum = repeat('a', 60_000 - 1) + '=';
const dashes = repeat('eyJ-', 60_000);
const oldEmail = bestMs(() => alnum.replace(OLD_EMAIL, 'x'), 1);
const oldJwt = bestMs(() => dashes.replace(OLD_JWT, 'x'), 1);
const newAlnum = bestMs(() => redactText(alnum), 1);
const newDashes = bestMs(() => redactText(dashes), 1);
console.log(`old e-mail pattern, 60 KB alphanumeric: ${oldEmail.toFixed(0)} ms; redactText now: ${newAlnum.toFixed(1)} ms`);
console.log(`old JWT pattern, 60 KB "eyJ-" repeated: ${oldJwt.toFixed(0)} ms; redactText now: ${newDashes.toFixed(1)} ms`);
