import { FieldPath, type Firestore, type Transaction } from 'firebase-admin/firestore';
import { logger } from 'firebase-functions';
import { auditEntry } from '../firestore/audit';
import {
  auditLogCollection,
  COLLECTIONS,
  detectionExceptionRef,
  detectionExceptionsCollection,
  detectionRuleRef,
  detectionRulesCollection,
  detectionRuleVersionRef,
  detectionRuleVersionsCollection,
} from '../firestore/refs';
import type { AuditActor } from '../firestore/schema';
import {
  DetectionExceptionDocSchema,
  DetectionRuleDocSchema,
  ENVIRONMENTS,
  type DetectionExceptionDoc,
  type DetectionRuleDoc,
  type Environment,
} from './catalog';
import {
  builtinOverrideDoc,
  changedRuleDoc,
  expiredExceptionDoc,
  newExceptionDoc,
  newRuleDoc,
  type CompiledRuleText,
  type ExceptionInput,
  type RuleChange,
} from './catalog-changes';
import { compileException, type CompiledException } from './exceptions';
import { BUILT_IN_RULES } from './pack';
import type { DetectionRule } from './rule';

// detectionRules/{id} and detectionExceptions/{id}: the one module that reads the catalog for the
// runtime and (below readCatalog) writes every change to it, each in a transaction with its audit
// entry. Built-in rules live in code; a stored `builtin` document overrides one of them.

/** Most rule documents read: a whole SigmaHQ Windows set is about 2,500. */
export const MAX_CATALOG_RULES = 10_000;
/** Most unexpired exceptions read: exceptions are for known noise, a few hundred at most. */
export const MAX_ACTIVE_EXCEPTIONS = 2_000;

export interface Catalog {
  rules: DetectionRule[];
  exceptions: CompiledException[];
}

/**
 * The rules and exceptions that run in `environment` now: the built-in pack, with each `builtin`
 * document's override applied (disabled there, or its changed rule), plus the `declarative` and
 * `sigma` rules enabled there; and the unexpired exceptions, compiled. A malformed document is
 * logged and skipped, so one bad write cannot stop every rule.
 */
export async function readCatalog(db: Firestore, environment: Environment, now: Date = new Date()): Promise<Catalog> {
  const { docs, exceptions } = await readCatalogDocs(db, environment, now);
  return { rules: catalogRules(docs, environment), exceptions };
}

async function readCatalogDocs(db: Firestore, environment: Environment, now: Date): Promise<{ docs: Map<string, DetectionRuleDoc>; exceptions: CompiledException[] }> {
  // Only what can matter here: documents enabled in this environment, and every built-in
  // override (one that leaves this environment out disables the built-in rule). Rules imported
  // for other environments are not read at all.
  const rules = db.collection(COLLECTIONS.detectionRules);
  const [enabledSnapshot, overrideSnapshot, exceptionSnapshot] = await Promise.all([
    rules.where('enabledIn', 'array-contains', environment).limit(MAX_CATALOG_RULES).get(),
    rules.where('source', '==', 'builtin').limit(MAX_CATALOG_RULES).get(),
    db.collection(COLLECTIONS.detectionExceptions).where('expiresAt', '>', now.toISOString()).limit(MAX_ACTIVE_EXCEPTIONS).get(),
  ]);
  const docs = new Map<string, DetectionRuleDoc>();
  const seen = new Set<string>();
  for (const snapshot of [...enabledSnapshot.docs, ...overrideSnapshot.docs]) {
    if (seen.has(snapshot.id)) continue;
    seen.add(snapshot.id);
    const parsed = DetectionRuleDocSchema.safeParse(snapshot.data());
    if (parsed.success) docs.set(snapshot.id, parsed.data);
    else logger.error('detection.catalog_invalid', { collection: COLLECTIONS.detectionRules, id: snapshot.id, reason: parsed.error.message.slice(0, 500) });
  }
  const exceptions: CompiledException[] = [];
  for (const snapshot of exceptionSnapshot.docs) {
    const parsed = DetectionExceptionDocSchema.safeParse(snapshot.data());
    if (parsed.success) exceptions.push(compileException(snapshot.id, parsed.data));
    else logger.error('detection.catalog_invalid', { collection: COLLECTIONS.detectionExceptions, id: snapshot.id, reason: parsed.error.message.slice(0, 500) });
  }
  return { docs, exceptions };
}

