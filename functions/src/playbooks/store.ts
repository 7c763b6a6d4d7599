import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { allPlaybooksQuery } from '../firestore/queries';
import { COLLECTIONS, playbookRef } from '../firestore/refs';
import { PlaybookDocSchema, type PlaybookDoc } from '../firestore/schema';
import * as log from '../logs';
import { BUILTIN_PLAYBOOKS } from './builtins';
import { PlaybookSchema, type Playbook } from '../domain/playbook';
import type { PlaybookSource } from './deps';

// playbooks/{id}: seeding the built-ins and reading the catalog.
//
// Seeding happens lazily, once per function instance, before the first use of the catalog (an
// alert trigger, a manual execution, the API listing playbooks): one transaction per built-in
// writes it when it is missing or stored with a lower version. That works the same on the
// emulator (a fresh Firestore on every start) and in production (the first instance after a
// deploy upgrades the stored definitions) with no deploy hook, and costs one read per built-in
// per cold start. (onInit would run it too, but firebase-functions keeps a single onInit callback
// for the whole codebase, and a deploy script would not run on the emulator.)

export type SeedOutcome = 'created' | 'upgraded' | 'unchanged' | 'kept_newer';

/** Writes each built-in whose stored version is missing or older; never downgrades. */
export async function seedBuiltinPlaybooks(
  db: Firestore,
  now: Date,
  builtins: readonly Playbook[] = BUILTIN_PLAYBOOKS,
): Promise<{ id: string; version: number; outcome: SeedOutcome }[]> {
  return Promise.all(
    builtins.map(async (playbook) => {
      const outcome = await db.runTransaction(async (tx): Promise<SeedOutcome> => {
        // Read without the converter: a stored document that no longer validates is replaced.
        const snapshot = await tx.get(db.collection(COLLECTIONS.playbooks).doc(playbook.id));
        const stored = snapshot.exists ? Number(snapshot.get('version')) : undefined;
        if (stored !== undefined && Number.isInteger(stored)) {
          if (stored === playbook.version) return 'unchanged';
          if (stored > playbook.version) return 'kept_newer';
        }
        const doc: PlaybookDoc = { ...playbook, source: 'builtin', updatedAt: Timestamp.fromDate(now) };
        tx.set(playbookRef(db, playbook.id), doc);
        return snapshot.exists ? 'upgraded' : 'created';
      });
      if (outcome === 'created' || outcome === 'upgraded') log.playbookSeeded(playbook.id, playbook.version, outcome);
      return { id: playbook.id, version: playbook.version, outcome };
    }),
  );
}

function toPlaybook(doc: PlaybookDoc): Playbook {
  const { source: _source, updatedAt: _updatedAt, ...definition } = doc;
  return PlaybookSchema.parse(definition);
}

export interface CatalogOptions {
  /** How long the list of playbooks is reused before it is read again. */
  maxAgeMs?: number;
  builtins?: readonly Playbook[];
}

/**
 * The playbooks, seeded once and cached briefly. One instance per function instance (the trigger
 * files create it at module scope); tests create their own.
 */
export class PlaybookCatalog implements PlaybookSource {
  private seeding: Promise<void> | undefined;
  private cached: { at: number; playbooks: Playbook[] } | undefined;
  private readonly maxAgeMs: number;
  private readonly builtins: readonly Playbook[];

  constructor(options: CatalogOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 30_000;
    this.builtins = options.builtins ?? BUILTIN_PLAYBOOKS;
  }

  /** Seeds the built-ins once per catalog; a failure is retried by the next call. */
  ensureSeeded(db: Firestore, now: Date): Promise<void> {
    this.seeding ??= seedBuiltinPlaybooks(db, now, this.builtins).then(
      () => undefined,
      (error: unknown) => {
        this.seeding = undefined;
        throw error;
      },
    );
    return this.seeding;
  }

  /** Every valid stored playbook (an invalid document is logged and left out, not fatal). */
  async list(db: Firestore, now: Date): Promise<Playbook[]> {
    await this.ensureSeeded(db, now);
    if (this.cached && now.getTime() - this.cached.at < this.maxAgeMs) return this.cached.playbooks;
    const snapshot = await allPlaybooksQuery(db).withConverter(null).get();
    const playbooks: Playbook[] = [];
    for (const doc of snapshot.docs) {
      const parsed = PlaybookDocSchema.safeParse(doc.data());
      if (parsed.success) playbooks.push(toPlaybook(parsed.data));
      else log.playbookInvalid(doc.id, parsed.error.issues.map((issue) => issue.message).join('; '));
    }
    playbooks.sort((a, b) => a.id.localeCompare(b.id));
    this.cached = { at: now.getTime(), playbooks };
    return playbooks;
  }

  /** One playbook, read fresh (a manual run follows the stored definition of the moment). */
  async get(db: Firestore, playbookId: string, now: Date): Promise<Playbook | undefined> {
    await this.ensureSeeded(db, now);
    const doc = (await playbookRef(db, playbookId).get()).data();
    return doc ? toPlaybook(doc) : undefined;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
