import attack from './attack/enterprise-techniques.json';
import type { RuleSource } from './catalog';
import { ATTACK_RELEASE } from './lint';
import type { DetectionRule, Severity } from './rule';

// The ATT&CK coverage matrix: for each tactic (in ATT&CK's own order), its current techniques and
// sub-techniques, each with the enabled rules that name it. Pure; the API route reads the rules.

/** Enterprise tactics in the order ATT&CK presents them (kill-chain phase order). */
export const TACTICS: readonly { id: string; name: string }[] = [
  { id: 'reconnaissance', name: 'Reconnaissance' },
  { id: 'resource-development', name: 'Resource Development' },
  { id: 'initial-access', name: 'Initial Access' },
  { id: 'execution', name: 'Execution' },
  { id: 'persistence', name: 'Persistence' },
  { id: 'privilege-escalation', name: 'Privilege Escalation' },
  { id: 'defense-evasion', name: 'Defense Evasion' },
  { id: 'credential-access', name: 'Credential Access' },
  { id: 'discovery', name: 'Discovery' },
  { id: 'lateral-movement', name: 'Lateral Movement' },
  { id: 'collection', name: 'Collection' },
  { id: 'command-and-control', name: 'Command and Control' },
  { id: 'exfiltration', name: 'Exfiltration' },
  { id: 'impact', name: 'Impact' },
];

type TechniqueRow = [id: string, name: string, tactics: string[], status: string];

export interface CoverageRule {
  id: string;
  title: string;
  severity: Severity;
  source: RuleSource;
}

export interface Coverage {
  attackRelease: string;
  tactics: {
    id: string;
    name: string;
    techniques: { id: string; name: string; parent: string | null; rules: CoverageRule[] }[];
    covered: number;
    total: number;
  }[];
  rulesWithoutTechniques: string[];
}

export function coverageMatrix(rules: readonly { rule: DetectionRule; source: RuleSource }[]): Coverage {
  const byTechnique = new Map<string, CoverageRule[]>();
  const rulesWithoutTechniques: string[] = [];
  for (const { rule, source } of rules) {
    if (rule.techniques.length === 0) rulesWithoutTechniques.push(rule.id);
    for (const id of new Set(rule.techniques)) {
      const list = byTechnique.get(id) ?? [];
      list.push({ id: rule.id, title: rule.title, severity: rule.severity, source });
      byTechnique.set(id, list);
    }
  }
  const current = (attack.techniques as TechniqueRow[]).filter((row) => row[3] === '').sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const tactics = TACTICS.map((tactic) => {
    const techniques = current
      .filter((row) => row[2].includes(tactic.id))
      .map(([id, name]) => ({ id, name, parent: id.includes('.') ? id.split('.')[0]! : null, rules: byTechnique.get(id) ?? [] }));
    return { ...tactic, techniques, covered: techniques.filter((technique) => technique.rules.length > 0).length, total: techniques.length };
  });
  return { attackRelease: ATTACK_RELEASE, tactics, rulesWithoutTechniques: rulesWithoutTechniques.sort() };
}
