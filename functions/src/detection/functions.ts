// The detection group's functions (deployed as detection-onObservation).
export * from './on-observation.function';
