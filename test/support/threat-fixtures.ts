// Threats as the ingest function writes them (rules analysis and risk), built in memory: for
// tests and benchmarks of the model path that need no emulator.
import { DEFAULT_DETECTION_CONFIG } from '../../functions/src/domain/config';
import { assessEvent } from '../../functions/src/domain/assess';
import type { IpIntelligence } from '../../functions/src/domain/enrich/geoip';
import { parseEvent, type SecurityEvent, type SecurityEventInput } from '../../functions/src/domain/event';
import type { ConsultInput } from '../../functions/src/analysis/consult';

/** A stand-in for the GeoIP tables: every public address is in a German hosting network. */
export const STUB_INTEL: IpIntelligence = {
  lookup: () => ({ country: 'DE', city: 'Frankfurt am Main', asn: 213250, org: 'Example Hosting GmbH' }),
};

export function event(input: Partial<SecurityEventInput> & { event_type: string }): SecurityEvent {
  const parsed = parseEvent({
    event_id: `evt-${Math.random().toString(36).slice(2, 10)}`,
    timestamp: '2025-12-27T19:00:00Z',
    source_ip: '185.234.72.91',
    ...input,
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

/** What the model path reads from a threat: the event, its enrichment, the rules' analysis and risk. */
export function consultInputFor(
  securityEvent: SecurityEvent,
  intel: IpIntelligence = STUB_INTEL,
  recentActivity = 0,
): ConsultInput {
  const assessment = assessEvent(securityEvent, { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity });
  return {
    eventId: securityEvent.event_id,
    event: securityEvent,
    source: assessment.source,
    ...(assessment.destination && { destination: assessment.destination }),
    rules: assessment.analysis,
    risk: assessment.risk,
    recentActivity,
  };
}
