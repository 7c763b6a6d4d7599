import { initializeApp } from 'firebase-admin/app';
import { setGlobalOptions } from 'firebase-functions';

// The only module with side effects at import time: the Admin SDK and global options.
// Everything else is exported functions, grouped by domain (deployed as `pipeline-ingest`, ...).
initializeApp();
setGlobalOptions({ region: 'us-central1', maxInstances: 20 });

export * as pipeline from './pipeline/ingest.function';
export * as alerts from './alerts/functions';
export * as analysis from './analysis/on-threat-created.function';
export * as playbooks from './playbooks/functions';
export * as metrics from './metrics/functions';
export * as detection from './detection/functions';
// Deployed as `api` (not grouped): Hosting rewrites /api/** to the function named api.
export { api } from './api/api.function';
