import { logger } from 'firebase-functions';
import type { Severity } from './domain/event';

// Every structured log line the functions write, in one place: a message name that can be
// searched for in Cloud Logging, and the fields that explain it. Payloads and secrets are never
// logged, only identifiers.

export function threatScored(eventId: string, threatId: string, score: number, severity: Severity): void {
  logger.info('threat.scored', { eventId, threatId, score, threatSeverity: severity });
}

export function duplicateEvent(eventId: string, messageId: string): void {
  logger.info('threat.duplicate', { eventId, messageId });
}

export function eventRejected(messageId: string, reason: string): void {
  logger.warn('event.rejected', { messageId, reason });
}

export function alertOpened(alertId: string, threatId: string, severity: Severity): void {
  logger.info('alert.opened', { alertId, threatId, alertSeverity: severity });
}

export function alertUpdated(alertId: string, threatId: string, occurrences: number): void {
  logger.info('alert.updated', { alertId, threatId, occurrences });
}

export function ipIntelligenceLoaded(millis: number): void {
  logger.info('ip_intelligence.loaded', { millis });
}

// ---- HTTPS API (functions/src/api) ----

export interface ApiErrorContext {
  status: number;
  code: string;
  method: string;
  path: string;
  uid: string | undefined;
}

/** A request the API refused (4xx): the client's mistake, worth a warning, not a page. */
export function apiRejected(context: ApiErrorContext & { message: string }): void {
  logger.warn('api.rejected', context);
}

/** A request the API failed (5xx): a bug or an unavailable dependency. */
export function apiError(context: ApiErrorContext & { cause: string }): void {
  logger.error('api.error', context);
}

export function alertTransitioned(alertId: string, from: string, to: string, uid: string): void {
  logger.info('alert.transitioned', { alertId, from, to, uid });
}

export function eventSimulated(eventId: string, messageId: string, uid: string): void {
  logger.info('event.simulated', { eventId, messageId, uid });
}

export function playbookRequested(playbookId: string, alertId: string, dryRun: boolean, uid: string): void {
  logger.info('playbook.requested', { playbookId, alertId, dryRun, uid });
}

export function healthCheckFailed(service: string, reason: string): void {
  logger.warn('health.check_failed', { service, reason });
}

// Gemini threat analysis. The key, prompts and answers are never logged; signatures are hashes.

export function modelConfigured(settings: Record<string, unknown>): void {
  logger.info('model.configured', settings);
}

export function modelOutcome(
  threatId: string,
  // Not `severity`: Cloud Logging reads that field as the log entry's own level.
  fields: { status: string; reason?: string; latencyMs?: number; signature?: string; score?: number; threatSeverity?: Severity },
): void {
  if (fields.status === 'failed') logger.warn('threat.model_failed', { threatId, ...fields });
  else logger.info('threat.model', { threatId, ...fields });
}

export function modelCacheError(operation: string, error: unknown): void {
  logger.warn('model.cache_error', { operation, error: error instanceof Error ? error.message : String(error) });
}

export function threatEscalated(threatId: string, from: string | undefined, to: Severity): void {
  logger.info('threat.escalated', { threatId, from, to });
}

// ---- Playbooks (functions/src/playbooks) ----

export function playbookSeeded(playbookId: string, version: number, outcome: 'created' | 'upgraded'): void {
  logger.info('playbook.seeded', { playbookId, version, outcome });
}

export function playbookInvalid(playbookId: string, reason: string): void {
  logger.error('playbook.invalid', { playbookId, reason });
}

export function playbookRunCreated(runId: string, playbookId: string, alertId: string, trigger: string, dryRun: boolean): void {
  logger.info('playbook.run_created', { runId, playbookId, alertId, trigger, dryRun });
}

export function approvalRequested(approvalId: string, runId: string, action: string, reasons: string[]): void {
  logger.warn('playbook.approval_requested', { approvalId, runId, action, reasons });
}

export function expiredRunNotDriven(runId: string, message: string): void {
  logger.warn('playbook.expired_run_not_driven', { runId, message });
}

export function approvalDecided(approvalId: string, status: string, actorId: string): void {
  logger.info('playbook.approval_decided', { approvalId, status, actorId });
}

export function playbookRunResumed(runId: string, playbookId: string, alertId: string): void {
  logger.warn('playbook.run_resumed', { runId, playbookId, alertId });
}

export function playbookRunBusy(runId: string, leaseOwner: string): void {
  logger.info('playbook.run_busy', { runId, leaseOwner });
}

export function playbookLeaseLost(runId: string, newOwner: string): void {
  logger.warn('playbook.lease_lost', { runId, newOwner });
}

export function playbookStepSucceeded(runId: string, step: number, action: string, durationMs: number): void {
  logger.info('playbook.step_succeeded', { runId, step, action, durationMs });
}

/** A step that failed: the run goes on (or stops) and records it; worth a warning, not a page. */
export function playbookStepFailed(runId: string, step: number, action: string, code: string, message: string): void {
  logger.warn('playbook.step_failed', { runId, step, action, code, message });
}

export function playbookRunFinished(runId: string, playbookId: string, alertId: string, status: string, durationMs: number): void {
  logger.info('playbook.run_finished', { runId, playbookId, alertId, status, durationMs });
}

export function stalledRunsResumed(runIds: string[]): void {
  logger.warn('playbook.stalled_runs_resumed', { count: runIds.length, runIds });
}

// ---- Metrics and the risk index (functions/src/metrics) ----

export function metricsDuplicate(key: string): void {
  logger.info('metrics.duplicate', { key });
}

export function riskIndexUpdated(minute: string, index: number, level: string, load: number, baseline: number): void {
  logger.info('risk_index.updated', { minute, index, level, load, baseline });
}

export function modelBreaker(state: 'open' | 'closed', until?: number): void {
  if (state === 'open') logger.warn('model.breaker_open', { until: until === undefined ? undefined : new Date(until).toISOString() });
  else logger.info('model.breaker_closed', {});
}

/** A trigger's document does not match its schema: retrying cannot help, so it is skipped. */
export function triggerDocumentInvalid(trigger: string, path: string, reason: string): void {
  logger.error('trigger.document_invalid', { trigger, path, reason });
}

export function observationInvalid(messageId: string, reason: string): void {
  logger.warn('observation.invalid', { messageId, reason });
}

export function auditLogParsed(messageId: string, alerts: number, observations: number): void {
  logger.info('audit_log.parsed', { messageId, alerts, observations });
}

export function detectionsWritten(messageId: string, detectionIds: string[], created: number, suppressed: number): void {
  logger.info('detection.written', { messageId, detectionIds: detectionIds.slice(0, 20), created, suppressed });
}
