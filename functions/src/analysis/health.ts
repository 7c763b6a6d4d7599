import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { z } from 'zod';
import { TimestampSchema } from '../firestore/schema';
import type { ModelHealth } from './gemini-client';

// Gemini's health as other functions (the API's /health) can see it. A circuit breaker lives in
// one instance of the analysis function; when one opens or closes, that instance records it here
// (a write per transition, not per call), and a reader elsewhere combines it with whether Gemini
// is configured at all.

export const SERVICE_HEALTH_COLLECTION = 'serviceHealth';
export const GEMINI_HEALTH_ID = 'gemini';

/** serviceHealth/gemini: the last breaker transition seen by any analysis instance. */
export const ServiceHealthDocSchema = z.object({
  state: z.enum(['degraded', 'ok']),
  /** While degraded: when the instance will probe Gemini again. */
  until: TimestampSchema.nullable(),
  at: TimestampSchema,
});
export type ServiceHealthDoc = z.infer<typeof ServiceHealthDocSchema>;

function healthRef(db: Firestore) {
  return db.collection(SERVICE_HEALTH_COLLECTION).doc(GEMINI_HEALTH_ID);
}

/** Records a breaker transition (from the breaker's onChange). */
export async function recordBreakerChange(db: Firestore, state: 'open' | 'closed', until: number | undefined, now = Date.now()): Promise<void> {
  const doc: ServiceHealthDoc = {
    state: state === 'open' ? 'degraded' : 'ok',
    until: state === 'open' && until !== undefined ? Timestamp.fromMillis(until) : null,
    at: Timestamp.fromMillis(now),
  };
  await healthRef(db).set(doc);
}

/**
 * Gemini's health for a function other than the analysis function: `configured` is that
 * function's own view (it must bind the GEMINI_API_KEY secret, or use Vertex AI), the breaker
 * state comes from serviceHealth/gemini. A degraded record stops counting once its instance
 * would have probed again and not said so (a minute of grace).
 */
export async function readGeminiHealth(db: Firestore, configured: boolean, now = Date.now()): Promise<ModelHealth> {
  if (!configured) return 'not_configured';
  const snapshot = await healthRef(db).get();
  const parsed = ServiceHealthDocSchema.safeParse(snapshot.data());
  if (!parsed.success || parsed.data.state !== 'degraded') return 'configured';
  const until = parsed.data.until?.toMillis() ?? parsed.data.at.toMillis();
  return now < until + 60_000 ? 'degraded' : 'configured';
}
