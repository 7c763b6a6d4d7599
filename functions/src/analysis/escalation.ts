import { SeveritySchema, type Severity } from '../domain/event';
import { opensAlert } from '../alerts/dedup';

// A threat can become HIGH or CRITICAL after it was created (the model re-scored it). The alert
// trigger on creation saw the old severity, so an update that crosses into alerting severities
// opens (or joins) the alert then.

/** The severity stored in a threat document as read raw from a trigger (no converter). */
export function severityOf(data: unknown): Severity | undefined {
  const severity = (data as { risk?: { severity?: unknown } } | undefined)?.risk?.severity;
  const parsed = SeveritySchema.safeParse(severity);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Whether an update calls for an alert: the threat is now HIGH or CRITICAL, was not before, and
 * is not linked to an alert yet.
 */
export function escalatedToAlerting(before: unknown, after: unknown): boolean {
  const now = severityOf(after);
  if (now === undefined || !opensAlert(now)) return false;
  const was = severityOf(before);
  if (was !== undefined && opensAlert(was)) return false;
  return typeof (after as { alertId?: unknown }).alertId !== 'string';
}
