import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import { COLLECTIONS } from '../firestore/refs';
import type { Environment } from './catalog';
import { readCatalog } from './catalog-store';
import type { Catalog } from './detect';
import { RuleSet } from './engine';

/** The runtime's catalog: catalog-store's rules for this environment, compiled once per read, and its unexpired exceptions. */
export async function readRuntimeCatalog(db: Firestore, environment: Environment, now: number): Promise<Catalog> {
  const { rules, exceptions } = await readCatalog(db, environment, new Date(now));
  return { rules: new RuleSet(rules), exceptions };
}

/** Counts a suppressed detection on its exception (visible to analysts, never silent). */
export async function countExceptionHit(db: Firestore, exceptionId: string): Promise<void> {
  await db.collection(COLLECTIONS.detectionExceptions).doc(exceptionId).update({ hits: FieldValue.increment(1) });
}
