import { onSchedule } from 'firebase-functions/scheduler';
import { updateRiskIndex } from './update-risk-index';
import { riskIndexDeps } from './runtime';

/**
 * Every minute: the estate's risk index for the last complete minute (riskIndex/{minute} and
 * riskIndex/current). No retries: the next minute recomputes it anyway. The Functions emulator
 * does not run schedules; tests and `npm start` call updateRiskIndex directly.
 */
export const updateRiskIndexEveryMinute = onSchedule(
  { schedule: 'every 1 minutes', timeZone: 'Etc/UTC', retryCount: 0, timeoutSeconds: 60 },
  async () => {
    await updateRiskIndex(riskIndexDeps());
  },
);
