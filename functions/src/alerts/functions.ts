// The alerts group's functions (deployed as alerts-onThreatCreated, alerts-onThreatEscalated).
export * from './on-threat-created.function';
export * from './on-threat-escalated.function';
