import type { DetectionExceptionDoc } from './catalog';
import { compileCondition, type Predicate } from './conditions';
import type { Detection } from './detection';
import { detectionAsEvent } from './engine';

/** An exception ready to test detections against. */
export interface CompiledException {
  id: string;
  ruleId: string;
  reason: string;
  owner: string;
  expiresAt: number;
  matches: Predicate;
}

/** Why a detection was suppressed: stored on the threat, so it stays counted and visible. */
export interface Suppression {
  exceptionId: string;
  reason: string;
  owner: string;
  expiresAt: string;
}

export function compileException(id: string, doc: DetectionExceptionDoc): CompiledException {
  return { id, ruleId: doc.ruleId, reason: doc.reason, owner: doc.owner, expiresAt: Date.parse(doc.expiresAt), matches: compileCondition(doc.match) };
}

/** The first unexpired exception that covers this detection, if any. */
export function suppressionFor(detection: Detection, exceptions: readonly CompiledException[], now: number): Suppression | undefined {
  let asEvent: unknown;
  for (const exception of exceptions) {
    if (!(exception.expiresAt > now)) continue;
    if (exception.ruleId !== '*' && exception.ruleId !== detection.ruleId) continue;
    asEvent ??= detectionAsEvent(detection);
    if (exception.matches(asEvent)) {
      return { exceptionId: exception.id, reason: exception.reason, owner: exception.owner, expiresAt: new Date(exception.expiresAt).toISOString() };
    }
  }
  return undefined;
}
