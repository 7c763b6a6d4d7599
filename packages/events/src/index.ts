export {
  INPUT_FORMATS,
  InputFormatSchema,
  MAX_ORIGINAL_CHARS,
  NormalizedEventSchema,
  SEVERITIES,
  SeveritySchema,
  type InputFormat,
  type NormalizedEvent,
  type ParseHint,
  type ParseOutcome,
  type Severity,
} from './schema.js';
export { MAX_RECORD_CHARS, detectFormat, detectJsonFormat, detectTextFormat, isInputFormat, parseRecord } from './parse.js';
export {
  EVENT_TYPES,
  EventTypeSchema,
  SecurityEventInputSchema,
  UNKNOWN_SOURCE_IP,
  classifyAlert,
  toSecurityEvent,
  type EventType,
  type SecurityEventInput,
  type SensorVerdict,
} from './security-event.js';
export { hash64, isIp } from './util.js';
