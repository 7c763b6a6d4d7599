/**
 * Global set-up of the `kafka` test project: a real Kafka broker (or KAFKA_BROKERS), a Pub/Sub
 * emulator (PUBSUB_EMULATOR_HOST, as set by `firebase emulators:exec`, or one started here), and
 * a build of the bridge that matches its sources.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startKafka } from '../../tools/kafka/broker.mjs';
import { freePort, ROOT, waitForPort } from './ports';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    pubsubEmulatorHost: string;
    /** True when the functions emulator is live (inside `firebase emulators:exec`). */
    firestoreEmulatorHost: string;
  }
}

const PUBSUB_EMULATOR = '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';

function newestMtime(dir: string, suffix: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, suffix));
    else if (entry.name.endsWith(suffix)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Rebuilds bridge/lib when a source file is newer than the build (npm test builds first anyway). */
function ensureBridgeBuilt(): void {
  const lib = join(ROOT, 'bridge/lib');
  const src = join(ROOT, 'bridge/src');
  if (existsSync(join(lib, 'main.js')) && newestMtime(lib, '.js') >= newestMtime(src, '.ts')) return;
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'bridge/tsconfig.build.json')], { stdio: 'inherit' });
}

async function startPubSubEmulator(): Promise<{ host: string; child: ChildProcess }> {
  if (!existsSync(PUBSUB_EMULATOR)) {
    throw new Error(`set PUBSUB_EMULATOR_HOST, or install the Pub/Sub emulator (${PUBSUB_EMULATOR})`);
  }
  const port = await freePort();
  const child = spawn(PUBSUB_EMULATOR, ['--host=127.0.0.1', `--port=${port}`], { stdio: 'ignore', detached: true });
  await waitForPort(port, 60_000);
  return { host: `127.0.0.1:${port}`, child };
}

export default async function setup(project: TestProject) {
  ensureBridgeBuilt();
  const started = Date.now();
  const kafka = process.env.KAFKA_BROKERS
    ? await startKafka()
    : await startKafka({ port: await freePort(), controllerPort: await freePort(), topics: [] });
  let emulator: { host: string; child: ChildProcess } | undefined;
  const pubsubHost = process.env.PUBSUB_EMULATOR_HOST ?? (emulator = await startPubSubEmulator()).host;
  console.log(
    `[kafka tests] Kafka ${kafka.brokers.join(',')} (${kafka.external ? 'external' : `started in ${kafka.startMs} ms`}), ` +
      `Pub/Sub emulator ${pubsubHost}${emulator ? ' (started for these tests)' : ''}, set-up ${Date.now() - started} ms`,
  );
  project.provide('kafkaBrokers', kafka.brokers);
  project.provide('pubsubEmulatorHost', pubsubHost);
  project.provide('firestoreEmulatorHost', process.env.FIRESTORE_EMULATOR_HOST ?? '');
  return async () => {
    await kafka.stop();
    if (emulator?.child.pid) {
      // The emulator script forks a JVM: end the whole process group it leads.
      try {
        process.kill(-emulator.child.pid, 'SIGTERM');
      } catch {}
    }
  };
}
