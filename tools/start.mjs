#!/usr/bin/env node
// `npm start`: the whole pipeline on this machine, Kafka → bridge → Pub/Sub → functions → Firestore.
//
//   npm start                      (builds, then runs this)
//   node tools/start.mjs [--no-demo] [--demo-rate 2]
//
// Starts, in order: the Firebase emulators (tools/emulators.mjs start, which also runs every
// `onSchedule` function on its schedule: tools/schedules.mjs), waits until the `ingest`
// function is subscribed to security-events; a Kafka broker (tools/kafka/broker.mjs, or
// KAFKA_BROKERS); the bridge (bridge/lib/main.js on BRIDGE_PORT, default 8081); and a gentle
// demo stream from the simulator (--demo-rate events/s, default 2; --no-demo to skip). Ctrl-C
// stops them in the reverse order: simulator, bridge (flush + commit), Kafka, emulators.
//
// Every child runs in its own process group with a watchdog on a pipe from this process, so
// even a `kill -9` of this process leaves no emulator, JVM or bridge behind.
import { execFile, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs, parseEnv, promisify } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { internalCidrsWarning } from './internal-cidrs-warning.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const PROJECT_ID = 'demo-threatstream';
const PORTS = { hosting: 5000, functions: 5001, firestore: 8080, pubsub: 8085, hub: 4400 };
const PUBSUB_HOST = `127.0.0.1:${PORTS.pubsub}`;

