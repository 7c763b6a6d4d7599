#!/usr/bin/env node
// Runs the Firebase Emulator Suite with the pinned firebase-tools, offline where possible.
//
//   node tools/emulators.mjs start [--only functions,firestore,...] [--no-schedules]
//   node tools/emulators.mjs exec "<command>" [--only ...] [--config firebase.other.json] [--schedules]
//
// `start` runs every `onSchedule` function at its own period (tools/schedules.mjs), as a deployed
// project does; `exec` does so only with --schedules, so suites that call a scheduled function's
// work themselves are not raced by it. THREATSTREAM_SCHEDULE_SPEEDUP=N (tests only) divides every
// period by N.
//
// Machines without access to Google's download servers already carry the Firestore and Pub/Sub
// emulators in the Google Cloud CLI; firebase-tools is pointed at them (see shared/emulators.md).
// Where no Cloud SDK emulator is installed, firebase-tools downloads its own as usual.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSchedules } from './schedules.mjs';

export const PROJECT_ID = 'demo-threatstream';
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, '.cache');
const DEFAULT_ONLY = 'functions,firestore,pubsub,auth,hosting';
const FIRESTORE_MAIN_CLASS = 'com.google.cloud.datastore.emulator.firestore.CloudFirestore';

function cloudSdkRoot() {
  try {
    const root = execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (root) return root;
  } catch {
    // no gcloud on PATH: try the Debian package location below
  }
  return existsSync('/usr/lib/google-cloud-sdk') ? '/usr/lib/google-cloud-sdk' : undefined;
}

// firebase-tools starts the Firestore emulator as `java -jar <path>`, which needs a Main-Class;
// the Cloud SDK jar has none, so a manifest-only launcher jar points at it.
function firestoreLauncherJar(sdkJar) {
  const jar = join(CACHE, 'firestore-launcher.jar');
  const workDir = join(CACHE, 'firestore-launcher');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const manifest = join(workDir, 'manifest.txt');
  writeFileSync(manifest, `Main-Class: ${FIRESTORE_MAIN_CLASS}\nClass-Path: file:${sdkJar}\n`);
  execFileSync('jar', ['cfm', jar, manifest], { cwd: workDir, stdio: 'inherit' });
  return jar;
}

/** Environment variables that make firebase-tools use the locally installed emulators. */
export function offlineEmulatorEnv() {
  const env = {};
  const sdk = cloudSdkRoot();
  if (!sdk) return env;
  const pubsub = join(sdk, 'platform/pubsub-emulator/bin/cloud-pubsub-emulator');
  const firestoreJar = join(sdk, 'platform/cloud-firestore-emulator/cloud-firestore-emulator.jar');
  if (existsSync(pubsub)) env.PUBSUB_EMULATOR_BINARY_PATH = pubsub;
  if (existsSync(firestoreJar)) env.FIRESTORE_EMULATOR_BINARY_PATH = firestoreLauncherJar(firestoreJar);
  return env;
}

/** A project alias of .firebaserc (`demo`, `emulator-tests`) resolved to its project id. */
function projectIdOf(project) {
  const aliases = JSON.parse(readFileSync(join(ROOT, '.firebaserc'), 'utf8')).projects ?? {};
  return aliases[project] ?? project;
}

function firebaseBin() {
  const bin = join(ROOT, 'node_modules/.bin/firebase');
  if (!existsSync(bin)) {
    console.error('firebase-tools is not installed: run `npm install` at the repository root first.');
    process.exit(1);
  }
  return bin;
}

function parseArgs(argv) {
  const [mode, ...rest] = argv;
  let only = DEFAULT_ONLY;
  let config;
  let project = PROJECT_ID;
  let schedules = mode === 'start';
  const positional = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--only') only = rest[++i];
    else if (rest[i] === '--config') config = rest[++i];
    else if (rest[i] === '--project') project = rest[++i];
    else if (rest[i] === '--schedules') schedules = true;
    else if (rest[i] === '--no-schedules') schedules = false;
    else positional.push(rest[i]);
  }
  return { mode, only, config, project, schedules, command: positional.join(' ') };
}

function main() {
  const { mode, only, config, project, schedules, command } = parseArgs(process.argv.slice(2));
  if (mode !== 'start' && mode !== 'exec') {
    console.error('usage: emulators.mjs start|exec "<command>" [--only a,b,c] [--config file] [--schedules|--no-schedules]');
    process.exit(2);
  }
  if (mode === 'exec' && !command) {
    console.error('emulators.mjs exec needs a command to run');
    process.exit(2);
  }
  mkdirSync(CACHE, { recursive: true });
  const env = {
    // The Functions emulator runs one Node process per concurrent invocation (production runs up
    // to 80 per instance), each holding its own GeoIP tables: bound the parallelism so a burst
    // cannot start hundreds of processes on a laptop.
    FUNCTIONS_EMULATOR_PARALLEL: '8',
    ...process.env,
    ...offlineEmulatorEnv(),
  };
  const args = [mode === 'start' ? 'emulators:start' : 'emulators:exec'];
  if (mode === 'exec') args.push(command);
  args.push('--project', project, '--only', only);
  if (config) args.push('--config', config);
  const speedup = Number(process.env.THREATSTREAM_SCHEDULE_SPEEDUP ?? 1);
  if (!(speedup >= 1)) {
    console.error(`THREATSTREAM_SCHEDULE_SPEEDUP must be a number ≥ 1, not ${process.env.THREATSTREAM_SCHEDULE_SPEEDUP}`);
    process.exit(2);
  }
  const child = spawn(firebaseBin(), args, { cwd: ROOT, env, stdio: 'inherit' });
  const scheduler =
    schedules && only.split(',').includes('functions')
      ? runSchedules({ functionsOrigin: 'http://127.0.0.1:5001', projectId: projectIdOf(project), speedup })
      : undefined;
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (scheduler?.stop(), child.kill(signal)));
  child.on('exit', (code, signal) => {
    scheduler?.stop();
    process.exit(code ?? (signal ? 1 : 0));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
