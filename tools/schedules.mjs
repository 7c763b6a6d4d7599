// Runs every `onSchedule` function on the Functions emulator at its own period, as Cloud Scheduler
// does in a deployed project. The Functions emulator (firebase-tools 14.27) runs no schedules: it
// registers a 2nd-gen scheduled function under a Pub/Sub topic `firebase-schedule-<name>`, but its
// Pub/Sub emulator cannot deliver to an HTTP-signature function, so a message there is dropped.
// What does work is what Cloud Scheduler does: an HTTP POST to the function's URL.
//
// No list of schedules is kept here: they are read from the Functions emulator's `/backends`
// (each trigger's `schedule`, taken from the code's `scheduleTrigger`), so a new `onSchedule`
// function runs locally as soon as it is exported.
//
// Used by tools/emulators.mjs (`start`, hence `npm start`; `exec` with `--schedules`).

const MINUTE_MS = 60_000;
const UNIT_MS = { minute: MINUTE_MS, hour: 60 * MINUTE_MS };
const UNIT_ALIASES = { min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute', hour: 'hour', hours: 'hour', hr: 'hour', hrs: 'hour' };

/**
 * The period of a Cloud Scheduler schedule, in ms: the App Engine form (`every 5 minutes`,
 * `every 1 hours`) and the unix-cron forms with a fixed step (`* * * * *`, `*∕10 * * * *`,
 * `0 * * * *`, `0 *∕2 * * *`). Throws on anything else, naming the schedule.
 */
export function schedulePeriodMs(schedule) {
  const text = String(schedule).trim().toLowerCase();
  const every = /^every (\d+) ([a-z]+)$/.exec(text);
  if (every) {
    const unit = UNIT_ALIASES[every[2]];
    const count = Number(every[1]);
    if (unit && count > 0) return count * UNIT_MS[unit];
  }
  const fields = text.split(/\s+/);
  if (fields.length === 5 && fields.slice(2).every((field) => field === '*')) {
    const [minute, hour] = fields;
    const step = (field) => (field === '*' ? 1 : /^\*\/(\d+)$/.test(field) ? Number(field.slice(2)) : undefined);
    const minuteStep = step(minute);
    if (hour === '*' && minuteStep && 60 % minuteStep === 0) return minuteStep * MINUTE_MS;
    const hourStep = step(hour);
    if (/^\d+$/.test(minute) && Number(minute) < 60 && hourStep && 24 % hourStep === 0) return hourStep * UNIT_MS.hour;
  }
  throw new Error(`unsupported schedule "${schedule}": use "every N minutes|hours" or a cron with a fixed step`);
}

/**
 * When a schedule with this period next fires after `nowMs`: on the period's boundaries in UTC
 * (every minute at :00, every 5 minutes at :00, :05, …), as Cloud Scheduler fires them.
 * `speedup` (tests only) divides the period.
 */
export function nextFireMs(nowMs, periodMs, speedup = 1) {
  const period = periodMs / speedup;
  return (Math.floor(nowMs / period) + 1) * period;
}

/** The scheduled functions among the Functions emulator's `/backends` answer. */
export function scheduledFunctions(backends) {
  const found = [];
  for (const backend of backends?.backends ?? []) {
    for (const trigger of backend.functionTriggers ?? []) {
      if (!trigger.schedule) continue;
      const schedule = typeof trigger.schedule === 'string' ? trigger.schedule : trigger.schedule.schedule;
      found.push({ name: trigger.name, region: trigger.region ?? 'us-central1', schedule });
    }
  }
  return found;
}

/**
 * Fires a scheduled function on the Functions emulator: an HTTP POST to its URL with Cloud
 * Scheduler's headers. The emulator keys an event-style trigger with a generation suffix
 * (`us-central1-metrics-updateRiskIndex-0`, bumped by each hot reload); its 404 answer lists the
 * keys, and the newest is used.
 */
export async function fireScheduledFunction({ functionsOrigin, projectId, name, region = 'us-central1', scheduleTime = new Date() }) {
  const post = (id) =>
    fetch(`${functionsOrigin}/${projectId}/${region}/${id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-cloudscheduler-jobname': `firebase-schedule-${name}-${region}`,
        'x-cloudscheduler-scheduletime': scheduleTime.toISOString(),
      },
      body: '{}',
    });
  let response = await post(name);
  if (response.status === 404) {
    const listed = (await response.text()).match(new RegExp(`${region}-${name}-\\d+`, 'g')) ?? [];
    const key = listed.sort((a, b) => Number(a.split('-').at(-1)) - Number(b.split('-').at(-1))).at(-1);
    if (!key) throw new Error(`the Functions emulator has no scheduled function ${name} (is the Pub/Sub emulator running?)`);
    response = await post(key.slice(region.length + 1));
  }
  if (!response.ok) throw new Error(`firing ${name}: HTTP ${response.status} ${await response.text()}`);
}

/**
 * Fires each scheduled function the Functions emulator lists on its period, until `stop()`. The
 * list is read again every `rediscoverMs`: the emulator registers functions as their triggers'
 * emulators come up, and again after a hot reload. A function whose schedule cannot be read is
 * reported and left out; a failed firing is reported and the next one happens on time (the
 * schedules here set no retries). `speedup` divides every period: for tests that cannot wait.
 */
export function runSchedules({ functionsOrigin, projectId, log = console.log, speedup = 1, rediscoverMs = 5_000 }) {
  let stopped = false;
  const timers = new Set();
  const wait = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
      timers.add(timer);
    });
  /** Schedules running, by function name and region: the schedule text they run. */
  const running = new Map();
  const keyOf = (fn) => `${fn.region}/${fn.name}`;

  async function loop(fn, periodMs) {
    const key = keyOf(fn);
    while (!stopped && running.get(key) === fn.schedule) {
      const at = nextFireMs(Date.now(), periodMs, speedup);
      await wait(at - Date.now());
      if (stopped || running.get(key) !== fn.schedule) return;
      try {
        await fireScheduledFunction({ functionsOrigin, projectId, name: fn.name, region: fn.region, scheduleTime: new Date(at) });
      } catch (error) {
        // A firing cut short by the emulators stopping is no failure worth a line.
        if (!stopped) log(`schedules: ${fn.name} failed: ${error.message}`);
      }
    }
  }

  function reconcile(listed) {
    const seen = new Set();
    for (const fn of listed) {
      const key = keyOf(fn);
      seen.add(key);
      if (running.get(key) === fn.schedule) continue;
      let periodMs;
      try {
        periodMs = schedulePeriodMs(fn.schedule);
      } catch (error) {
        if (running.get(key) !== null) log(`schedules: ${fn.name} not run locally: ${error.message}`);
        running.set(key, null);
        continue;
      }
      running.set(key, fn.schedule);
      log(`schedules: ${fn.name} runs ${fn.schedule}${speedup === 1 ? '' : ` (sped up ${speedup}×: every ${periodMs / speedup / 1000} s)`}`);
      void loop(fn, periodMs);
    }
    for (const key of running.keys()) if (!seen.has(key)) running.delete(key);
  }

  const done = (async () => {
    while (!stopped) {
      try {
        const response = await fetch(`${functionsOrigin}/backends`);
        if (response.ok) reconcile(scheduledFunctions(await response.json()));
      } catch {
        // the Functions emulator is not listening (yet, or any more)
      }
      await wait(rediscoverMs);
    }
  })();

  return {
    done,
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
