#!/usr/bin/env node
// Runs the Firebase Emulator Suite with the pinned firebase-tools, offline where possible.
//
//   node tools/emulators.mjs start [--only functions,firestore,...]
//   node tools/emulators.mjs exec "<command>" [--only ...] [--config firebase.other.json]
//
// Machines without access to Google's download servers already carry the Firestore and Pub/Sub
// emulators in the Google Cloud CLI; firebase-tools is pointed at them (see shared/emulators.md).
// Where no Cloud SDK emulator is installed, firebase-tools downloads its own as usual.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const positional = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--only') only = rest[++i];
    else if (rest[i] === '--config') config = rest[++i];
    else if (rest[i] === '--project') project = rest[++i];
    else positional.push(rest[i]);
  }
  return { mode, only, config, project, command: positional.join(' ') };
}

function main() {
  const { mode, only, config, project, command } = parseArgs(process.argv.slice(2));
  if (mode !== 'start' && mode !== 'exec') {
    console.error('usage: emulators.mjs start|exec "<command>" [--only a,b,c] [--config file]');
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
  const child = spawn(firebaseBin(), args, { cwd: ROOT, env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
