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
import { MFA_FATIGUE_MIN_PROMPTS } from '../mitre';
import { ACTOR, SHOWN_TEXT, SUCCEEDED, type Evidence, type Finding, type RuleContext } from './finding';

const LOGIN_REASONS = fieldNames('reasons', 'reason', 'anomalies', 'anomaly', 'flags', 'risk_reasons', 'risk_factors');
const IMPOSSIBLE_TRAVEL = fieldNames('impossible_travel');
const NEW_DEVICE = fieldNames('new_device', 'unknown_device');
const ANONYMISER = fieldNames('tor', 'is_tor', 'anonymizer', 'anonymous_proxy');
const DISTANCE_KM = fieldNames('distance_km', 'travel_distance_km');
const MINUTES_SINCE_LAST = fieldNames('minutes_since_last_login', 'time_delta_minutes', 'minutes_between_logins');
const MFA_PROMPTS = fieldNames('mfa_prompts', 'mfa_push_count', 'push_count', 'mfa_requests', 'mfa_attempts');
const MFA_RESULT = fieldNames('mfa_result', 'mfa', 'mfa_status');
const PRIOR_FAILURES = fieldNames('failed_attempts', 'prior_failures', 'failures_before_success', 'failed_logins', 'failures');
const LOGIN_SERVICE = fieldNames('service', 'application', 'app', 'provider', 'resource', 'client_app');
const REASON_PATTERNS = {
  impossibleTravel: /impossible|travel|velocity/i,
  newCountry: /new[_ -]?country|unusual[_ -]?(?:country|location)|foreign|geo/i,
  newDevice: /new[_ -]?(?:device|browser)|unknown[_ -]?device|unfamiliar/i,
  anonymiser: /\btor\b|anonymi[sz]|proxy|\bvpn\b|hosting/i,
  offHours: /off[_ -]?hours|unusual[_ -]?time|night|weekend/i,
} as const;
const CLOUD_SERVICE = /azure|entra|office ?365|\bo365\b|\bm365\b|okta|google ?workspace|\baws\b|\bgcp\b|salesforce|cloud/i;
const REMOTE_ACCESS_SERVICE = /\bvpn\b|citrix|remote ?desktop|rd ?gateway|\bssh\b|anyconnect|globalprotect|fortinet/i;
const MFA_BYPASSED = /bypass|skipped|not required|none/i;
/** Faster than an airliner: the same person cannot have made both logins. */
const IMPOSSIBLE_SPEED_KMH = 1000;

/** Suspicious login: the anomalies flagged, MFA behaviour and the outcome. */
export function analyseSuspiciousLogin(payload: Payload, context: RuleContext): Finding {
  const user = readText(payload, ACTOR, 128);
  const reasons = (readTextList(payload, LOGIN_REASONS) ?? []).join(' ');
  const distance = readNonNegative(payload, DISTANCE_KM);
  const minutes = readNonNegative(payload, MINUTES_SINCE_LAST);
  const speed = distance !== undefined && minutes !== undefined && minutes > 0 ? finite(distance / (minutes / 60)) : undefined;
  const impossibleTravel =
    readFlag(payload, IMPOSSIBLE_TRAVEL) === true ||
    REASON_PATTERNS.impossibleTravel.test(reasons) ||
    (speed !== undefined && speed > IMPOSSIBLE_SPEED_KMH);
  const newCountry = REASON_PATTERNS.newCountry.test(reasons);
  const newDevice = readFlag(payload, NEW_DEVICE) === true || REASON_PATTERNS.newDevice.test(reasons);
  const anonymiser = readFlag(payload, ANONYMISER) === true || REASON_PATTERNS.anonymiser.test(reasons);
  const offHours = REASON_PATTERNS.offHours.test(reasons);
  const mfaPrompts = readCount(payload, MFA_PROMPTS);
  const mfaResult = readText(payload, MFA_RESULT, 64);
  const mfaFatigue = (mfaPrompts ?? 0) >= MFA_FATIGUE_MIN_PROMPTS;
  const mfaBypassed = mfaResult !== undefined && MFA_BYPASSED.test(mfaResult);
  const priorFailures = readCount(payload, PRIOR_FAILURES);
  const succeeded = readFlag(payload, SUCCEEDED);
  const service = readText(payload, LOGIN_SERVICE, 128);

  const evidence: Evidence = {};
  if (user !== undefined) evidence.user = displayText(user, 64);
  if (reasons !== '') evidence.reasons = displayText(reasons, SHOWN_TEXT);
  if (impossibleTravel) evidence.impossible_travel = true;
  if (speed !== undefined) evidence.travel_speed_kmh = Math.round(speed);
  if (newCountry) evidence.new_country = true;
  if (newDevice) evidence.new_device = true;
  if (anonymiser) evidence.anonymiser = true;
  if (offHours) evidence.off_hours = true;
  if (mfaPrompts !== undefined) evidence.mfa_prompts = mfaPrompts;
  if (mfaResult !== undefined) evidence.mfa_result = displayText(mfaResult, 64);
  if (priorFailures !== undefined) evidence.prior_failures = priorFailures;
  if (succeeded !== undefined) evidence.succeeded = succeeded;
  if (service !== undefined) evidence.service = displayText(service, 64);

  const signals = [
    impossibleTravel && (speed !== undefined ? `impossible travel (${formatCount(speed)} km/h)` : 'impossible travel'),
    newCountry && 'new country',
    newDevice && 'new device',
    anonymiser && 'anonymising network',
    offHours && 'unusual hour',
    mfaFatigue && `${formatCount(mfaPrompts!)} MFA prompts`,
    mfaBypassed && 'MFA not enforced',
    (priorFailures ?? 0) > 0 && `${countOf(priorFailures!, 'failure')} first`,
  ].filter((signal): signal is string => typeof signal === 'string');
  const parts: string[] = [];
  if (user !== undefined) parts.push(`account ${displayText(user, 48)}`);
  if (service !== undefined) parts.push(`on ${displayText(service, 32)}`);
  if (signals.length > 0) parts.push(`— ${signals.join(', ')}`);
  if (succeeded !== undefined) parts.push(succeeded ? '(login succeeded)' : '(login failed)');

  const actions = ['Confirm with the user whether the login was theirs'];
  if (succeeded !== false) actions.unshift('Revoke the session and require a password reset with MFA re-enrolment');
  if (mfaFatigue) actions.push('Switch the account to number-matching or phishing-resistant MFA');
  if (context.source.zone === 'public') actions.push('Block the source address for this account');

  return {
    category: succeeded === true && (impossibleTravel || mfaFatigue) ? 'account_compromise' : 'suspicious_login',
    headline: 'Suspicious login',
    detail: parts.length > 0 ? parts.join(' ') : undefined,
    evidence,
    strength: noisyOr(
      impossibleTravel ? 0.7 : 0,
      anonymiser ? 0.5 : 0,
      newCountry ? 0.4 : 0,
      newDevice ? 0.25 : 0,
      offHours ? 0.15 : 0,
      mfaFatigue ? 0.7 : 0,
      mfaBypassed ? 0.3 : 0,
      0.6 * logScale(priorFailures, 3, 50),
      succeeded === true && signals.length > 0 ? 0.2 : 0,
    ),
    techniques: {
      cloudAccount: service !== undefined && CLOUD_SERVICE.test(service),
      remoteAccessService: service !== undefined && REMOTE_ACCESS_SERVICE.test(service),
      mfaFatigue,
      priorFailures,
    },
    actions,
  };
}
