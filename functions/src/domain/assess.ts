import type { DetectionConfig } from './config';
import { enrichIp } from './enrich/enrich';
import type { IpIntelligence } from './enrich/geoip';
import type { SecurityEvent } from './event';
import { analyseWithRules } from './rules';
import { scoreRisk } from './scoring';
import { applySensorVerdict } from './sensor';
import type { Analysis, Geo, Risk } from './threat';

export interface AssessmentDeps {
  intel: IpIntelligence;
  config: DetectionConfig;
  /** Events from the same source within `config.recentWindowMinutes` before this one. */
  recentActivity: number;
}

export interface Assessment {
  source: Geo;
  /** Present when the event names a destination address. */
  destination?: Geo;
  analysis: Analysis;
  risk: Risk;
}

/** Enriches both addresses, analyses the event with the rules engine, scores the risk, and defers to a sensor's verdict. */
export function assessEvent(event: SecurityEvent, deps: AssessmentDeps): Assessment {
  const source = enrichIp(event.source_ip, deps.intel, deps.config);
  const destination =
    event.destination_ip === undefined ? undefined : enrichIp(event.destination_ip, deps.intel, deps.config);
  const ours = analyseWithRules(event, { source, destination });
  const scored = scoreRisk({ event, analysis: ours, source, destination, recentActivity: deps.recentActivity, config: deps.config });
  const { analysis, risk } = applySensorVerdict(event, ours, scored);
  // No `destination: undefined` key: the assessment is written to Firestore.
  return destination === undefined ? { source, analysis, risk } : { source, destination, analysis, risk };
}
