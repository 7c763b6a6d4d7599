import { SEVERITIES, SeveritySchema, type Severity } from './event';
import type { ApprovalCondition } from './playbook';
import { severityForScore } from './scoring';
import type { Analysis, Risk } from './threat';

// Which threats alert, and what about them a person must see before automation acts. Pure: the
// alert trigger, the analysis and the alert store all decide the same way.

/** Severities that open an alert; lower ones are recorded as threats only. */
export const ALERTING_SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH'];

export function opensAlert(severity: Severity): boolean {
  return ALERTING_SEVERITIES.includes(severity);
}

export function higherSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/** The risk factor the model's opinion adds (analysis/combine.ts writes it). */
export const MODEL_FACTOR = 'model_assessment';

/** Below this rules confidence, automation waits for a person on destructive steps. */
export const LOW_RULES_CONFIDENCE = 0.5;

/** The severity the rules alone gave: the score without the model's factor. */
export function rulesSeverity(risk: Pick<Risk, 'score' | 'severity' | 'factors'>): Severity {
  const model = risk.factors.find((factor) => factor.name === MODEL_FACTOR);
  // No model factor: the stored severity is the rules' own.
  return model === undefined ? risk.severity : severityForScore(risk.score - model.contribution);
}

/**
 * The severity an alert decision rests on: the rules' severity, which the model may raise and
 * never lower. Whatever order the analysis write and the alert trigger's read come in, a threat
 * the rules put at HIGH alerts.
 */
export function alertingSeverity(risk: Pick<Risk, 'score' | 'severity' | 'factors'>): Severity {
  return higherSeverity(risk.severity, rulesSeverity(risk));
}

/** The alerting severity of a threat document read raw from a trigger, if it has a readable risk. */
export function alertingSeverityOf(data: unknown): Severity | undefined {
  const risk = (data as { risk?: { score?: unknown; severity?: unknown; factors?: unknown } } | undefined)?.risk;
  const severity = SeveritySchema.safeParse(risk?.severity);
  if (!severity.success) return undefined;
  if (typeof risk?.score !== 'number' || !Array.isArray(risk.factors)) return severity.data;
  const factors = risk.factors.filter(
    (factor): factor is { name: string; contribution: number } =>
      typeof factor?.name === 'string' && typeof factor?.contribution === 'number',
  );
  return higherSeverity(severity.data, rulesSeverity({ score: risk.score, severity: severity.data, factors: factors.map((f) => ({ ...f, detail: '' })) }));
}

/** The parts of a sensor's normalised event (@threatstream/events) that tell of a handshake. */
export interface SensorFacts {
  network?: { transport?: string | undefined; protocol?: string | undefined } | undefined;
  source?: { packets?: number | undefined } | undefined;
  destination?: { packets?: number | undefined } | undefined;
  suricata?: { eve: Record<string, unknown> } | undefined;
  zeek?: Record<string, unknown> | undefined;
}

export interface ThreatFacts {
  event_type: string;
  protocol?: string | undefined;
  payload: Record<string, unknown>;
  /** The sensor record the threat came from, when a sensor (Suricata, Zeek) wrote it. */
  normalized?: SensorFacts | undefined;
  risk: Pick<Risk, 'score' | 'severity' | 'factors'>;
  /** The rules' analysis (kept as rulesAnalysis once a model's analysis replaced it). */
  rules: Pick<Analysis, 'confidence' | 'evidence'>;
}

const CONNECTIONLESS = /^(udp|icmp|icmpv6|ipv6-icmp|gre)$/i;

/** Application protocols that run over TCP only: seeing one means a connection was set up. */
const TCP_APPLICATIONS = new Set(['http', 'http2', 'https', 'tls', 'ssl', 'ssh', 'ftp', 'ftp-data', 'smtp', 'imap', 'pop3', 'smb', 'rdp', 'telnet', 'mysql', 'postgresql', 'pgsql', 'mssql', 'ldaps', 'irc', 'rfb']);

/** Zeek conn_state values that need the responder's SYN-ACK answered (a completed handshake). */
const ZEEK_ESTABLISHED = new Set(['SF', 'S1', 'S2', 'S3', 'RSTO', 'RSTR']);
/** Zeek conn_state values with no completed handshake: SYN only, refused, half-open, no SYN seen. */
const ZEEK_NO_HANDSHAKE = new Set(['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH']);
/** Suricata flow states past the handshake. */
const EVE_ESTABLISHED = new Set(['established', 'closed']);

type Facts = Pick<ThreatFacts, 'event_type' | 'protocol' | 'payload' | 'normalized' | 'rules'>;

const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : undefined);
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const positive = (value: unknown) => typeof value === 'number' && value > 0;

function transportOf(threat: Facts): string | undefined {
  return lower(threat.normalized?.network?.transport) ?? lower(threat.protocol);
}

function zeekConnState(threat: Facts): string | undefined {
  const conn = threat.normalized?.zeek?.conn;
  const state = (isObject(conn) ? conn.conn_state : undefined) ?? threat.payload.conn_state;
  return typeof state === 'string' ? state.toUpperCase() : undefined;
}

