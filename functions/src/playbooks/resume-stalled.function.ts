import { onSchedule } from 'firebase-functions/scheduler';
import { playbookSecrets } from '../config';
import { expireApprovals, resumeStalledRuns } from './executor';
import { playbookDeps } from './runtime';

/**
 * Every 5 minutes: expires approvals nobody decided in time (PLAYBOOK_APPROVAL_TIMEOUT_MINUTES),
 * then finishes runs whose invocation died and that no trigger redelivery took over.
 * Locally, tools/schedules.mjs fires it on this schedule (the Functions emulator runs none itself).
 */
export const resumeStalled = onSchedule(
  { schedule: 'every 5 minutes', timeZone: 'Etc/UTC', timeoutSeconds: 540, retryCount: 0, secrets: playbookSecrets },
  async () => {
    const deps = playbookDeps();
    await expireApprovals(deps);
    await resumeStalledRuns(deps);
  },
);
