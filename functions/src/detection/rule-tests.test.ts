import { describe, expect, it } from 'vitest';
import { BUILT_IN_PACK } from './pack';
import { lintPack, runRuleCases } from './rule-tests';

// `npm run rules:test` runs the same cases from the command line; here they fail CI on a miss.
describe('built-in pack', () => {
  const results = runRuleCases(BUILT_IN_PACK);

  it.each(results.map((r) => [`${r.ruleId}: ${r.caseName}`, r] as const))('%s', (_name, result) => {
    expect(result.problem).toBeUndefined();
    expect(result.ok).toBe(true);
  });

  it('passes the rule lint (ATT&CK ids, severities, descriptions, cases both ways)', () => {
    expect(lintPack(BUILT_IN_PACK)).toEqual([]);
  });

  it('has every case run', () => {
    expect(results.length).toBe(BUILT_IN_PACK.reduce((n, entry) => n + entry.cases.length, 0));
    expect(results.length).toBeGreaterThan(40);
  });
});
