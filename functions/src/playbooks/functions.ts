// The playbook functions, exported from index.ts as `playbooks` (deployed as playbooks-onAlertCreated, ...).
export { onAlertCreated } from './on-alert-created.function';
export { onAlertUpdated } from './on-alert-updated.function';
export { resumeStalled } from './resume-stalled.function';