/** The rules that run in `environment`, given the stored documents by id (pure; see readCatalog). */
export function catalogRules(docs: ReadonlyMap<string, DetectionRuleDoc>, environment: Environment): DetectionRule[] {
  const rules: DetectionRule[] = [];
  const builtinIds = new Set<string>();
  for (const builtin of BUILT_IN_RULES) {
    builtinIds.add(builtin.id);
    const override = docs.get(builtin.id);
    if (override === undefined || override.source !== 'builtin') {
      if (builtin.enabled) rules.push(builtin);
      continue;
    }
    if (!override.enabledIn.includes(environment)) continue;
    // An override without text only enables/disables: the rule is the deployed code's, so a
    // deploy that improves the built-in rule still takes effect.
    const rule = override.text === undefined ? builtin : override.rule;
    if (rule.enabled) rules.push(rule);
  }
  for (const [id, doc] of docs) {
    if (doc.source === 'builtin' || !doc.enabledIn.includes(environment) || !doc.rule.enabled) continue;
    if (builtinIds.has(id) || doc.rule.id !== id) {
      logger.error('detection.catalog_invalid', { collection: COLLECTIONS.detectionRules, id, reason: 'a stored rule whose id is a built-in rule\'s or differs from its document id' });
      continue;
    }
    rules.push(doc.rule);
  }
  return rules;
}

// ---- changes: each in one transaction with its auditLog entry ----

/** Why a change was refused; the API maps `kind` to 400/404/409. */
export class CatalogRefusal extends Error {
  constructor(
    readonly kind: 'invalid' | 'not_found' | 'exists',
    readonly reasons: string[],
  ) {
    super(reasons.join('; '));
    this.name = 'CatalogRefusal';
  }
}

/** The actor of `npm run sigma -- import`. */
export const SIGMA_IMPORT_ACTOR: AuditActor = { type: 'system', id: 'sigma-import' };

/** What `updatedBy`/`createdBy` records for an actor: the e-mail, else the uid or tool name. */
export function actorName(actor: AuditActor): string {
  return actor.email ?? actor.id;
}

const BUILT_IN_BY_ID: ReadonlyMap<string, DetectionRule> = new Map(BUILT_IN_RULES.map((rule) => [rule.id, rule]));

export function builtInRule(id: string): DetectionRule | undefined {
  return BUILT_IN_BY_ID.get(id);
}

function ruleAudit(db: Firestore, tx: Transaction, action: string, actor: AuditActor, id: string, before: DetectionRuleDoc | undefined, after: DetectionRuleDoc, now: Date): void {
  tx.create(
    auditLogCollection(db).doc(),
    auditEntry({
      action,
      actor,
      target: { collection: COLLECTIONS.detectionRules, id },
      changes: {
        version: { before: before?.version ?? null, after: after.version },
        enabledIn: { before: before?.enabledIn ?? null, after: after.enabledIn },
        ruleChanged: before === undefined || JSON.stringify({ ...before.rule, version: 0 }) !== JSON.stringify({ ...after.rule, version: 0 }),
        source: after.source,
      },
      at: now,
    }),
  );
}

/** Stores a new declarative or Sigma rule (version 1); `exists` when the id is taken, built-in ids included. */
export async function createRule(db: Firestore, compiled: CompiledRuleText, text: string | undefined, enabledIn: readonly Environment[], actor: AuditActor, now: Date): Promise<DetectionRuleDoc> {
  const id = compiled.rule.id;
  if (BUILT_IN_BY_ID.has(id)) throw new CatalogRefusal('exists', [`${id} is a built-in rule; change it with PUT /api/detection-rules/${id}`]);
  const ref = detectionRuleRef(db, id);
  return db.runTransaction(async (tx) => {
    if ((await tx.get(ref)).exists) throw new CatalogRefusal('exists', [`rule ${id} exists; change it with PUT /api/detection-rules/${id}`]);
    const doc = newRuleDoc(compiled, text, enabledIn, actorName(actor), now);
    tx.create(ref, doc);
    ruleAudit(db, tx, 'detection_rule.create', actor, id, undefined, doc, now);
    return doc;
  });
}

/**
 * A new version of a stored rule (the previous one kept at `versions/{n}`), or of a built-in
 * rule's override document (created on its first change; built-in rules change `enabledIn` only).
 * `changed: false` when nothing differs: no write, no audit entry, same version.
 */
