import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { parseCidr, formatCidr } from '../domain/enrich/cidr';
import { paramEntries, type NeverBlockEntry } from '../domain/never-block';
import { auditEntry } from '../firestore/audit';
import { neverBlockQuery } from '../firestore/queries';
import { auditLogCollection, COLLECTIONS, neverBlockRef } from '../firestore/refs';
import type { AuditActor, NeverBlockDoc } from '../firestore/schema';

// neverBlock/{id}: the one module that writes the admin-managed never-block list, each change
// with its audit entry, and that reads the whole list (param + documents) for block_ip.

/** Most entries read; the list names a few networks, not a feed. */
export const MAX_NEVER_BLOCK_ENTRIES = 1_000;

export async function neverBlockEntries(db: Firestore, paramText: string): Promise<NeverBlockEntry[]> {
  const snapshot = await neverBlockQuery(db, MAX_NEVER_BLOCK_ENTRIES).get();
  return [...paramEntries(paramText), ...snapshot.docs.map((doc) => ({ cidr: doc.data().cidr, from: doc.id, reason: doc.data().reason }))];
}

export async function listNeverBlock(db: Firestore): Promise<(NeverBlockDoc & { id: string })[]> {
  const snapshot = await neverBlockQuery(db, MAX_NEVER_BLOCK_ENTRIES).get();
  return snapshot.docs.map((doc) => ({ id: doc.id, ...doc.data() }));
}

/** The CIDR in canonical form; throws InvalidCidrError with the reason. */
export function canonicalCidr(text: string): string {
  return formatCidr(parseCidr(text));
}

/** Adds (or re-states) an entry; false when it was already there. */
export async function addNeverBlock(db: Firestore, cidrText: string, reason: string, actor: AuditActor, now: Date): Promise<{ id: string; added: boolean }> {
  const cidr = canonicalCidr(cidrText);
  const ref = neverBlockRef(db, cidr);
  const added = await db.runTransaction(async (tx) => {
    const existing = (await tx.get(ref)).data();
    tx.set(ref, { cidr, reason, addedBy: existing?.addedBy ?? actor, createdAt: existing?.createdAt ?? Timestamp.fromDate(now) });
    tx.create(
      auditLogCollection(db).doc(),
      auditEntry({ action: 'never_block.add', actor, target: { collection: COLLECTIONS.neverBlock, id: ref.id }, changes: { cidr, reason }, at: now }),
    );
    return existing === undefined;
  });
  return { id: ref.id, added };
}

/** Removes an entry; false when there was none. */
export async function removeNeverBlock(db: Firestore, cidrText: string, actor: AuditActor, now: Date): Promise<boolean> {
  const cidr = canonicalCidr(cidrText);
  const ref = neverBlockRef(db, cidr);
  return db.runTransaction(async (tx) => {
    const existing = (await tx.get(ref)).data();
    if (!existing) return false;
    tx.delete(ref);
    tx.create(
      auditLogCollection(db).doc(),
      auditEntry({ action: 'never_block.remove', actor, target: { collection: COLLECTIONS.neverBlock, id: ref.id }, changes: { cidr, reason: existing.reason }, at: now }),
    );
    return true;
  });
}
