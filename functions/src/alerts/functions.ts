// The alerts group's functions (deployed as alerts-onThreatCreated).
export * from './on-threat-created.function';
