import type { z } from 'zod';
import * as log from '../logs';

/**
 * A trigger's document, validated. A document that does not match its schema is logged and
 * skipped (undefined) rather than thrown: with `retry: true` a throw is redelivered for days,
 * and no retry can fix the document.
 */
export function parseTriggerDocument<Schema extends z.ZodType>(
  schema: Schema,
  data: unknown,
  trigger: string,
  path: string,
): z.infer<Schema> | undefined {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  log.triggerDocumentInvalid(trigger, path, parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return undefined;
}
