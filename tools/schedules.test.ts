import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fireScheduledFunction, nextFireMs, runSchedules, scheduledFunctions, schedulePeriodMs } from './schedules.mjs';

const MINUTE = 60_000;

describe('schedulePeriodMs', () => {
  it.each([
    ['every 1 minutes', MINUTE],
    ['every 5 minutes', 5 * MINUTE],
    ['every 1 minute', MINUTE],
    ['Every 30 mins', 30 * MINUTE],
    ['every 2 hours', 120 * MINUTE],
    ['* * * * *', MINUTE],
    ['*/10 * * * *', 10 * MINUTE],
    ['0 * * * *', 60 * MINUTE],
    ['15 */6 * * *', 360 * MINUTE],
  ])('%s → %d ms', (schedule, period) => {
    expect(schedulePeriodMs(schedule)).toBe(period);
  });

  it.each(['every 0 minutes', 'every 5 fortnights', 'every day 09:00', '0 9 * * 1', '*/7 * * * *', '', 'every minutes'])(
    'rejects %j with a reason naming it',
    (schedule) => {
      expect(() => schedulePeriodMs(schedule)).toThrow(`unsupported schedule "${schedule}"`);
    },
  );
});

describe('nextFireMs', () => {
  const at = (iso: string) => Date.parse(iso);
  it('fires on the period boundaries in UTC, strictly after now', () => {
    expect(nextFireMs(at('2026-12-07T16:03:20Z'), MINUTE)).toBe(at('2026-12-07T16:04:00Z'));
    expect(nextFireMs(at('2026-12-07T16:04:00Z'), MINUTE)).toBe(at('2026-12-07T16:05:00Z'));
    expect(nextFireMs(at('2026-12-07T16:03:20Z'), 5 * MINUTE)).toBe(at('2026-12-07T16:05:00Z'));
  });
  it('divides the period by the speed-up', () => {
    expect(nextFireMs(at('2026-12-07T16:03:20Z'), 5 * MINUTE, 5)).toBe(at('2026-12-07T16:04:00Z'));
  });
});

describe('scheduledFunctions', () => {
  it('keeps only the triggers with a schedule, from every backend', () => {
    const backends = {
      backends: [
        {
          functionTriggers: [
            { name: 'pipeline-ingest', region: 'us-central1', eventTrigger: { eventType: 'google.cloud.pubsub.topic.v1.messagePublished' } },
            { name: 'metrics-updateRiskIndex', region: 'us-central1', schedule: { schedule: 'every 1 minutes', timeZone: 'Etc/UTC' } },
          ],
        },
        { functionTriggers: [{ name: 'other-sweep', region: 'europe-west1', schedule: 'every 5 minutes' }] },
        {},
      ],
    };
    expect(scheduledFunctions(backends)).toEqual([
      { name: 'metrics-updateRiskIndex', region: 'us-central1', schedule: 'every 1 minutes' },
      { name: 'other-sweep', region: 'europe-west1', schedule: 'every 5 minutes' },
    ]);
    expect(scheduledFunctions(undefined)).toEqual([]);
  });
});

