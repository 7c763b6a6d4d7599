import { displayText, fieldNames, noisyOr, readFlag, readText, type Payload } from '../evidence';
import type { TechniqueEvidence } from '../mitre';
import { ACTOR, SHOWN_TEXT, SUCCEEDED, type Evidence, type Finding } from './finding';

const GAINED = fieldNames('target_user', 'to_user', 'new_user', 'run_as', 'target_account', 'new_role', 'role', 'group', 'privileges', 'privilege', 'integrity_level');
const ESCALATION_METHOD = fieldNames('method', 'technique', 'mechanism', 'exploit', 'cve', 'command', 'command_line', 'process', 'tool');
const ROLE_FIELDS = fieldNames('new_role', 'role', 'group');
const PRIVILEGED = /\b(?:root|admin\w*|system|domain admins|enterprise admins|owner|wheel|superuser|sudoers|high)\b/i;
const CVE = /\bCVE-\d{4}-\d{4,7}\b/i;
const ESCALATION_METHODS: readonly (readonly [RegExp, NonNullable<TechniqueEvidence['escalationMethod']>])[] = [
  [/\bcve-\d{4}|exploit|kernel|dirty ?(?:cow|pipe)|pwnkit|printnightmare|juicy ?potato|potato/i, 'exploit'],
  [/\bsudo\b|sudoers|pkexec|doas\b/i, 'sudo'],
  [/\buac\b|fodhelper|eventvwr|computerdefaults|sdclt|cmstp/i, 'uac_bypass'],
  [/setuid|\bsuid\b|setgid|\bsgid\b/i, 'setuid'],
  [/role|group|grant|add.?member|\biam\b|assign|permission/i, 'account_manipulation'],
];

/** Privilege escalation: who gained what, and by which mechanism. */
export function analysePrivilegeEscalation(payload: Payload): Finding {
  const actor = readText(payload, ACTOR, 128);
  const gained = readText(payload, GAINED, 128);
  const methodText = readText(payload, ESCALATION_METHOD, 512);
  const succeeded = readFlag(payload, SUCCEEDED);
  const roleChange = readText(payload, ROLE_FIELDS, 128) !== undefined;
  const cve = methodText === undefined ? undefined : CVE.exec(methodText)?.[0];
  const method =
    (methodText === undefined ? undefined : ESCALATION_METHODS.find(([pattern]) => pattern.test(methodText))?.[1]) ??
    (roleChange ? 'account_manipulation' : 'unspecified');
  const privileged = gained !== undefined && PRIVILEGED.test(gained);

  const evidence: Evidence = {};
  if (actor !== undefined) evidence.user = displayText(actor, 64);
  if (gained !== undefined) evidence.gained = displayText(gained, 64);
  if (methodText !== undefined) evidence.method = displayText(methodText, SHOWN_TEXT);
  if (cve !== undefined) evidence.cve = cve.toUpperCase();
  if (succeeded !== undefined) evidence.succeeded = succeeded;
  evidence.mechanism = method;

  const parts: string[] = [];
  if (actor !== undefined) parts.push(`${displayText(actor, 48)}`);
  if (gained !== undefined) parts.push(`${actor !== undefined ? 'gained' : 'gain of'} ${displayText(gained, 48)}`);
  if (cve !== undefined) parts.push(`via ${cve.toUpperCase()}`);
  else if (method !== 'unspecified') parts.push(`via ${method.replace('_', ' ')}`);
  if (succeeded === false) parts.push('(failed)');

  return {
    category: 'privilege_escalation',
    headline: 'Privilege escalation',
    detail: parts.length > 0 ? parts.join(' ') : undefined,
    evidence,
    strength: noisyOr(privileged ? 0.5 : 0, cve !== undefined ? 0.6 : 0, method !== 'unspecified' ? 0.3 : 0, succeeded === true ? 0.5 : 0),
    techniques: { escalationMethod: method },
    actions: [
      'Revoke the elevated rights and sessions of the account',
      cve !== undefined ? `Patch ${cve.toUpperCase()} across the fleet` : 'Review how the elevation was possible (sudoers, UAC, group membership) and close it',
      'Check what the elevated account did afterwards',
    ],
  };
}
