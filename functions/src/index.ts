import { initializeApp } from 'firebase-admin/app';
import { setGlobalOptions } from 'firebase-functions';

// The only module with side effects at import time: the Admin SDK and global options.
// Everything else is exported functions, grouped by domain (deployed as `pipeline-ingest`, ...).
initializeApp();
setGlobalOptions({ region: 'us-central1', maxInstances: 20 });

export * as pipeline from './pipeline/ingest.function';
export * as alerts from './alerts/on-threat-created.function';
