#!/usr/bin/env node
// `npm test` after the build: every phase, timed, stopping at the first that fails.
//
//   node tools/test-all.mjs [--sequential] [--no-emulator-sessions]
//
// The unit tests (CPU, no ports: their servers listen on port 0) run beside the stack test, which
// spends most of its two to three minutes waiting for `npm start` and its schedules. They run at
// the lowest CPU priority (nice 19): on two cores at equal priority they starved the stack's
// functions past its 39 s wait for a recomputed risk index. The emulator
// sessions (fixed ports) then run one after the other, as before. --sequential runs the unit
// tests first on their own, as `npm test` used to, to compare; --no-emulator-sessions stops after
// the unit and stack tests (to time them).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { sequential: { type: 'boolean', default: false }, 'no-emulator-sessions': { type: 'boolean', default: false } },
});

const canNice = process.platform !== 'win32' && existsSync('/usr/bin/nice');

/**
 * Runs `npm run <script>`, its output prefixed when it shares the terminal (and at the lowest CPU
 * priority with `niced`); resolves to seconds taken.
 */
function npmRun(script, prefix, niced = false) {
  const started = performance.now();
  const [command, args] = niced && canNice ? ['/usr/bin/nice', ['-n', '19', 'npm', 'run', script]] : ['npm', ['run', script]];
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: prefix ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: prefix ? { ...process.env, FORCE_COLOR: '0' } : process.env,
    });
    if (prefix) {
      for (const [from, to] of [
        [child.stdout, process.stdout],
        [child.stderr, process.stderr],
      ]) {
        let partial = '';
        from.on('data', (chunk) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop();
          for (const line of lines) to.write(`[${prefix}] ${line}\n`);
        });
        from.on('end', () => partial && to.write(`[${prefix}] ${partial}\n`));
      }
    }
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) done(seconds);
      else fail(new Error(`npm run ${script} failed (${signal ?? `exit ${code}`}) after ${seconds.toFixed(0)} s`));
    });
  });
}

const timings = [];
const phase = async (name, run) => {
  const started = performance.now();
  const detail = await run();
  timings.push([name, (performance.now() - started) / 1000, detail]);
};

try {
  if (values.sequential) {
    await phase('test:unit', () => npmRun('test:unit'));
    await phase('test:stack', () => npmRun('test:stack'));
  } else {
    // Both must pass; a failure of either fails the phase once the other has finished.
    await phase('test:unit + test:stack', async () => {
      const results = await Promise.allSettled([npmRun('test:unit', 'unit', true), npmRun('test:stack', 'stack')]);
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      return `unit ${results[0].value.toFixed(0)} s, stack ${results[1].value.toFixed(0)} s`;
    });
  }
  if (!values['no-emulator-sessions']) {
    await phase('test:integration', () => npmRun('test:integration'));
    await phase('test:browser', () => npmRun('test:browser'));
  }
} catch (error) {
  report();
  console.error(error.message);
  process.exit(1);
}
report();

function report() {
  console.log('\nnpm test phases (wall seconds):');
  for (const [name, seconds, detail] of timings) {
    console.log(`  ${name.padEnd(26)} ${seconds.toFixed(0).padStart(5)}${typeof detail === 'string' ? `  (${detail})` : ''}`);
  }
}
