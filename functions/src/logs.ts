import { logger } from 'firebase-functions';
import type { Severity } from './domain/event';

// Every structured log line the functions write, in one place: a message name that can be
// searched for in Cloud Logging, and the fields that explain it. Payloads and secrets are never
// logged, only identifiers.

export function threatScored(eventId: string, threatId: string, score: number, severity: Severity): void {
  logger.info('threat.scored', { eventId, threatId, score, severity });
}

export function duplicateEvent(eventId: string, messageId: string): void {
  logger.info('threat.duplicate', { eventId, messageId });
}

export function eventRejected(messageId: string, reason: string): void {
  logger.warn('event.rejected', { messageId, reason });
}

export function alertOpened(alertId: string, threatId: string, severity: Severity): void {
  logger.info('alert.opened', { alertId, threatId, severity });
}

export function alertUpdated(alertId: string, threatId: string, occurrences: number): void {
  logger.info('alert.updated', { alertId, threatId, occurrences });
}

export function ipIntelligenceLoaded(millis: number): void {
  logger.info('ip_intelligence.loaded', { millis });
}
