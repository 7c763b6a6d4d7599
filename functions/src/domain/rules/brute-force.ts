import type { SecurityEvent } from '../event';
import {
  countOf,
  displayText,
  fieldNames,
  finite,
  formatCount,
  logScale,
  noisyOr,
  readCount,
  readFlag,
  readNonNegative,
  readText,
  readTextList,
  type Payload,
} from '../evidence';
import { looksLikePasswordSpraying, SPRAYING_MIN_USERS } from '../mitre';
import { serviceName } from '../ports';
import { DURATION_SECONDS, formatDuration, roundTo, SUCCEEDED, type Evidence, type Finding } from './finding';

const ATTEMPTS = fieldNames('attempts', 'failed_attempts', 'failed_logins', 'login_attempts', 'failures', 'failed_count', 'count');
const USER_LIST = fieldNames('users', 'usernames', 'accounts', 'target_users', 'targeted_users');
const DISTINCT_USERS = fieldNames('distinct_users', 'unique_users', 'user_count', 'users_targeted', 'account_count');
const ONE_USER = fieldNames('user', 'username', 'account', 'target_user', 'user_name');
const ATTACK_STYLE = fieldNames('attack_type', 'technique', 'method', 'type');
const STUFFING = /stuffing|combo ?list|breached credential/i;
const SPRAY = /spray/i;

/** Brute force: how many attempts, on how many accounts, how fast, and whether one got in. */
export function analyseBruteForce(payload: Payload, event: SecurityEvent): Finding {
  const attempts = readCount(payload, ATTEMPTS);
  const userList = readTextList(payload, USER_LIST, 1000);
  const distinctUsers = readCount(payload, DISTINCT_USERS) ?? userList?.length;
  const singleUser = readText(payload, ONE_USER, 64) ?? (userList?.length === 1 ? userList[0] : undefined);
  const seconds = readNonNegative(payload, DURATION_SECONDS);
  const succeeded = readFlag(payload, SUCCEEDED) === true;
  const style = readText(payload, ATTACK_STYLE, 64) ?? '';
  const perMinute = attempts !== undefined && seconds !== undefined && seconds > 0 ? finite((attempts * 60) / seconds) : undefined;
  const attemptsPerUser = attempts !== undefined && distinctUsers ? finite(attempts / distinctUsers) : undefined;
  const stuffing = STUFFING.test(style);
  const saysSpraying = SPRAY.test(style);
  const spraying = !stuffing && (saysSpraying || looksLikePasswordSpraying(distinctUsers, attemptsPerUser));

  const evidence: Evidence = {};
  if (attempts !== undefined) evidence.attempts = attempts;
  if (distinctUsers !== undefined) evidence.distinct_users = distinctUsers;
  if (singleUser !== undefined) evidence.user = displayText(singleUser, 64);
  if (seconds !== undefined) evidence.duration_seconds = seconds;
  if (perMinute !== undefined) evidence.attempts_per_minute = roundTo(perMinute, 1);
  if (succeeded) evidence.login_succeeded = true;

  const parts: string[] = [];
  if (attempts !== undefined) parts.push(countOf(attempts, 'failed login attempt'));
  if (distinctUsers !== undefined && distinctUsers > 1) parts.push(`across ${formatCount(distinctUsers)} accounts`);
  else if (singleUser !== undefined) parts.push(`on account "${displayText(singleUser, 64)}"`);
  if (seconds !== undefined && seconds > 0) parts.push(`in ${formatDuration(seconds)}`);
  let detail = parts.length > 0 ? parts.join(' ') : undefined;
  if (succeeded) detail = `${detail ?? 'repeated attempts'}, then a successful login`;

  const service = serviceName(event.destination_port);
  const variant = stuffing ? 'credential stuffing' : spraying ? 'password spraying' : 'password guessing';
  const actions = [
    'Block the source address at the perimeter firewall or WAF',
    spraying || stuffing
      ? 'Force password resets for the targeted accounts and check them against breached-password lists'
      : 'Lock or step up authentication on the targeted account',
  ];
  if (event.destination_port === 22) actions.push('Allow only key-based SSH authentication and rate-limit with fail2ban or sshd MaxStartups');
  if (event.destination_port === 3389) actions.push('Put RDP behind a VPN or gateway and require Network Level Authentication with MFA');
  if (succeeded) actions.unshift('Treat the account as compromised: revoke its sessions and credentials now');

  return {
    category: succeeded ? 'account_compromise' : stuffing ? 'credential_stuffing' : spraying ? 'password_spraying' : 'brute_force',
    headline: `${service !== undefined ? `${service} ` : ''}brute force (${variant})`,
    detail,
    evidence,
    strength: noisyOr(
      logScale(attempts, 5, 500),
      (distinctUsers ?? 0) >= SPRAYING_MIN_USERS ? logScale(distinctUsers, 3, 100) : 0,
      perMinute !== undefined ? 0.3 * logScale(perMinute, 5, 300) : 0,
      succeeded ? 0.85 : 0,
    ),
    techniques: {
      destinationPort: event.destination_port,
      distinctUsers,
      attemptsPerUser,
      passwordSpraying: saysSpraying,
      credentialStuffing: stuffing,
      loginSucceeded: succeeded,
    },
    actions,
  };
}
