import { assessEvent, type Assessment, type AssessmentDeps } from '../domain/assess';
import { parseEvent, type SecurityEvent, type SecurityEventInput } from '../domain/event';
import { techniqueById } from '../domain/mitre';
import { scoreRisk } from '../domain/scoring';
import { higherSeverity } from '../domain/alerting';
import type { Analysis, MitreTechnique, Risk } from '../domain/threat';
import type { Detection } from './detection';
import { attackTechnique } from './lint';

/** The source address of a threat whose detection names none (e.g. an audit entry without a caller IP). */
export const UNKNOWN_SOURCE_IP = '0.0.0.0';

/**
 * A detection as an event of design.md's shape, so it enters the pipeline as events do (a
 * threat, alerts, playbooks). Its payload carries the evidence names the rules analysers read
 * (attempts, ports_scanned, bytes_out, interval…) and a `detection` block that names the rule,
 * the counts and the sample of contributing event ids.
 */
export function detectionToEvent(detection: Detection): SecurityEventInput {
  const event: SecurityEventInput = {
    event_id: detection.id,
    timestamp: detection.lastSeen,
    event_type: detection.eventType,
    source_ip: detection.source?.ip ?? UNKNOWN_SOURCE_IP,
    payload: {
      // A measure the rule did not take (a kill chain typed c2_beacon has no interval) is left out: Firestore stores no undefined.
      ...Object.fromEntries(Object.entries(analyserEvidence(detection)).filter(([, value]) => value !== undefined)),
      detection: {
        rule_id: detection.ruleId,
        rule_version: detection.ruleVersion,
        rule_title: detection.title,
        rule_kind: detection.ruleKind,
        count: detection.count,
        sample_event_ids: detection.sample,
        first_seen: detection.firstSeen,
        last_seen: detection.lastSeen,
        key: detection.key,
        measures: detection.measures,
        ...(detection.values !== undefined ? { values: detection.values.slice(0, 20) } : {}),
        ...(detection.context !== undefined ? { context: detection.context } : {}),
      },
    },
    metadata: { engine: 'detection', rule_id: detection.ruleId, severity_hint: detection.severity },
  };
  if (detection.destination?.ip !== undefined) event.destination_ip = detection.destination.ip;
  if (detection.destination?.port !== undefined) event.destination_port = detection.destination.port;
  const transport = detection.context?.transport;
  if (typeof transport === 'string') event.protocol = transport;
  return event;
}

/** Evidence in the payload names the existing analysers read, so the threat's analysis is specific. */
function analyserEvidence(d: Detection): Record<string, unknown> {
  const seconds = Math.max(0, Math.round((Date.parse(d.lastSeen) - Date.parse(d.firstSeen)) / 1000));
  const m = d.measures;
  switch (d.eventType) {
    case 'brute_force':
      return d.ruleKind === 'distinct'
        ? { attempts: m.events ?? d.count, distinct_users: m.distinct, users: d.values, duration_seconds: seconds }
        : { attempts: d.count, duration_seconds: seconds, ...(d.user !== undefined ? { username: d.user } : {}) };
    case 'suspicious_login':
      return { failures_before_success: m.step1 ?? d.count - 1, success: true, ...(d.user !== undefined ? { username: d.user } : {}) };
    case 'port_scan':
      return 'destination.ip' in d.key ? { ports_scanned: m.distinct, duration_seconds: seconds } : { hosts_scanned: m.distinct, duration_seconds: seconds };
    case 'ddos':
      return { requests_per_second: Math.round((m.count ?? d.count) / (m.bucketSeconds ?? 1)), attack_vector: 'volumetric' };
    case 'data_exfiltration':
      return { bytes_out: m.sum, duration_seconds: seconds };
    case 'c2_beacon':
      return { interval_seconds: m.intervalSeconds, jitter: m.jitter, beacons: d.count };
    default:
      return d.context?.url !== undefined ? { url: d.context.url } : {};
  }
}

/**
 * The threat assessment of a detection: the event's own assessment (enrichment, analysers,
 * score), with an analysis that leads with the rule, its counts and sample, and whose ATT&CK
 * techniques include the rule's. The score is recomputed on that analysis, so its evidence
 * factor names the rule and the count.
 */
