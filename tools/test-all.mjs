#!/usr/bin/env node
// `npm test` after the build: every phase in turn, stopping at the first that fails, and each
// phase's wall seconds printed at the end (where CI time goes).
//
//   node tools/test-all.mjs
//
// One after the other, on purpose. The unit tests were tried beside the stack test (which mostly
// waits for `npm start` and its schedules), even at nice 19: on two cores the stack test then
// missed its waits for the risk index and the stalled-run sweeper, which it meets alone.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PHASES = ['test:unit', 'test:integration', 'test:stack', 'test:browser'];

/** Runs `npm run <script>`; resolves to its exit code. */
function npmRun(script) {
  return new Promise((done, fail) => {
    const child = spawn('npm', ['run', script], { cwd: ROOT, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

const timings = [];
let failed;
for (const script of PHASES) {
  const started = performance.now();
  const code = await npmRun(script);
  timings.push([script, (performance.now() - started) / 1000, code]);
  if (code !== 0) {
    failed = script;
    break;
  }
}

console.log('\nnpm test phases (wall seconds):');
for (const [script, seconds, code] of timings) {
  console.log(`  ${script.padEnd(18)} ${seconds.toFixed(0).padStart(5)}${code === 0 ? '' : `  FAILED (exit ${code})`}`);
}
if (failed) process.exit(1);
