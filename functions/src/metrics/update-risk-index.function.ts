import { onSchedule } from 'firebase-functions/scheduler';
import { updateRiskIndex } from './update-risk-index';
import { riskIndexDeps } from './runtime';

/**
 * Every minute: the estate's risk index for the last complete minute (riskIndex/{minute} and
 * riskIndex/current). No retries: the next minute recomputes it anyway. Locally, tools/schedules.mjs
 * fires it on this schedule (the Functions emulator runs none itself).
 */
export const updateRiskIndexEveryMinute = onSchedule(
  { schedule: 'every 1 minutes', timeZone: 'Etc/UTC', retryCount: 0, timeoutSeconds: 60 },
  async () => {
    await updateRiskIndex(riskIndexDeps());
  },
);
