// `npm run rules:test`: runs every built-in rule's test cases and the rule lint; exits 1 on any miss.
import { BUILT_IN_PACK } from '../../functions/src/detection/pack';
import { lintPack, runRuleCases } from '../../functions/src/detection/rule-tests';
import { ATTACK_RELEASE } from '../../functions/src/detection/lint';

const results = runRuleCases(BUILT_IN_PACK);
const lint = lintPack(BUILT_IN_PACK);
for (const result of results) console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${result.ruleId}: ${result.caseName}${result.problem ? ` — ${result.problem}` : ''}`);
for (const problem of lint) console.log(`LINT ${problem.ruleId}: ${problem.problem}`);
const failed = results.filter((r) => !r.ok).length;
console.log(`\n${BUILT_IN_PACK.length} rules, ${results.length} cases: ${results.length - failed} passed, ${failed} failed; lint (ATT&CK ${ATTACK_RELEASE}): ${lint.length} problem(s)`);
process.exit(failed > 0 || lint.length > 0 ? 1 : 0);
