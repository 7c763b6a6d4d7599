import { getFirestore } from 'firebase-admin/firestore';
import { alertDedupWindowMinutes } from '../config';
import { metricsDeps } from '../metrics/runtime';
import type { AlertDeps } from './store';

/** The production dependencies of whatever opens alerts (the alert trigger, the analysis). */
export function alertDeps(): AlertDeps {
  return {
    db: getFirestore(),
    dedupWindowMinutes: alertDedupWindowMinutes.value(),
    now: () => new Date(),
    metrics: metricsDeps(),
  };
}
