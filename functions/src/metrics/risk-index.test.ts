import { describe, expect, it } from 'vitest';
import { computeRiskIndex, REFERENCE_FLOOR, riskLevel, weighted, type SeverityCounts } from './risk-index';

const counts = (partial: Partial<SeverityCounts> = {}): SeverityCounts => ({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0, ...partial });
const minutes = (n: number, each: Partial<SeverityCounts>) => Array.from({ length: n }, () => counts(each));
const day = (perHour: Partial<SeverityCounts>) => Array.from({ length: 24 }, () => counts(perHour));

describe('computeRiskIndex', () => {
  it('a quiet estate is at 0, "low"', () => {
    expect(computeRiskIndex({ minutes: minutes(30, {}), baselineHours: day({}) })).toMatchObject({ index: 0, level: 'low', load: 0 });
  });

  it('weighs severities 25 / 10 / 3 / 1 / 0', () => {
    expect(weighted(counts({ CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 1, INFO: 100 }))).toBe(39);
  });

  it('reads a steady load equal to the baseline as 30, "guarded"', () => {
    // 60 HIGH per hour = 10 weighted points per minute, every minute, both now and over the day.
    const result = computeRiskIndex({ minutes: minutes(30, { HIGH: 1 }), baselineHours: day({ HIGH: 60 }) });
    expect(result.baseline).toBe(10);
    expect(result.load).toBeCloseTo(10, 6);
    expect(result.index).toBe(30);
    expect(result.level).toBe('guarded');
  });

  it.each([
    [2, 51],
    [3, 66],
    [5, 83],
    [10, 97],
  ])('a steady load of %i× the baseline reads %i', (multiple, index) => {
    const result = computeRiskIndex({ minutes: minutes(30, { HIGH: multiple }), baselineHours: day({ HIGH: 60 }) });
    expect(result.index).toBe(index);
  });

  it('compares a new or quiet estate with the floor, not with zero', () => {
    const result = computeRiskIndex({ minutes: [counts({ HIGH: 1 }), ...minutes(29, {})], baselineHours: day({}) });
    expect(result.reference).toBe(REFERENCE_FLOOR);
    expect(result.index).toBeGreaterThan(0);
    expect(result.index).toBeLessThan(25);
  });

  it('a burst of criticals on a quiet estate is "severe" at once', () => {
    const result = computeRiskIndex({ minutes: [counts({ CRITICAL: 20 }), ...minutes(29, {})], baselineHours: day({ LOW: 60 }) });
    expect(result.level).toBe('severe');
    expect(result.contributions[0]).toMatchObject({ severity: 'CRITICAL', weight: 25 });
  });

  it('decays: the same burst weighs less the longer ago it was (half-life 5 minutes)', () => {
    const burstAt = (k: number) => computeRiskIndex({ minutes: Array.from({ length: 30 }, (_, i) => counts(i === k ? { HIGH: 20 } : {})), baselineHours: day({}) });
    const now = burstAt(0);
    const fiveAgo = burstAt(5);
    expect(fiveAgo.load).toBeCloseTo(now.load / 2, 2);
    expect(burstAt(29).index).toBeLessThan(fiveAgo.index);
  });

  it('reports the raw counts of the window and the contributions, largest first, without the zero ones', () => {
    const result = computeRiskIndex({ minutes: minutes(30, { LOW: 10, HIGH: 1, INFO: 4 }), baselineHours: day({}) });
    expect(result.recent).toEqual({ CRITICAL: 0, HIGH: 30, MEDIUM: 0, LOW: 300, INFO: 120 });
    expect(result.contributions.map((c) => c.severity)).toEqual(['HIGH', 'LOW']);
  });

  it('never leaves 0..100', () => {
    const result = computeRiskIndex({ minutes: minutes(30, { CRITICAL: 1e6 }), baselineHours: day({}) });
    expect(result.index).toBe(100);
  });
});

describe('riskLevel', () => {
  it.each([
    [0, 'low'],
    [24, 'low'],
    [25, 'guarded'],
    [49, 'guarded'],
    [50, 'elevated'],
    [74, 'elevated'],
    [75, 'severe'],
    [100, 'severe'],
  ] as const)('%i → %s', (index, level) => {
    expect(riskLevel(index)).toBe(level);
  });
});
