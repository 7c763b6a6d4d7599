import { onSchedule } from 'firebase-functions/scheduler';
import { playbookSecrets } from '../config';
import { resumeStalledRuns } from './executor';
import { playbookDeps } from './runtime';

/**
 * Every 5 minutes: finishes runs whose invocation died and that no trigger redelivery took over.
 * (The Functions emulator does not run schedules: tests call resumeStalledRuns directly.)
 */
export const resumeStalled = onSchedule(
  { schedule: 'every 5 minutes', timeZone: 'Etc/UTC', timeoutSeconds: 540, retryCount: 0, secrets: playbookSecrets },
  async () => {
    await resumeStalledRuns(playbookDeps());
  },
);