export function assessDetection(detection: Detection, deps: AssessmentDeps): { event: SecurityEvent; assessment: Assessment } {
  const parsed = parseEvent(detectionToEvent(detection));
  if (!parsed.ok) throw new Error(`detection ${detection.id} does not make a valid event: ${parsed.reason}`);
  const event = parsed.event;
  const base = assessEvent(event, deps);
  const analysis = detectionAnalysis(detection, base.analysis);
  const scored = scoreRisk({ event, analysis, source: base.source, ...(base.destination ? { destination: base.destination } : {}), recentActivity: deps.recentActivity, config: deps.config });
  return { event, assessment: { ...base, analysis, risk: withRuleSeverity(scored, detection) } };
}

/**
 * The rule's severity is the least its detection's threat gets, as a sensor's is for its alert:
 * a HIGH rule's detection opens an alert even where the score lacks context (sshd lines name no
 * target). The score's own severity stays named in a factor.
 */
function withRuleSeverity(risk: Risk, detection: Detection): Risk {
  if (higherSeverity(risk.severity, detection.severity) === risk.severity) return risk;
  return {
    ...risk,
    severity: detection.severity,
    factors: [...risk.factors, { name: 'rule_severity', contribution: 0, detail: `rule ${detection.ruleId} rates it ${detection.severity}; the score alone says ${risk.severity}` }],
  };
}

/** Confidence of a detection: a correlation over many events says more than one matching event. */
const CONFIDENCE = { single: 0.75, correlated: 0.9 } as const;

export function detectionAnalysis(detection: Detection, base?: Analysis): Analysis {
  const correlated = detection.ruleKind !== 'single';
  const keyText = Object.entries(detection.key).map(([field, value]) => `${field}=${value}`).join(', ');
  const counted = correlated ? `${detection.count} event${detection.count === 1 ? '' : 's'}${keyText ? ` for ${keyText}` : ''} from ${detection.firstSeen} to ${detection.lastSeen}` : 'one event';
  const evidence: Analysis['evidence'] = {
    rule: `${detection.ruleId} v${detection.ruleVersion}`,
    count: detection.count,
    sample: detection.sample.slice(0, 3).join(' ') + (detection.sample.length > 3 ? ` (+${detection.sample.length - 3})` : ''),
  };
  for (const [name, value] of Object.entries(detection.measures)) evidence[name] = value;
  for (const [name, value] of Object.entries(base?.evidence ?? {})) if (!(name in evidence)) evidence[name] = value;
  for (const [name, value] of Object.entries(detection.context ?? {})) if (!(name in evidence)) evidence[name] = value;
  const mitre = mergeTechniques(ruleTechniques(detection.techniques), base?.mitre ?? []);
  const strength = Math.max(base?.evidenceStrength ?? 0, correlated ? 0.8 : 0.6);
  return {
    engine: 'rules',
    summary: `${detection.title} (rule ${detection.ruleId}): ${counted}.${base !== undefined ? ` ${base.summary}` : ''}`,
    category: detection.eventType,
    confidence: correlated ? CONFIDENCE.correlated : CONFIDENCE.single,
    mitre,
    evidence,
    evidenceStrength: Math.min(1, strength),
    recommendedActions: base?.recommendedActions ?? [],
  };
}

const TACTIC_NAMES: Record<string, string> = {
  reconnaissance: 'Reconnaissance',
  'resource-development': 'Resource Development',
  'initial-access': 'Initial Access',
  execution: 'Execution',
  persistence: 'Persistence',
  'privilege-escalation': 'Privilege Escalation',
  'defense-evasion': 'Defense Evasion',
  'credential-access': 'Credential Access',
  discovery: 'Discovery',
  'lateral-movement': 'Lateral Movement',
  collection: 'Collection',
  'command-and-control': 'Command and Control',
  exfiltration: 'Exfiltration',
  impact: 'Impact',
};

/** The rule's techniques with names and a tactic: ours where our table has them, else ATT&CK's. */
function ruleTechniques(ids: readonly string[]): MitreTechnique[] {
  const out: MitreTechnique[] = [];
  for (const id of ids) {
    const ours = techniqueById(id);
    if (ours !== undefined) {
      out.push(ours);
      continue;
    }
    const attack = attackTechnique(id);
    if (attack !== undefined) out.push({ id, name: attack.name, tactic: TACTIC_NAMES[attack.tactics[0] ?? ''] ?? attack.tactics[0] ?? 'Unknown' });
  }
  return out;
}

function mergeTechniques(first: readonly MitreTechnique[], second: readonly MitreTechnique[]): MitreTechnique[] {
  const seen = new Set<string>();
  const out: MitreTechnique[] = [];
  for (const technique of [...first, ...second]) {
    if (seen.has(technique.id)) continue;
    seen.add(technique.id);
    out.push(technique);
  }
  return out;
}
