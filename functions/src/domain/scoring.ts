import { compileDetectionConfig, type DetectionConfig } from './config';
import type { EventType, SecurityEvent, Severity } from './event';
import { isInsideZone } from './enrich/zone';
import { SENSITIVE_PORTS } from './ports';
import type { Analysis, Geo, Risk, RiskFactor } from './threat';

/**
 * Lowest score of each severity, highest first. A score gets the first severity whose
 * minimum it reaches: CRITICAL 85–100, HIGH 65–84, MEDIUM 40–64, LOW 20–39, INFO 0–19.
 */
export const SEVERITY_THRESHOLDS: readonly { readonly severity: Severity; readonly minScore: number }[] = [
  { severity: 'CRITICAL', minScore: 85 },
  { severity: 'HIGH', minScore: 65 },
  { severity: 'MEDIUM', minScore: 40 },
  { severity: 'LOW', minScore: 20 },
  { severity: 'INFO', minScore: 0 },
];

export function severityForScore(score: number): Severity {
  for (const { severity, minScore } of SEVERITY_THRESHOLDS) if (score >= minScore) return severity;
  return 'INFO';
}

/**
 * Points an event of each type starts from: the harm the behaviour does when it is real.
 * Scaled by the analysis confidence (×0.6 at confidence 0, ×1 at 1).
 */
export const EVENT_TYPE_POINTS: Readonly<Record<EventType, number>> = {
  ransomware: 70,
  data_exfiltration: 40,
  c2_beacon: 40,
  privilege_escalation: 40,
  malware: 35,
  sql_injection: 30,
  ddos: 30,
  brute_force: 25,
  suspicious_login: 25,
  phishing: 25,
  xss: 20,
  port_scan: 10,
  exploit: 35,
  command_injection: 35,
  path_traversal: 25,
  reconnaissance: 10,
  protocol_anomaly: 10,
  policy_violation: 10,
  unknown: 5,
};

/** Points for evidence of full strength (scaled linearly by `evidenceStrength`). */
export const EVIDENCE_POINTS = 30;
export const CRITICAL_TARGET_POINTS = 15;
export const CRITICAL_SOURCE_POINTS = 12;
export const INBOUND_POINTS = 10;
export const OUTBOUND_POINTS = 10;
export const LATERAL_POINTS = 6;
export const HIGH_RISK_ASN_POINTS = 12;
export const HIGH_RISK_COUNTRY_POINTS = 8;
/** Recent activity adds 5 points per doubling of earlier events, up to this cap. */
export const RECENT_ACTIVITY_MAX_POINTS = 15;
/**
 * Earlier events at which recent activity reaches its cap (5 · log2(1 + 7) = 15), and the most
 * ingest counts: more cannot change the score. Counting no further keeps a flood cheap to ingest
 * (a count reads what it counts) and lets an instance that has seen a source reach it score the
 * source's next events without reading anything (pipeline/saturated-sources.ts).
 */
export const RECENT_ACTIVITY_SATURATION = 2 ** (RECENT_ACTIVITY_MAX_POINTS / 5) - 1;

/** Types where the source sends something out: the remote party is the destination. */
const OUTBOUND_TYPES: ReadonlySet<EventType> = new Set(['data_exfiltration', 'c2_beacon']);
/** Types where the destination port is not a service under attack. */
const PORT_NOT_TARGETED: ReadonlySet<EventType> = new Set(['data_exfiltration', 'c2_beacon', 'phishing']);

export interface RiskInput {
  event: SecurityEvent;
  analysis: Analysis;
  source: Geo;
  destination?: Geo;
  /** Events from the same source within the config's recent window, before this one. */
  recentActivity: number;
  config: DetectionConfig;
}

/**
 * An explainable 0..100 risk score: a list of factors, each with the points it adds and why.
 * Contributions are whole points and always sum to the score exactly: when the raw sum leaves
 * 0..100, a final "cap" factor brings it back (e.g. −12 when the factors add up to 112).
 */
