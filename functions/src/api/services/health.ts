import type { Firestore } from 'firebase-admin/firestore';
import type { Topic } from '@google-cloud/pubsub';
import * as log from '../../logs';
import type { HealthProbes } from '../deps';
import type { ServiceState } from '../schemas';

/** Each probe's budget: health must answer fast even when a dependency hangs. */
export const PROBE_TIMEOUT_MS = 1_500;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function probe(service: string, check: () => Promise<ServiceState>): Promise<ServiceState> {
  try {
    return await withTimeout(check(), PROBE_TIMEOUT_MS, service);
  } catch (error) {
    log.healthCheckFailed(service, (error as Error).message);
    return 'degraded';
  }
}

export interface HealthProbeDeps {
  db: Firestore;
  topic: Topic;
  /** The bridge's readiness URL; empty when no bridge is configured. */
  bridgeHealthUrl: string;
  /** The Gemini module's own view of itself (configured, not configured, breaker open). */
  gemini: () => ServiceState | Promise<ServiceState>;
  fetch?: typeof fetch;
}

export function healthProbes(deps: HealthProbeDeps): HealthProbes {
  const fetchImpl = deps.fetch ?? fetch;
  return {
    // One document read (of a document that need not exist): proves Firestore answers.
    firestore: () =>
      probe('firestore', async () => {
        await deps.db.collection('health').doc('probe').get();
        return 'reachable';
      }),
    // The topic ingest listens to must exist, or simulated and bridged events go nowhere.
    pubsub: () =>
      probe('pubsub', async () => {
        const [exists] = await deps.topic.exists();
        if (!exists) throw new Error(`topic ${deps.topic.name} does not exist`);
        return 'reachable';
      }),
    kafka: () =>
      deps.bridgeHealthUrl === ''
        ? Promise.resolve('not_configured')
        : probe('kafka', async () => {
            const response = await fetchImpl(deps.bridgeHealthUrl, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
            await response.body?.cancel();
            if (!response.ok) throw new Error(`bridge readiness answered ${response.status}`);
            return 'reachable';
          }),
    gemini: () => probe('gemini', async () => deps.gemini()),
  };
}

/** How long one probe's answer is reused: /api/health is public, its probes are remote calls. */
export const HEALTH_CACHE_MS = 5_000;

/**
 * The probes, each answer reused for `ttlMs` and shared by concurrent callers (one probe in
 * flight at a time), so a flood of /api/health costs each dependency at most one call per
 * `ttlMs` per instance.
 */
export function cachedHealthProbes(probes: HealthProbes, ttlMs: number, now: () => number = Date.now): HealthProbes {
  const cache = <K extends keyof HealthProbes>(name: K): HealthProbes[K] => {
    let entry: { at: number; answer: Promise<ServiceState> } | undefined;
    return (() => {
      const at = now();
      if (!entry || at - entry.at >= ttlMs) entry = { at, answer: probes[name]() };
      return entry.answer;
    }) as HealthProbes[K];
  };
  return { firestore: cache('firestore'), pubsub: cache('pubsub'), kafka: cache('kafka'), gemini: cache('gemini') };
}