export async function changeRule(db: Firestore, id: string, change: RuleChange, actor: AuditActor, now: Date, action = 'detection_rule.change'): Promise<{ doc: DetectionRuleDoc; changed: boolean }> {
  const builtin = BUILT_IN_BY_ID.get(id);
  if (change.compiled !== undefined && change.compiled.rule.id !== id) {
    throw new CatalogRefusal('invalid', [`id: the text's rule id "${change.compiled.rule.id}" is not ${id}`]);
  }
  if (builtin !== undefined && (change.compiled !== undefined || change.text !== undefined)) {
    throw new CatalogRefusal('invalid', [`text: ${id} is a built-in rule (TypeScript): only enabledIn can change`]);
  }
  const ref = detectionRuleRef(db, id);
  return db.runTransaction(async (tx) => {
    const previous = (await tx.get(ref)).data();
    if (previous === undefined) {
      if (builtin === undefined) throw new CatalogRefusal('not_found', [`no detection rule ${id}`]);
      const doc = builtinOverrideDoc(builtin, change.enabledIn ?? [...ENVIRONMENTS], actorName(actor), now);
      tx.create(ref, doc);
      ruleAudit(db, tx, action, actor, id, undefined, doc, now);
      return { doc, changed: true };
    }
    if (change.compiled !== undefined && change.compiled.source !== previous.source) {
      throw new CatalogRefusal('invalid', [`format: ${id} is a ${previous.source} rule, the text is ${change.compiled.source}`]);
    }
    const { doc, changed } = changedRuleDoc(previous, change, actorName(actor), now);
    if (!changed) return { doc, changed };
    tx.set(detectionRuleVersionRef(db, id, previous.version), previous);
    tx.set(ref, doc);
    ruleAudit(db, tx, action, actor, id, previous, doc, now);
    return { doc, changed };
  });
}

/**
 * `npm run sigma -- import`: loads one compiled Sigma rule through the same transitions. A new rule
 * is enabled in `environments`; a stored one keeps its environments plus these (an import never
 * disables what an admin enabled), and an unchanged re-import keeps its version.
 */
export async function importSigmaRule(db: Firestore, compiled: CompiledRuleText, text: string | undefined, environments: readonly Environment[], now: Date): Promise<{ doc: DetectionRuleDoc; outcome: 'created' | 'changed' | 'unchanged' }> {
  const id = compiled.rule.id;
  const ref = detectionRuleRef(db, id);
  const existing = (await ref.get()).data();
  if (existing === undefined) {
    try {
      return { doc: await createRule(db, compiled, text, environments, SIGMA_IMPORT_ACTOR, now), outcome: 'created' };
    } catch (error) {
      // Created by a concurrent import between the read and the transaction: change it instead.
      if (!(error instanceof CatalogRefusal && error.kind === 'exists' && !BUILT_IN_BY_ID.has(id))) throw error;
    }
  }
  const enabledIn = [...new Set([...(existing?.enabledIn ?? []), ...environments])];
  const result = await changeRule(db, id, { compiled, ...(text !== undefined ? { text } : {}), enabledIn }, SIGMA_IMPORT_ACTOR, now, 'detection_rule.import');
  return { doc: result.doc, outcome: result.changed ? 'changed' : 'unchanged' };
}

// ---- exceptions ----

function exceptionAudit(db: Firestore, tx: Transaction, action: string, actor: AuditActor, id: string, changes: Record<string, unknown>, now: Date): void {
  tx.create(auditLogCollection(db).doc(), auditEntry({ action, actor, target: { collection: COLLECTIONS.detectionExceptions, id }, changes, at: now }));
}

/** Stores a new exception for a known rule (built-in or stored) or `*`; every reason when refused. */
export async function createException(db: Firestore, input: ExceptionInput, actor: AuditActor, now: Date): Promise<{ id: string; doc: DetectionExceptionDoc }> {
  const built = newExceptionDoc(input, actorName(actor), now);
  if (!built.ok) throw new CatalogRefusal('invalid', built.errors);
  if (input.ruleId !== '*' && !BUILT_IN_BY_ID.has(input.ruleId) && !(await detectionRuleRef(db, input.ruleId).get()).exists) {
    throw new CatalogRefusal('invalid', [`ruleId: no detection rule ${input.ruleId} (use * for every rule)`]);
  }
  const ref = detectionExceptionsCollection(db).doc();
  await db.runTransaction(async (tx) => {
    tx.create(ref, built.doc);
    exceptionAudit(db, tx, 'detection_exception.create', actor, ref.id, { ruleId: built.doc.ruleId, match: built.doc.match, reason: built.doc.reason, owner: built.doc.owner, expiresAt: built.doc.expiresAt }, now);
  });
  return { id: ref.id, doc: built.doc };
}

/** Ends an exception now (kept, with its hits); `changed: false` when it had already expired. */
export async function expireException(db: Firestore, id: string, actor: AuditActor, now: Date): Promise<{ doc: DetectionExceptionDoc; changed: boolean }> {
  const ref = detectionExceptionRef(db, id);
  return db.runTransaction(async (tx) => {
    const previous = (await tx.get(ref)).data();
    if (previous === undefined) throw new CatalogRefusal('not_found', [`no detection exception ${id}`]);
    const { doc, changed } = expiredExceptionDoc(previous, now);
    if (!changed) return { doc, changed };
    tx.update(ref, { expiresAt: doc.expiresAt, ...(doc.expireAt !== undefined ? { expireAt: doc.expireAt } : {}) });
    exceptionAudit(db, tx, 'detection_exception.expire', actor, id, { expiresAt: { before: previous.expiresAt, after: doc.expiresAt }, hits: previous.hits }, now);
    return { doc, changed };
  });
}

