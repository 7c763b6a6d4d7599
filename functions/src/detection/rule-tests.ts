import { DetectionEngine } from './engine';
import { lintRule, type LintProblem } from './lint';
import type { PackEntry } from './pack/case';
import { DetectionRuleSchema, type DetectionRule } from './rule';

export interface CaseResult {
  ruleId: string;
  caseName: string;
  ok: boolean;
  /** Why it failed, when it did. */
  problem?: string;
}

/**
 * Runs each rule's cases through an engine holding the whole pack (a rule over other rules'
 * detections needs them, and a case must not be saved by another rule's absence), and checks
 * how many detections of that rule come out, their counts and keys.
 */
export function runRuleCases(pack: readonly PackEntry[]): CaseResult[] {
  const rules = pack.map((entry) => entry.rule);
  const results: CaseResult[] = [];
  for (const entry of pack) {
    for (const testCase of entry.cases) {
      const engine = new DetectionEngine(rules);
      const detections = testCase.events.flatMap((event) => engine.observe(event)).filter((d) => d.ruleId === entry.rule.id);
      const problems: string[] = [];
      if (detections.length !== testCase.fires) problems.push(`expected ${testCase.fires} detection(s), got ${detections.length}`);
      if (testCase.minCount !== undefined) {
        for (const d of detections) if (d.count < testCase.minCount) problems.push(`a detection counts ${d.count} events, expected at least ${testCase.minCount}`);
      }
      if (testCase.keys !== undefined) {
        const got = JSON.stringify(detections.map((d) => d.key));
        if (got !== JSON.stringify(testCase.keys)) problems.push(`keys ${got}, expected ${JSON.stringify(testCase.keys)}`);
      }
      for (const d of detections) if (d.sample.length === 0 || d.sample.length > 10) problems.push(`a detection's sample holds ${d.sample.length} ids`);
      results.push({ ruleId: entry.rule.id, caseName: testCase.name, ok: problems.length === 0, ...(problems.length > 0 ? { problem: problems.join('; ') } : {}) });
    }
  }
  return results;
}

/** The lint over a pack: each rule's own checks, plus cases that both fire and stay quiet. */
export function lintPack(pack: readonly PackEntry[]): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const entry of pack) {
    const parsed = DetectionRuleSchema.safeParse(entry.rule);
    if (!parsed.success) {
      problems.push({ ruleId: String(entry.rule.id), problem: `invalid rule: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
      continue;
    }
    const rule: DetectionRule = parsed.data;
    problems.push(...lintRule(rule));
    if (!entry.cases.some((c) => c.fires > 0)) problems.push({ ruleId: rule.id, problem: 'no test case where the rule must fire' });
    if (!entry.cases.some((c) => c.fires === 0)) problems.push({ ruleId: rule.id, problem: 'no test case where the rule must stay quiet' });
  }
  return problems;
}
