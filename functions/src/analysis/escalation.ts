import { SeveritySchema, type Severity } from '../domain/event';
import { opensAlert } from '../domain/alerting';

// A threat can become HIGH or CRITICAL after it was created (the model re-scored it). The alert
// trigger on creation saw the old severity, so the analysis that re-scores it opens (or joins)
// the alert then.

/** The severity stored in a threat document as read raw from a trigger (no converter). */
export function severityOf(data: unknown): Severity | undefined {
  const severity = (data as { risk?: { severity?: unknown } } | undefined)?.risk?.severity;
  const parsed = SeveritySchema.safeParse(severity);
  return parsed.success ? parsed.data : undefined;
}

/** Whether re-scoring from `before` to `after` moved a threat into the severities that alert. */
export function escalatedToAlerting(before: Severity, after: Severity): boolean {
  return opensAlert(after) && !opensAlert(before);
}
