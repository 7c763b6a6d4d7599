import { defineConfig } from 'vitest/config';

// One runner, several projects: `npm test` runs them in order (see package.json).
//   unit       pure modules, next to the code they test; no emulator, no network
//   emulators  cross-component suites in test/, run inside `firebase emulators:exec`
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['functions/src/**/*.test.ts', 'bridge/src/**/*.test.ts', 'tools/**/*.test.ts'],
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
    ],
  },
});
