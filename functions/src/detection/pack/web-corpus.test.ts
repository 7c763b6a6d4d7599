import { describe, expect, it } from 'vitest';
import { BUILT_IN_RULES } from '.';
import { measureWebCorpus } from './web-corpus';

// Floors at what the rules reach today (bench/web-attack-corpus.ts prints the rates): a pattern
// change that loses detections, or starts flagging the near misses, fails here.
const FLOORS: Record<string, { detected: number; flaggedNearMisses: number }> = {
  sql_injection: { detected: 0.75, flaggedNearMisses: 0.15 },
  xss: { detected: 0.55, flaggedNearMisses: 0.25 },
  path_traversal: { detected: 0.5, flaggedNearMisses: 0.05 },
  command_injection: { detected: 0.45, flaggedNearMisses: 0.1 },
};

describe('web attack rules on the OWASP CRS regression corpus', () => {
  const rates = measureWebCorpus(BUILT_IN_RULES);
  it.each(rates.map((r) => [r.category, r] as const))('%s', (category, r) => {
    expect(r.attacks).toBeGreaterThan(10);
    expect(r.detectedByAnyRule / r.attacks).toBeGreaterThanOrEqual(FLOORS[category]!.detected);
    expect(r.nearMissesFlagged / r.nearMisses).toBeLessThanOrEqual(FLOORS[category]!.flaggedNearMisses);
  });
});
