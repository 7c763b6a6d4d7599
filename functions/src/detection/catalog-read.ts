import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import { DetectionExceptionDocSchema } from './catalog';
import type { Catalog } from './detect';
import { RuleSet } from './engine';
import { compileException, type CompiledException } from './exceptions';
import { BUILT_IN_RULES } from './pack';

export const DETECTION_EXCEPTIONS = 'detectionExceptions';

/**
 * The runtime's catalog: the built-in pack, and the unexpired exceptions. (Declarative rules
 * from detectionRules join here through catalog-store.ts's readCatalog once it is merged.)
 * An exception document that does not parse is skipped, never fatal: detection goes on.
 */
export async function readRuntimeCatalog(db: Firestore, now: number): Promise<Catalog> {
  // Exceptions are few (analysts write them one by one): read them all, keep the unexpired.
  const snapshot = await db.collection(DETECTION_EXCEPTIONS).get();
  const exceptions: CompiledException[] = [];
  for (const doc of snapshot.docs) {
    const parsed = DetectionExceptionDocSchema.safeParse(doc.data());
    if (!parsed.success) continue;
    const exception = compileException(doc.id, parsed.data);
    if (exception.expiresAt > now) exceptions.push(exception);
  }
  return { rules: new RuleSet(BUILT_IN_RULES), exceptions };
}

/** Counts a suppressed detection on its exception (visible to analysts, never silent). */
export async function countExceptionHit(db: Firestore, exceptionId: string): Promise<void> {
  await db.collection(DETECTION_EXCEPTIONS).doc(exceptionId).update({ hits: FieldValue.increment(1) });
}