export function scoreRisk(input: RiskInput): Risk {
  const { event, analysis, source, destination } = input;
  const factors: RiskFactor[] = [];
  const add = (name: string, contribution: number, detail: string) => {
    const points = Math.round(contribution);
    if (points !== 0) factors.push({ name, contribution: points, detail });
  };

  const confidence = Math.min(1, Math.max(0, analysis.confidence));
  const typePoints = EVENT_TYPE_POINTS[event.event_type];
  factors.push({
    name: 'event_type',
    contribution: Math.round(typePoints * (0.6 + 0.4 * confidence)),
    detail: `${event.event_type} starts at ${typePoints} points, weighted by analysis confidence ${confidence.toFixed(2)}`,
  });

  const strength = Math.min(1, Math.max(0, analysis.evidenceStrength));
  add('evidence', strength * EVIDENCE_POINTS, `evidence strength ${strength.toFixed(2)}${describeEvidence(analysis.evidence)}`);

  const port = event.destination_port;
  const sensitivePort = port === undefined || PORT_NOT_TARGETED.has(event.event_type) ? undefined : SENSITIVE_PORTS.get(port);
  if (sensitivePort !== undefined) {
    add('target_port', sensitivePort.riskPoints, `port ${port} (${sensitivePort.service}): ${sensitivePort.why}`);
  }

  if (destination?.criticalAsset) {
    add('critical_asset', CRITICAL_TARGET_POINTS, `the destination ${destination.ip} is a critical asset`);
  } else if (source.criticalAsset) {
    add('critical_asset', CRITICAL_SOURCE_POINTS, `the source ${source.ip} is a critical asset`);
  }

  scoreDirection(event.event_type, source, destination, add);
  scoreReputation(OUTBOUND_TYPES.has(event.event_type) ? destination : source, input.config, add);

  const earlier = Number.isFinite(input.recentActivity) ? Math.max(0, Math.floor(input.recentActivity)) : 0;
  if (earlier > 0) {
    // Ingest stops counting where the points stop growing: the source may have sent many more.
    const counted = earlier >= RECENT_ACTIVITY_SATURATION ? `at least ${RECENT_ACTIVITY_SATURATION}` : String(earlier);
    add(
      'recent_activity',
      Math.min(RECENT_ACTIVITY_MAX_POINTS, 5 * Math.log2(1 + earlier)),
      `${counted} earlier event${earlier === 1 ? '' : 's'} from ${source.ip} in the last ${input.config.recentWindowMinutes} min`,
    );
  }

  const sum = factors.reduce((total, factor) => total + factor.contribution, 0);
  if (sum > 100) factors.push({ name: 'cap', contribution: 100 - sum, detail: `factors add up to ${sum}; the score is capped at 100` });
  if (sum < 0) factors.push({ name: 'cap', contribution: -sum, detail: `factors add up to ${sum}; the score cannot go below 0` });
  const score = Math.min(100, Math.max(0, sum));
  return { score, severity: severityForScore(score), factors };
}

type AddFactor = (name: string, contribution: number, detail: string) => void;

/** Where the event crosses the network boundary: in from the internet, out to it, or sideways. */
function scoreDirection(type: EventType, source: Geo, destination: Geo | undefined, add: AddFactor): void {
  if (destination === undefined) return;
  const sourceInside = isInsideZone(source.zone);
  const destinationInside = isInsideZone(destination.zone);
  if (source.zone === 'public' && destinationInside) {
    add('direction', INBOUND_POINTS, `from the internet into the ${destination.zone} network`);
  } else if (sourceInside && destinationInside) {
    add('direction', LATERAL_POINTS, 'between internal hosts: possible lateral movement');
  } else if (sourceInside && destination.zone === 'public' && (OUTBOUND_TYPES.has(type) || type === 'malware')) {
    add('direction', OUTBOUND_POINTS, 'from an internal host out to the internet');
  }
}

/** Reputation of the party on the internet side, from the configured lists. */
function scoreReputation(remote: Geo | undefined, config: DetectionConfig, add: AddFactor): void {
  if (remote === undefined || remote.zone !== 'public') return;
  const { highRiskAsns, highRiskCountries } = compileDetectionConfig(config);
  if (remote.asn !== undefined && highRiskAsns.has(remote.asn)) {
    add(
      'network_reputation',
      HIGH_RISK_ASN_POINTS,
      `${remote.ip} is in AS${remote.asn}${remote.org !== undefined ? ` (${remote.org})` : ''}, a listed high-risk network`,
    );
  }
  if (remote.country !== undefined && highRiskCountries.has(remote.country)) {
    add('country_reputation', HIGH_RISK_COUNTRY_POINTS, `${remote.ip} is located in ${remote.country}, a listed high-risk country`);
  }
}

/** ": attempts=150, distinct_users=3" — the first few evidence entries. */
function describeEvidence(evidence: Analysis['evidence']): string {
  let text = '';
  let shown = 0;
  for (const key in evidence) {
    if (shown === 3) break;
    const value = evidence[key];
    const shownValue = typeof value === 'string' && value.length > 40 ? `${value.slice(0, 39)}…` : String(value);
    text += `${shown === 0 ? ': ' : ', '}${key}=${shownValue}`;
    shown++;
  }
  return text;
}