const COLORS = { emulators: 36, kafka: 33, bridge: 35, simulator: 32, start: 1 };
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
function say(name, line) {
  const label = `[${name}]`.padEnd(12);
  process.stdout.write(`${useColor ? `\x1b[${COLORS[name] ?? 0}m${label}\x1b[0m` : label} ${line}\n`);
}

const { values: options } = parseArgs({
  options: {
    'no-demo': { type: 'boolean', default: false },
    'demo-rate': { type: 'string', default: '2' },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  console.log('usage: node tools/start.mjs [--no-demo] [--demo-rate N]');
  process.exit(0);
}
const demoRate = Number(options['demo-rate']);
if (!(demoRate > 0)) {
  console.error('--demo-rate must be a positive number');
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function portOpen(port, host = '127.0.0.1') {
  return new Promise((done) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

async function waitFor(what, check, { timeoutMs = 120_000, intervalMs = 250, alive } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (alive && !alive()) throw new Error(`${what}: the process it depends on exited`);
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

// ---------------------------------------------------------------------------------------------
// Children

/** @type {ReturnType<typeof startChild>[]} */
const children = [];

/**
 * Spawns a child in its own process group (so Ctrl-C reaches only this orchestrator, which
 * then stops the children in order), with its output prefixed, and a watchdog that kills the
 * group if this process dies without doing so.
 */
function startChild(name, command, args, { env = {}, onLine } = {}) {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const watchdog = spawn(
    '/bin/sh',
    ['-c', `cat >/dev/null; kill -TERM -- -${child.pid} 2>/dev/null; sleep 10; kill -KILL -- -${child.pid} 2>/dev/null`],
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
  );
  watchdog.unref();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      onLine?.(line);
      if (line.trim()) say(name, line);
    });
  }
  let exitInfo;
  const exited = new Promise((resolveExit) =>
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolveExit(exitInfo);
    }),
  );
  const entry = {
    name,
    child,
    exited,
    get running() {
      return exitInfo === undefined;
    },
    /**
     * Signals the child (which stops its own children: firebase its emulators, the broker
     * script its JVM), waits, and escalates to SIGKILL of the whole group after `timeoutMs`.
     */
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (exitInfo === undefined) {
        try {
          child.kill(signal);
        } catch {}
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {}
        }, timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      // The group may still hold grandchildren (JVMs) after its leader exited.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      watchdog.kill('SIGKILL');
    },
  };
  children.push(entry);
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Shutdown

let shuttingDown;
function shutdown(reason, code) {
  shuttingDown ??= (async () => {
    say('start', `${reason}: stopping…`);
    const byName = (name) => children.find((c) => c.name === name);
    // Reverse order of the pipeline: producers first, then the bridge (it flushes and commits
    // while Kafka is still up), then Kafka, then the emulators.
    const plan = [
      ['simulator', 'SIGINT', 5_000],
      ['bridge', 'SIGTERM', 10_000],
      ['kafka', 'SIGTERM', 15_000],
      ['emulators', 'SIGINT', 30_000],
    ];
    for (const [name, signal, timeoutMs] of plan) {
      const entry = byName(name);
      if (entry) await entry.stop(signal, timeoutMs);
    }
    say('start', 'stopped');
    process.exit(code);
  })();
  return shuttingDown;
}
process.on('SIGINT', () => void shutdown('Ctrl-C', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
process.on('uncaughtException', (error) => {
  console.error(error);
  void shutdown('crash', 1);
});

/** A child that must keep running: when it dies, everything stops. */
function critical(entry) {
  void entry.exited.then(({ code, signal }) => {
    if (!shuttingDown) void shutdown(`${entry.name} exited (${signal ?? `code ${code}`})`, 1);
  });
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Steps

async function checkPortsFree() {
  const wanted = [
    ['Hosting', PORTS.hosting],
    ['Functions', PORTS.functions],
    ['Firestore', PORTS.firestore],
    ['Pub/Sub', PORTS.pubsub],
    ['Emulator hub', PORTS.hub],
    ['Bridge', bridgePort],
  ];
  if (!process.env.KAFKA_BROKERS) wanted.push(['Kafka', kafkaPort], ['Kafka controller', kafkaPort + 1]);
  const busy = [];
  for (const [name, port] of wanted) if (await portOpen(port)) busy.push(`${name} ${port}`);
  if (busy.length) {
    throw new Error(
      `ports already in use: ${busy.join(', ')}. Is another \`npm start\` or emulator suite running?` +
        (busy.some((b) => b.startsWith('Kafka')) ? ' (set KAFKA_BROKERS to use a running Kafka, or KAFKA_PORT)' : ''),
    );
  }
}

async function startEmulators() {
  // The `demo` alias loads functions/.env.demo: /api/health probes the bridge started below.
  const emulators = critical(
    startChild('emulators', process.execPath, [join(ROOT, 'tools/emulators.mjs'), 'start', '--project', 'demo']),
  );
  const alive = () => emulators.running;
  for (const [name, port] of [
    ['Pub/Sub', PORTS.pubsub],
    ['Firestore', PORTS.firestore],
    ['Functions', PORTS.functions],
  ]) {
    await waitFor(`the ${name} emulator on ${port}`, () => portOpen(port), { alive, timeoutMs: 180_000 });
  }
  // The ingest function is loaded once the Functions emulator subscribed it to security-events.
  const { PubSub } = require('@google-cloud/pubsub');
  process.env.PUBSUB_EMULATOR_HOST = PUBSUB_HOST;
  const pubsub = new PubSub({ projectId: PROJECT_ID });
  try {
    await waitFor(
      'the ingest function (subscription emulator-sub-security-events)',
      async () => (await pubsub.subscription('emulator-sub-security-events').exists())[0],
      { alive, timeoutMs: 180_000, intervalMs: 500 },
    );
  } finally {
    await pubsub.close();
  }
  return emulators;
}

async function startKafkaChild() {
  if (process.env.KAFKA_BROKERS) {
    // An existing cluster: only make sure the topics exist.
    const { startKafka } = await import('./kafka/broker.mjs');
    const kafka = await startKafka();
    say('kafka', `using KAFKA_BROKERS=${kafka.brokers.join(',')} (topics ensured)`);
    return undefined;
  }
  let ready = false;
  const kafka = critical(
    startChild('kafka', process.execPath, [join(ROOT, 'tools/kafka/broker.mjs'), 'start', '--port', String(kafkaPort)], {
      onLine: (line) => {
        if (/broker ready/.test(line)) ready = true;
      },
    }),
  );
  await waitFor('Kafka', () => ready, { alive: () => kafka.running, timeoutMs: 120_000 });
  return kafka;
}

async function startBridge(brokers) {
  const bridge = critical(
    startChild('bridge', process.execPath, [join(ROOT, 'bridge/lib/main.js')], {
      env: {
        KAFKA_BROKERS: brokers,
        PUBSUB_EMULATOR_HOST: PUBSUB_HOST,
        GOOGLE_CLOUD_PROJECT: PROJECT_ID,
        PORT: String(bridgePort),
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      },
    }),
  );
  await waitFor(
    'the bridge to be ready',
    async () => (await fetch(`http://127.0.0.1:${bridgePort}/readyz`)).status === 200,
    { alive: () => bridge.running, timeoutMs: 60_000 },
  );
  return bridge;
}

function startDemo(brokers) {
  // Not critical: the pipeline runs fine without the demo stream.
  return startChild(
    'simulator',
    join(ROOT, 'node_modules/.bin/tsx'),
    [join(ROOT, 'tools/simulator/cli.ts'), '--rate', String(demoRate), '--native', '--quiet'],
    { env: { KAFKA_BROKERS: brokers } },
  );
}

const kafkaPort = Number(process.env.KAFKA_PORT ?? 9092);
const bridgePort = Number(process.env.BRIDGE_PORT ?? 8081);

/**
 * The Functions emulator takes params only from files, so /api/health probes the bridge at the
 * URL in functions/.env.demo: on another BRIDGE_PORT it would report the bridge unreachable.
 */
function warnIfHealthProbesAnotherPort() {
  const url = parseEnv(readFileSync(join(ROOT, 'functions/.env.demo'), 'utf8')).BRIDGE_HEALTH_URL;
  if (!url) return;
  if (!URL.canParse(url)) {
    say('start', `warning: BRIDGE_HEALTH_URL in functions/.env.demo is not a URL: ${url}`);
    return;
  }
  const { port, protocol } = new URL(url);
  const probed = Number(port || (protocol === 'https:' ? 443 : 80));
  if (probed !== bridgePort) {
    say('start', `warning: the bridge listens on ${bridgePort} but /api/health probes ${url} (functions/.env.demo); edit that file to match`);
  }
}

async function main() {
  const t0 = Date.now();
  await checkPortsFree();
  warnIfHealthProbesAnotherPort();
  const cidrsWarning = internalCidrsWarning(['functions/.env', 'functions/.env.demo'].map((file) => readFileSync(join(ROOT, file), 'utf8')));
  if (cidrsWarning) say('start', cidrsWarning);
  say('start', 'starting the Firebase emulators (Functions, Firestore, Pub/Sub, Auth, Hosting)…');
  await startEmulators();
  say('start', 'creating the demo users on the Auth emulator…');
  await promisify(execFile)(process.execPath, [join(ROOT, 'tools/users.mjs'), 'demo'], {
    env: { ...process.env, FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099' },
  });
  say('start', `emulators up, ingest subscribed (${((Date.now() - t0) / 1000).toFixed(1)} s); starting Kafka…`);
  await startKafkaChild();
  const brokers = process.env.KAFKA_BROKERS ?? `127.0.0.1:${kafkaPort}`;
  say('start', 'starting the bridge…');
  await startBridge(brokers);
  if (!options['no-demo']) startDemo(brokers);

  const lines = [
    '',
    `ThreatStream is running (${((Date.now() - t0) / 1000).toFixed(1)} s). Ctrl-C stops everything.`,
    '',
    `  Dashboard       http://127.0.0.1:${PORTS.hosting}   sign in as viewer|analyst|responder|admin@threatstream.test, password threatstream-<role>`,
    `  API             http://127.0.0.1:${PORTS.hosting}/api/health   (docs: /api/docs)`,
    `  Functions       http://127.0.0.1:${PORTS.functions}/${PROJECT_ID}/us-central1/api/health`,
    `  Bridge          http://127.0.0.1:${bridgePort}/metrics   ·  /readyz  ·  /healthz`,
    `  Kafka           ${brokers}   topic security.raw.logs (DLQ security.raw.logs.dlq)`,
    `  Pub/Sub         ${PUBSUB_HOST}   topic security-events   ·  Firestore 127.0.0.1:${PORTS.firestore}`,
    options['no-demo']
      ? '  Demo stream     off (--no-demo)'
      : `  Demo stream     ${demoRate} events/s of mixed attacks and benign traffic`,
    '',
    '  More traffic:   npm run simulate -- --scenario kill-chain --rate 20 --count 200',
    '',
    // Said again where the eye lands last.
    ...(cidrsWarning ? [`  ${cidrsWarning}`, ''] : []),
  ];
  for (const line of lines) say('start', line);
}

main().catch((error) => {
  say('start', `failed: ${error.message}`);
  void shutdown('start-up failed', 1);
});
