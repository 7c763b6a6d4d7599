import type { SecurityEvent } from '../event';
import { displayText, type Payload } from '../evidence';
import type { Evidence, Finding } from './finding';

/** An event type no rule covers: kept, described, and claimed as nothing. */
export function analyseUnknown(payload: Payload, event: SecurityEvent): Finding {
  const original = event.metadata.original_event_type;
  const evidence: Evidence = { payload_fields: Object.keys(payload).length };
  if (typeof original === 'string') evidence.original_event_type = displayText(original, 64);
  return {
    category: 'unclassified',
    headline: typeof original === 'string' ? `Unclassified event "${displayText(original, 48)}"` : 'Unclassified event',
    detail: 'no rule covers this type',
    evidence,
    strength: 0,
    techniques: {},
    actions: ['Review the raw event and add its type to the sensor mapping if it recurs'],
  };
}
