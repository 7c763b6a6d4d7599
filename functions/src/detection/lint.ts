import attack from './attack/enterprise-techniques.json';
import type { DetectionRule } from './rule';

type TechniqueRow = [id: string, name: string, tactics: string[], status: '' | 'deprecated' | 'revoked'];

/** The ATT&CK release the lint checks technique ids against (see attack/NOTICE). */
export const ATTACK_RELEASE: string = attack.release;
const TECHNIQUES: ReadonlyMap<string, TechniqueRow> = new Map((attack.techniques as TechniqueRow[]).map((row) => [row[0], row]));

export function attackTechnique(id: string): { id: string; name: string; tactics: string[]; status: string } | undefined {
  const row = TECHNIQUES.get(id);
  return row === undefined ? undefined : { id: row[0], name: row[1], tactics: row[2], status: row[3] };
}

export interface LintProblem {
  ruleId: string;
  problem: string;
}

/**
 * Checks what the schema cannot: technique ids exist and are current in ATT&CK (a sub-technique
 * without its parent is allowed), a rule that raises more than INFO names at least one, and the
 * description says more than the title.
 */
export function lintRule(rule: DetectionRule): LintProblem[] {
  const problems: string[] = [];
  for (const id of rule.techniques) {
    const technique = TECHNIQUES.get(id);
    if (technique === undefined) problems.push(`${id} is not a technique of ATT&CK ${ATTACK_RELEASE}`);
    else if (technique[3] !== '') problems.push(`${id} (${technique[1]}) is ${technique[3]} in ATT&CK ${ATTACK_RELEASE}`);
  }
  if (new Set(rule.techniques).size !== rule.techniques.length) problems.push('techniques are listed twice');
  if (rule.severity !== 'INFO' && rule.techniques.length === 0) problems.push(`a ${rule.severity} rule names no ATT&CK technique`);
  const description = rule.description.trim();
  if (description.toLowerCase() === rule.title.trim().toLowerCase()) problems.push('the description repeats the title');
  if (!/[.!?)]$/.test(description)) problems.push('the description is not a finished sentence');
  if (rule.kind === 'sequence' && new Set(rule.steps.map((step) => step.name)).size !== rule.steps.length) problems.push('sequence step names repeat');
  return problems.map((problem) => ({ ruleId: rule.id, problem }));
}
