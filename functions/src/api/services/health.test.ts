import { describe, expect, it } from 'vitest';
import type { HealthProbes } from '../deps';
import { cachedHealthProbes, HEALTH_CACHE_MS } from './health';

function countingProbes() {
  const calls = { firestore: 0, pubsub: 0, kafka: 0, gemini: 0 };
  const probes: HealthProbes = {
    firestore: async () => (calls.firestore++, 'reachable'),
    pubsub: async () => (calls.pubsub++, 'reachable'),
    kafka: async () => (calls.kafka++, 'not_configured'),
    gemini: async () => (calls.gemini++, 'degraded'),
  };
  return { calls, probes };
}

describe('cachedHealthProbes', () => {
  it('a flood of health checks costs each dependency one call per cache period', async () => {
    const { calls, probes } = countingProbes();
    let now = 1_000_000;
    const cached = cachedHealthProbes(probes, HEALTH_CACHE_MS, () => now);
    const flood = () => Promise.all(Array.from({ length: 200 }, () => Promise.all([cached.firestore(), cached.pubsub(), cached.kafka(), cached.gemini()])));
    const answers = await flood();
    expect(answers[199]).toEqual(['reachable', 'reachable', 'not_configured', 'degraded']);
    expect(calls).toEqual({ firestore: 1, pubsub: 1, kafka: 1, gemini: 1 });
    now += HEALTH_CACHE_MS - 1;
    await flood();
    expect(calls.firestore).toBe(1);
    now += 1;
    await flood();
    expect(calls).toEqual({ firestore: 2, pubsub: 2, kafka: 2, gemini: 2 });
  });

  it('caches only a few seconds, so an outage shows quickly', () => {
    expect(HEALTH_CACHE_MS).toBeGreaterThanOrEqual(1_000);
    expect(HEALTH_CACHE_MS).toBeLessThanOrEqual(10_000);
  });
});
