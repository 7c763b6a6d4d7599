import {
  Timestamp,
  type DocumentReference,
  type Firestore,
  type FirestoreDataConverter,
  type QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import { z } from 'zod';
import { TimestampSchema } from '../firestore/schema';
import { ModelAnswerSchema } from './answer';
import type { CachedAnswer, ClaimResult, SharedAnswerStore } from './cache';

export const MODEL_CACHE_COLLECTION = 'modelCache';

/**
 * modelCache/{key}: the model's answer for one event signature, shared by all instances, or a
 * lease held by the instance asking the model right now. Written once or twice per signature
 * and TTL (never per event); expires through a Firestore TTL policy on expireAt.
 */
export const ModelCacheDocSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('pending'),
    leaseUntil: TimestampSchema,
    expireAt: TimestampSchema,
  }),
  z.object({
    state: z.literal('ready'),
    answer: ModelAnswerSchema,
    droppedTechniques: z.array(z.string()),
    model: z.string(),
    answeredAt: TimestampSchema,
    expireAt: TimestampSchema,
  }),
]);
export type ModelCacheDoc = z.infer<typeof ModelCacheDocSchema>;

const converter: FirestoreDataConverter<ModelCacheDoc> = {
  toFirestore: (value) => value,
  fromFirestore: (snapshot: QueryDocumentSnapshot) => ModelCacheDocSchema.parse(snapshot.data()),
};

export function modelCacheRef(db: Firestore, key: string): DocumentReference<ModelCacheDoc> {
  return db.collection(MODEL_CACHE_COLLECTION).withConverter(converter).doc(key);
}

function toEntry(key: string, doc: ModelCacheDoc | undefined, now: number): CachedAnswer | undefined {
  if (doc?.state !== 'ready' || doc.expireAt.toMillis() <= now) return undefined;
  return {
    key,
    answer: doc.answer,
    droppedTechniques: doc.droppedTechniques,
    model: doc.model,
    answeredAt: doc.answeredAt.toMillis(),
  };
}

export class FirestoreAnswerStore implements SharedAnswerStore {
  constructor(
    private readonly db: Firestore,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<CachedAnswer | undefined> {
    return toEntry(key, (await modelCacheRef(this.db, key).get()).data(), this.now());
  }

  async claim(key: string, leaseMs: number): Promise<ClaimResult> {
    const ref = modelCacheRef(this.db, key);
    // A plain read first: the common case during a flood is a ready entry, which needs no
    // transaction (and no lock on a hot document).
    const existing = toEntry(key, (await ref.get()).data(), this.now());
    if (existing) return { kind: 'hit', entry: existing };
    return this.db.runTransaction(async (tx) => {
      const doc = (await tx.get(ref)).data();
      const now = this.now();
      const entry = toEntry(key, doc, now);
      if (entry) return { kind: 'hit', entry } as const;
      if (doc?.state === 'pending' && doc.leaseUntil.toMillis() > now) return { kind: 'pending' } as const;
      const leaseUntil = Timestamp.fromMillis(now + leaseMs);
      tx.set(ref, { state: 'pending', leaseUntil, expireAt: leaseUntil });
      return { kind: 'owner' } as const;
    });
  }

  async put(key: string, entry: CachedAnswer, ttlMs: number): Promise<void> {
    await modelCacheRef(this.db, key).set({
      state: 'ready',
      answer: entry.answer,
      droppedTechniques: entry.droppedTechniques,
      model: entry.model,
      answeredAt: Timestamp.fromMillis(entry.answeredAt),
      expireAt: Timestamp.fromMillis(entry.answeredAt + ttlMs),
    });
  }

  async release(key: string): Promise<void> {
    const ref = modelCacheRef(this.db, key);
    await this.db.runTransaction(async (tx) => {
      const doc = (await tx.get(ref)).data();
      if (doc?.state === 'pending') tx.delete(ref);
    });
  }
}
