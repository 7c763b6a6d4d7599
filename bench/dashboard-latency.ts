// Dashboard benchmark on the Emulator Suite.
//
//   npx tsx bench/dashboard-latency.ts [--events 200] [--rate 10] [--clients 200] [--rounds 5] [--processes 4]
//
// 1. Write → render: threats are written one at a time at a steady rate through the ingest code
//    (functions/src/pipeline/ingest.ts, run in this process with the Admin SDK), each stamped
//    with Date.now() just before its create; the dashboard, served by the Hosting emulator and
//    open in Debian's Chromium, reports when each threat's row enters the DOM (a MutationObserver
//    reading performance.timeOrigin + performance.now()). Latency = rendered − written.
// 2. Fan-out: 200 listener clients of the `firebase` web SDK (the SDK browsers run; in Node it
//    talks gRPC instead of WebChannel), each its own app, Auth session and Firestore instance,
//    spread over a few Node processes (bench/dashboard-fanout-client.ts), all listening to the
//    dashboard's own query (threats, newest first, limit 100). One threat is written per round;
//    delivery time = the moment each client's listener sees it − written.
//
// Started without emulators, it starts Firestore, Auth and Hosting itself (no Functions: the
// threats are written directly, so no trigger competes for the two cores) and runs again inside.
// Needs dashboard/dist (npm run build -w dashboard).
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createUser } from '../test/support/auth';
import { runId } from '../test/support/emulators';
import { launchChromium, openDashboard, signIn, waitUntilLive } from '../test/browser/support/browser';
import { quietEvent, writeThreat } from '../test/browser/support/threats';

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const EVENTS = option('events', 200);
const RATE = option('rate', 10);
const CLIENTS = option('clients', 200);
const ROUNDS = option('rounds', 5);
const PROCESSES = option('processes', 4);

if (!process.env.FIRESTORE_EMULATOR_HOST) {
  if (!existsSync(join(ROOT, 'dashboard/dist/index.html'))) {
    console.error('dashboard/dist is missing: run `npm run build -w dashboard` first');
    process.exit(1);
  }
  execFileSync(
    'node',
    [join(ROOT, 'tools/emulators.mjs'), 'exec', `npx tsx bench/dashboard-latency.ts ${args.join(' ')}`, '--only', 'firestore,auth,hosting'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  process.exit(0);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(0)} ms`;
  return `p50 ${f(percentile(sorted, 50))}  p90 ${f(percentile(sorted, 90))}  p99 ${f(percentile(sorted, 99))}  max ${f(sorted[sorted.length - 1] ?? NaN)}  (n=${sorted.length})`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function writeToRender(): Promise<number[]> {
  const browser = await launchChromium();
  try {
    const analyst = await createUser('analyst', 'bench');
    const { page } = await openDashboard(browser);
    await signIn(page, analyst);
    await waitUntilLive(page);
    // Rows present now are not measured; every row added from here on is, once.
    // A string, not a function: tsx (esbuild keepNames) would wrap a function's inner functions
    // in a __name helper that does not exist in the page.
    await page.evaluate(`(() => {
      const seen = new Map();
      window.renderedAt = seen;
      const record = (node) => {
        if (!(node instanceof HTMLElement)) return;
        const rows = node.matches('tr[data-threat-id]') ? [node] : [...node.querySelectorAll('tr[data-threat-id]')];
        const at = performance.timeOrigin + performance.now();
        for (const row of rows) if (!seen.has(row.dataset.threatId)) seen.set(row.dataset.threatId, at);
      };
      new MutationObserver((mutations) => {
        for (const mutation of mutations) mutation.addedNodes.forEach(record);
      }).observe(document.body, { childList: true, subtree: true });
    })()`);

    const prefix = runId('bench-render');
    const written = new Map<string, number>();
    const start = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const threat = await writeThreat(quietEvent(`${prefix}-${String(i).padStart(4, '0')}`));
      written.set(threat.threatId, threat.writtenAt);
    }
    const deadline = Date.now() + 60_000;
    let rendered: [string, number][] = [];
    while (Date.now() < deadline) {
      rendered = (await page.evaluate('[...window.renderedAt.entries()]')) as [string, number][];
      if (rendered.filter(([id]) => written.has(id)).length >= EVENTS) break;
      await sleep(250);
    }
    const latencies = rendered.filter(([id]) => written.has(id)).map(([id, at]) => at - written.get(id)!);
    if (latencies.length < EVENTS) console.log(`  only ${latencies.length} of ${EVENTS} rows rendered within 60 s of the last write`);
    return latencies;
  } finally {
    await browser.close();
  }
}

interface ClientMessage {
  type: 'ready' | 'seen' | 'error';
  clients?: number;
  /** For 'seen': the threat id and, per client that saw it, Date.now() at its snapshot. */
  id?: string;
  at?: number[];
  message?: string;
}

async function fanOut(): Promise<{ perRound: number[][]; missing: number }> {
  const user = await createUser('analyst', 'bench-fanout');
  const perProcess = Math.ceil(CLIENTS / PROCESSES);
  const children: ChildProcess[] = [];
  const seen = new Map<string, number[]>();
  const ready: Promise<void>[] = [];
  for (let p = 0, remaining = CLIENTS; p < PROCESSES && remaining > 0; p++, remaining -= perProcess) {
    const count = Math.min(perProcess, remaining);
    const child = fork(join(__dirname, 'dashboard-fanout-client.ts'), [String(count), user.email, user.password], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        child.on('message', (message: ClientMessage) => {
          if (message.type === 'ready') resolve();
          else if (message.type === 'error') reject(new Error(message.message));
          else if (message.type === 'seen' && message.id && message.at) seen.set(message.id, [...(seen.get(message.id) ?? []), ...message.at]);
        });
        child.on('exit', (code) => code !== 0 && reject(new Error(`fan-out client process exited with ${code}`)));
      }),
    );
  }
  try {
    await Promise.all(ready);
    const perRound: number[][] = [];
    let missing = 0;
    const prefix = runId('bench-fanout');
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(2_000);
      const threat = await writeThreat(quietEvent(`${prefix}-${round}`));
      const deadline = Date.now() + 60_000;
      while ((seen.get(threat.threatId)?.length ?? 0) < CLIENTS && Date.now() < deadline) await sleep(50);
      // Stragglers get a moment more, then are counted as missing.
      await sleep(500);
      const times = seen.get(threat.threatId) ?? [];
      missing += CLIENTS - times.length;
      perRound.push(times.map((at) => at - threat.writtenAt));
    }
    return { perRound, missing };
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

async function main() {
  console.log(
    `dashboard benchmark: Firestore, Auth and Hosting emulators; ${execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}; ${cpus().length} CPU cores`,
  );
  if (EVENTS > 0) {
    console.log(`\n1. threat written → row rendered in the dashboard (${EVENTS} threats, one every ${(1000 / RATE).toFixed(0)} ms)`);
    const render = await writeToRender();
    console.log(`  write → render        ${summary(render)}`);
  }

  console.log(`\n2. fan-out: ${CLIENTS} web-SDK listener clients in ${PROCESSES} Node processes, ${ROUNDS} rounds of one new threat`);
  const { perRound, missing } = await fanOut();
  perRound.forEach((round, index) => console.log(`  round ${index + 1}               ${summary(round)}`));
  console.log(`  all rounds            ${summary(perRound.flat())}`);
  console.log(`  deliveries missing    ${missing} of ${CLIENTS * ROUNDS}`);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
