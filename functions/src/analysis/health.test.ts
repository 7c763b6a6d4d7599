import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { readGeminiHealth, recordBreakerChange } from './health';

/** Just enough of Firestore for one document. */
function fakeDb() {
  let stored: unknown;
  const ref = { set: async (value: unknown) => void (stored = value), get: async () => ({ data: () => stored }) };
  return { db: { collection: () => ({ doc: () => ref }) } as unknown as Firestore, stored: () => stored };
}

describe('shared Gemini health', () => {
  it('is not_configured when this function has no key, whatever the record says', async () => {
    const { db } = fakeDb();
    await recordBreakerChange(db, 'open', 10_000, 0);
    expect(await readGeminiHealth(db, false, 1)).toBe('not_configured');
  });

  it('is configured when no breaker has ever opened', async () => {
    expect(await readGeminiHealth(fakeDb().db, true)).toBe('configured');
  });

  it('is degraded while an instance\'s breaker is open, and configured once it closes', async () => {
    const { db, stored } = fakeDb();
    await recordBreakerChange(db, 'open', 30_000, 0);
    expect(stored()).toMatchObject({ state: 'degraded', until: Timestamp.fromMillis(30_000) });
    expect(await readGeminiHealth(db, true, 10_000)).toBe('degraded');
    await recordBreakerChange(db, 'closed', undefined, 40_000);
    expect(await readGeminiHealth(db, true, 41_000)).toBe('configured');
  });

  it('stops believing a degraded record long after its probe was due', async () => {
    const { db } = fakeDb();
    await recordBreakerChange(db, 'open', 30_000, 0);
    expect(await readGeminiHealth(db, true, 89_999)).toBe('degraded');
    expect(await readGeminiHealth(db, true, 90_000)).toBe('configured');
  });
});