/** Attack vectors that are packet floods: no connection needed, so no handshake. */
const PACKET_FLOOD = /\b(syn|ack|rst|fin|udp|icmp|ping|gre|fragment(ation)?|amplification|reflection|reflected|volumetric|smurf|land)\b/i;
/** Attack vectors that are application-layer floods: each request rides a connection. */
const APPLICATION_FLOOD = /\b(https?|tls|ssl|slowloris|slow ?post|rudy|application|layer ?7|l7|get|post)\b/i;

function eveFlow(threat: Facts): Record<string, unknown> | undefined {
  const flow = threat.normalized?.suricata?.eve.flow;
  return isObject(flow) ? flow : undefined;
}

function flowState(threat: Facts): string | undefined {
  return lower(eveFlow(threat)?.state) ?? lower(threat.payload.flow_state) ?? lower(threat.payload.tcp_state);
}

/** The detection's context (detection/to-threat.ts), for threats a detection rule raised. */
function detectionContext(threat: Facts): Record<string, unknown> {
  const detection = threat.payload.detection;
  const context = isObject(detection) ? detection.context : undefined;
  return isObject(context) ? context : {};
}

/**
 * What shows the source answered a SYN-ACK, so its address is its own: a Suricata flow past the
 * handshake with packets both ways, a Zeek connection state after one, the payload saying so, or
 * an application-layer exchange over TCP (HTTP, TLS, SSH… need a connection first). Undefined
 * when there is none.
 */
export function handshakeEvidence(threat: Facts): string | undefined {
  const { payload, normalized } = threat;
  if (payload.handshake_completed === true || payload.tcp_established === true) return 'payload';
  const conn = zeekConnState(threat);
  if (conn !== undefined && ZEEK_ESTABLISHED.has(conn)) return `zeek conn_state ${conn}`;
  const flow = eveFlow(threat);
  const state = flowState(threat);
  const toServer = flow?.pkts_toserver ?? normalized?.source?.packets ?? payload.packets_toserver;
  const toClient = flow?.pkts_toclient ?? normalized?.destination?.packets ?? payload.packets_toclient;
  if (state !== undefined && EVE_ESTABLISHED.has(state) && positive(toServer) && positive(toClient)) return `flow ${state}`;
  const eve = normalized?.suricata?.eve;
  const application = [normalized?.network?.protocol, eve?.app_proto, threat.protocol].map(lower).find((name) => name && TCP_APPLICATIONS.has(name));
  if (application) return `application ${application}`;
  if (eve && (isObject(eve.http) || isObject(eve.tls) || isObject(eve.ssh) || isObject(eve.smtp))) return 'application record';
  const context = detectionContext(threat);
  const url = payload.url ?? context.url;
  if (typeof url === 'string' && /^(https?|ftp):\/\//i.test(url)) return 'application url';
  if ([payload.http_method, payload.http_status, payload.tls_sni, context.http_method, context.http_status].some((field) => field !== undefined)) {
    return 'application fields';
  }
  const vector = typeof payload.attack_vector === 'string' ? payload.attack_vector : undefined;
  if (vector !== undefined && APPLICATION_FLOOD.test(vector) && !PACKET_FLOOD.test(vector)) return `attack vector ${vector}`;
  return undefined;
}

/** Whether the record says the handshake did not complete: SYN only, refused, half-open, a packet flood. */
function noHandshake(threat: Facts): boolean {
  const { payload } = threat;
  if (payload.handshake_completed === false || payload.tcp_established === false) return true;
  const conn = zeekConnState(threat);
  if (conn !== undefined && ZEEK_NO_HANDSHAKE.has(conn)) return true;
  const state = flowState(threat);
  if (state === 'new' || state === 'syn_sent') return true;
  if (eveFlow(threat)?.pkts_toclient === 0) return true;
  return typeof payload.attack_vector === 'string' && PACKET_FLOOD.test(payload.attack_vector);
}

/**
 * Whether the source address may be forged: connectionless traffic (a UDP flood), TCP whose
 * record shows no completed handshake (SYN only, a packet flood), or a flood with no sign of
 * one. TCP with a completed handshake or application-layer evidence is not, whatever the event
 * type; nor is a flood counted in requests (each needs a connection) that names no packet flood.
 */
export function mayBeSpoofed(threat: Facts): boolean {
  const transport = transportOf(threat);
  if (transport !== undefined && CONNECTIONLESS.test(transport)) return true;
  if (handshakeEvidence(threat) !== undefined) return false;
  if (noHandshake(threat)) return true;
  if (threat.event_type !== 'ddos') return false;
  return threat.rules.evidence.requests_per_second === undefined;
}

/** What about a threat must stop automation from acting on its alert without a person. */
export function approvalConditions(threat: ThreatFacts): ApprovalCondition[] {
  const conditions: ApprovalCondition[] = [];
  if (opensAlert(threat.risk.severity) && !opensAlert(rulesSeverity(threat.risk))) conditions.push('model_raised');
  if (threat.rules.confidence < LOW_RULES_CONFIDENCE) conditions.push('low_rules_confidence');
  if (mayBeSpoofed(threat)) conditions.push('spoofable_source');
  return conditions;
}

/** The union of two condition lists, in APPROVAL_CONDITIONS order. */
export function mergeConditions(a: readonly ApprovalCondition[], b: readonly ApprovalCondition[]): ApprovalCondition[] {
  return [...new Set([...a, ...b])].sort();
}

