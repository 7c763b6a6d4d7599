import type { DetectionRule } from '../rule';
import { DetectionRuleSchema } from '../rule';
import { passwordSpraying, sshBruteForce, successAfterFailures, webLoginBruteForce } from './auth';
import type { PackEntry } from './case';
import { killChain } from './chain';
import { gcpBucketPublic, gcpFirestoreRulesOpened, gcpFirewallOpenToWorld, gcpOwnerGranted, gcpServiceAccountKeyCreated } from './cloud';
import { c2Beaconing, ddosByRate, exfiltrationByVolume, horizontalPortScan, verticalPortScan } from './network';
import { webCommandInjection, webPathTraversal, webSqlInjection, webXss } from './web';

export type { PackEntry, RuleCase } from './case';

/** The built-in pack: every rule with the cases it ships with. */
export const BUILT_IN_PACK: readonly PackEntry[] = [
  sshBruteForce,
  webLoginBruteForce,
  passwordSpraying,
  successAfterFailures,
  verticalPortScan,
  horizontalPortScan,
  ddosByRate,
  exfiltrationByVolume,
  c2Beaconing,
  webSqlInjection,
  webXss,
  webPathTraversal,
  webCommandInjection,
  killChain,
  gcpOwnerGranted,
  gcpServiceAccountKeyCreated,
  gcpFirewallOpenToWorld,
  gcpBucketPublic,
  gcpFirestoreRulesOpened,
];

/** The built-in rules, validated. */
export const BUILT_IN_RULES: readonly DetectionRule[] = BUILT_IN_PACK.map((entry) => DetectionRuleSchema.parse(entry.rule));
