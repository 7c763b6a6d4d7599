// The metrics functions, exported from index.ts as `metrics` (deployed as metrics-onThreatCreated, ...).
export { onThreatCreated } from './on-threat-created.function';
export { onEventRejected } from './on-event-rejected.function';
export { updateRiskIndexEveryMinute as updateRiskIndex } from './update-risk-index.function';
export { onObservation } from './on-observation.function';