/** Deletes an exception (the audit entry keeps what it was); false when there was none. */
export async function deleteException(db: Firestore, id: string, actor: AuditActor, now: Date): Promise<boolean> {
  const ref = detectionExceptionRef(db, id);
  return db.runTransaction(async (tx) => {
    const previous = (await tx.get(ref)).data();
    if (previous === undefined) return false;
    tx.delete(ref);
    exceptionAudit(db, tx, 'detection_exception.delete', actor, id, { before: previous }, now);
    return true;
  });
}

// ---- reads for the API ----

/** Most exceptions listed (active and expired, newest first). */
export const MAX_LISTED_EXCEPTIONS = 500;

export interface ListedRule {
  id: string;
  rule: DetectionRule;
  source: DetectionRuleDoc['source'];
  /** Undefined for a built-in rule without an override document: enabled everywhere. */
  doc?: DetectionRuleDoc;
}

function listed(id: string, doc: DetectionRuleDoc | undefined): ListedRule | undefined {
  const builtin = BUILT_IN_BY_ID.get(id);
  if (builtin !== undefined) {
    return doc?.source === 'builtin' ? { id, rule: doc.text === undefined ? builtin : doc.rule, source: 'builtin', doc } : { id, rule: builtin, source: 'builtin' };
  }
  return doc === undefined ? undefined : { id, rule: doc.rule, source: doc.source, doc };
}

/**
 * A page of every rule, built-in (with its override, if any) and stored, ordered by id (as
 * Firestore orders document ids: code units, not locale); `nextCursor` is the last id sent.
 */
export async function listRulesPage(db: Firestore, limit: number, cursor?: string): Promise<{ rules: ListedRule[]; nextCursor: string | null }> {
  let query = detectionRulesCollection(db).orderBy(FieldPath.documentId()).limit(limit + 1);
  if (cursor !== undefined) query = query.startAfter(cursor);
  const snapshot = await query.get();
  const more = snapshot.docs.length > limit;
  const docs = snapshot.docs.slice(0, limit);
  // Built-in rules without a document sort among the documents: those up to the last document
  // read belong to this page (all the rest, when no document is left).
  const upper = more ? docs[docs.length - 1]!.id : undefined;
  const byId = new Map<string, ListedRule>();
  for (const doc of docs) {
    const entry = listed(doc.id, doc.data());
    if (entry !== undefined) byId.set(doc.id, entry);
  }
  for (const rule of BUILT_IN_RULES) {
    if ((cursor !== undefined && rule.id <= cursor) || (upper !== undefined && rule.id > upper) || byId.has(rule.id)) continue;
    byId.set(rule.id, listed(rule.id, undefined)!);
  }
  const sorted = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const page = sorted.slice(0, limit);
  return { rules: page, nextCursor: more || sorted.length > limit ? page[page.length - 1]!.id : null };
}

/** One rule and its earlier versions (newest first); undefined when unknown. */
export async function getRule(db: Firestore, id: string): Promise<(ListedRule & { versions: DetectionRuleDoc[] }) | undefined> {
  const [snapshot, versions] = await Promise.all([
    detectionRuleRef(db, id).get(),
    detectionRuleVersionsCollection(db, id).orderBy('version', 'desc').limit(100).get(),
  ]);
  const entry = listed(id, snapshot.data());
  return entry === undefined ? undefined : { ...entry, versions: versions.docs.map((version) => version.data()) };
}

export async function listExceptions(db: Firestore): Promise<{ id: string; doc: DetectionExceptionDoc }[]> {
  const snapshot = await detectionExceptionsCollection(db).orderBy('createdAt', 'desc').limit(MAX_LISTED_EXCEPTIONS).get();
  return snapshot.docs.map((doc) => ({ id: doc.id, doc: doc.data() }));
}

/** The rules that run in `environment`, with where each came from (the coverage matrix). */
export async function enabledRules(db: Firestore, environment: Environment): Promise<{ rule: DetectionRule; source: DetectionRuleDoc['source'] }[]> {
  const { docs } = await readCatalogDocs(db, environment, new Date());
  return catalogRules(docs, environment).map((rule) => ({ rule, source: docs.get(rule.id)?.source ?? 'builtin' }));
}
