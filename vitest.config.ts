import { defineConfig } from 'vitest/config';

// One runner, several projects: `npm test` runs them in order (see package.json).
//   unit       pure modules, next to the code they test; no emulator, no network
//   emulators  cross-component suites in test/, run inside `firebase emulators:exec`
//   kafka      the bridge on a real Kafka broker and the Pub/Sub emulator (test/kafka/); its
//              global set-up starts the broker (or uses KAFKA_BROKERS) and, when
//              PUBSUB_EMULATOR_HOST is unset, a Pub/Sub emulator of its own
//   stack      `npm start` itself (tools/start.mjs, which starts its own emulators, Kafka and
//              bridge) and the schedules it runs; not inside emulators:exec (test/stack/)
//   browser    the dashboard in Debian's Chromium (test/browser/), inside emulators:exec, in a
//              session of its own (other suites' threats would interleave with its live views)
//   browser-load  the listener-hygiene load test, last, in a fresh emulator session
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'functions/src/**/*.test.ts', 'bridge/src/**/*.test.ts', 'tools/**/*.test.ts', 'dashboard/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'emulators',
          include: ['test/emulators/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Suites share one emulator suite and its Firestore: run files one at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'kafka',
          include: ['test/kafka/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/kafka/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two cores: one file at a time keeps timings (kill -9 mid-stream, restarts) honest.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'stack',
          include: ['test/stack/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          exclude: ['test/browser/hygiene.test.ts'],
          environment: 'node',
          // Debian's Chromium (playwright-core) against the dashboard on the Hosting emulator;
          // run inside `node tools/emulators.mjs exec`, after `npm run build` (dashboard/dist).
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One browser and one emulator suite: files one at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The 2,000-threat listener-hygiene run, after the browser project and in a session of its
          // own: its threats queue thousands of trigger invocations that would starve any suite run
          // after it.
          name: 'browser-load',
          include: ['test/browser/hygiene.test.ts'],
          environment: 'node',
          // Its 2,000 in-process ingest writes log a line each; shown only if the test fails.
          silent: 'passed-only',
          // In an emulator session of its own (npm run test:browser): 98 s on two loaded cores. In the
          // browser project's session it took 326-472 s: the Firestore emulator keeps the Listen
          // channels of the pages those suites closed and logs three warnings per later write on
          // each (2.2-2.7 million lines). The bound is on memory, not speed.
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
