import { describe, expect, it } from 'vitest';
import { coverageMatrix, TACTICS } from './coverage';
import { BUILT_IN_RULES } from './pack';

describe('coverageMatrix', () => {
  const rules = BUILT_IN_RULES.map((rule) => ({ rule, source: 'builtin' as const }));
  const matrix = coverageMatrix(rules);

  it('lists the tactics in ATT&CK order, each with its current techniques and sub-techniques', () => {
    expect(matrix.tactics.map((tactic) => tactic.id)).toEqual(TACTICS.map((tactic) => tactic.id));
    const credential = matrix.tactics.find((tactic) => tactic.id === 'credential-access')!;
    expect(credential.techniques.find((technique) => technique.id === 'T1110.001')).toMatchObject({ name: 'Password Guessing', parent: 'T1110' });
    expect(credential.total).toBe(credential.techniques.length);
  });

  it('puts each enabled rule under every technique it names, and counts the covered ones', () => {
    const credential = matrix.tactics.find((tactic) => tactic.id === 'credential-access')!;
    const bruteForce = credential.techniques.find((technique) => technique.id === 'T1110')!;
    expect(bruteForce.rules.map((rule) => rule.id)).toEqual(expect.arrayContaining(['ssh-brute-force', 'password-spraying']));
    expect(credential.covered).toBe(credential.techniques.filter((technique) => technique.rules.length > 0).length);
    expect(credential.covered).toBeGreaterThan(0);
  });

  it('names rules without techniques, and covers nothing for no rules', () => {
    const info = { ...BUILT_IN_RULES[0]!, id: 'info-only', techniques: [] };
    expect(coverageMatrix([{ rule: info, source: 'declarative' }]).rulesWithoutTechniques).toEqual(['info-only']);
    expect(coverageMatrix([]).tactics.every((tactic) => tactic.covered === 0)).toBe(true);
  });
});