/** A stand-in Functions emulator: `/backends`, and function URLs keyed with a generation suffix. */
function fakeFunctionsEmulator(triggers: object[], { generation = 3 } = {}) {
  const posts: { path: string; headers: IncomingMessage['headers'] }[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/backends') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ backends: [{ functionTriggers: triggers }] }));
      return;
    }
    const match = /^\/demo-x\/([a-z0-9-]+)\/(.+)$/.exec(req.url ?? '');
    const keys = triggers.map((t: any) => `${t.region}-${t.name}-${generation}`);
    if (req.method === 'POST' && match && keys.includes(`${match[1]}-${match[2]}`)) {
      posts.push({ path: req.url!, headers: req.headers });
      res.end();
      return;
    }
    res.statusCode = 404;
    res.end(`Function ${match?.[1]}-${match?.[2]} does not exist, valid functions are: ${keys.join(', ')}`);
  });
  return new Promise<{ origin: string; posts: typeof posts; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        posts,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

describe('firing against a Functions emulator', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('POSTs to the newest trigger key with Cloud Scheduler headers', async () => {
    const emulator = await fakeFunctionsEmulator([{ name: 'metrics-updateRiskIndex', region: 'us-central1', schedule: { schedule: 'every 1 minutes' } }]);
    close = emulator.close;
    const scheduleTime = new Date('2026-12-07T16:04:00Z');
    await fireScheduledFunction({ functionsOrigin: emulator.origin, projectId: 'demo-x', name: 'metrics-updateRiskIndex', scheduleTime });
    expect(emulator.posts).toHaveLength(1);
    expect(emulator.posts[0]!.path).toBe('/demo-x/us-central1/metrics-updateRiskIndex-3');
    expect(emulator.posts[0]!.headers['x-cloudscheduler-scheduletime']).toBe('2026-12-07T16:04:00.000Z');
    expect(emulator.posts[0]!.headers['x-cloudscheduler-jobname']).toBe('firebase-schedule-metrics-updateRiskIndex-us-central1');
  });

  it('says so when the function is not there', async () => {
    const emulator = await fakeFunctionsEmulator([]);
    close = emulator.close;
    await expect(fireScheduledFunction({ functionsOrigin: emulator.origin, projectId: 'demo-x', name: 'gone' })).rejects.toThrow(
      /no scheduled function gone/,
    );
  });

  it('runs each discovered schedule at its own period, and reports one it cannot run', async () => {
    const emulator = await fakeFunctionsEmulator([
      { name: 'fast', region: 'us-central1', schedule: { schedule: 'every 1 minutes' } },
      { name: 'slow', region: 'us-central1', schedule: { schedule: 'every 2 minutes' } },
      { name: 'odd', region: 'us-central1', schedule: { schedule: 'every monday 09:00' } },
      { name: 'not-scheduled', region: 'us-central1', httpsTrigger: {} },
    ]);
    close = emulator.close;
    const lines: string[] = [];
    // Sped up 300×: every 1 minute → every 200 ms, every 2 minutes → every 400 ms.
    const scheduler = runSchedules({
      functionsOrigin: emulator.origin,
      projectId: 'demo-x',
      speedup: 300,
      rediscoverMs: 50,
      log: (line: string) => lines.push(line),
    });
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    scheduler.stop();
    const fired = (name: string) => emulator.posts.filter((post) => post.path.endsWith(`/${name}-3`)).length;
    expect(fired('fast')).toBeGreaterThanOrEqual(4);
    expect(fired('fast')).toBeLessThanOrEqual(7);
    expect(fired('slow')).toBeGreaterThanOrEqual(2);
    expect(fired('slow')).toBeLessThanOrEqual(4);
    expect(fired('odd') + fired('not-scheduled')).toBe(0);
    expect(lines.join('\n')).toMatch(/odd not run locally: unsupported schedule "every monday 09:00"/);
    const count = emulator.posts.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(emulator.posts.length).toBe(count);
  });

  it('picks up a scheduled function the emulator registers later, and drops one it no longer lists', async () => {
    const triggers: object[] = [{ name: 'pipeline-ingest', region: 'us-central1', eventTrigger: {} }];
    const emulator = await fakeFunctionsEmulator(triggers);
    close = emulator.close;
    const lines: string[] = [];
    const scheduler = runSchedules({ functionsOrigin: emulator.origin, projectId: 'demo-x', speedup: 600, rediscoverMs: 50, log: (line: string) => lines.push(line) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(emulator.posts).toHaveLength(0);
    // The Pub/Sub emulator came up: the scheduled function is registered now (every 100 ms here).
    triggers.push({ name: 'late', region: 'us-central1', schedule: { schedule: 'every 1 minutes' } });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const fired = emulator.posts.length;
    expect(fired).toBeGreaterThanOrEqual(3);
    expect(lines.filter((line) => line === 'schedules: late runs every 1 minutes (sped up 600×: every 0.1 s)')).toHaveLength(1);
    // Removed by a hot reload: no more firings.
    triggers.pop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const afterRemoval = emulator.posts.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    scheduler.stop();
    expect(emulator.posts.length).toBe(afterRemoval);
  });
});
