import {
  displayText,
  fieldNames,
  formatCount,
  logScale,
  noisyOr,
  readCount,
  readNonNegative,
  readText,
  type Payload,
} from '../evidence';
import type { TechniqueEvidence } from '../mitre';
import { scaled, type Evidence, type Finding } from './finding';

const PACKETS_PER_SECOND = fieldNames('pps', 'packets_per_second', 'packet_rate');
const REQUESTS_PER_SECOND = fieldNames('rps', 'requests_per_second', 'request_rate', 'qps', 'queries_per_second');
const BITS_PER_SECOND = fieldNames('bps', 'bits_per_second');
const MEGABITS_PER_SECOND = fieldNames('mbps', 'bandwidth_mbps', 'megabits_per_second');
const GIGABITS_PER_SECOND = fieldNames('gbps', 'bandwidth_gbps', 'gigabits_per_second');
const ATTACK_SOURCES = fieldNames('sources', 'source_count', 'unique_sources', 'source_ips', 'botnet_size', 'attackers');
const VECTOR = fieldNames('attack_vector', 'vector', 'attack_type', 'method', 'type');
const DENIAL_VECTORS: readonly (readonly [RegExp, NonNullable<TechniqueEvidence['denialVector']>])[] = [
  [/amplif|reflect|\b(?:dns|ntp|memcached|ssdp|cldap|chargen|snmp|ws-?discovery)\b/i, 'amplification'],
  [/\bhttps?\b|layer ?7|\bl7\b|get flood|post flood|slowloris|application/i, 'application'],
  [/\bsyn\b|\back\b|tcp state|connection flood|state exhaustion/i, 'state_exhaustion'],
  [/\budp\b|\bicmp\b|\bgre\b|volumetric|flood/i, 'volumetric'],
];

/** Denial of service: packet, request and bit rates, botnet size and attack vector. */
export function analyseDdos(payload: Payload): Finding {
  const pps = readNonNegative(payload, PACKETS_PER_SECOND);
  const rps = readNonNegative(payload, REQUESTS_PER_SECOND);
  const bps =
    readNonNegative(payload, BITS_PER_SECOND) ??
    scaled(readNonNegative(payload, MEGABITS_PER_SECOND), 1e6) ??
    scaled(readNonNegative(payload, GIGABITS_PER_SECOND), 1e9);
  const sources = readCount(payload, ATTACK_SOURCES);
  const vectorText = readText(payload, VECTOR, 64);
  const vector =
    (vectorText === undefined ? undefined : DENIAL_VECTORS.find(([pattern]) => pattern.test(vectorText))?.[1]) ??
    (rps !== undefined ? 'application' : pps !== undefined || bps !== undefined ? 'volumetric' : undefined);

  const evidence: Evidence = {};
  if (pps !== undefined) evidence.packets_per_second = pps;
  if (rps !== undefined) evidence.requests_per_second = rps;
  if (bps !== undefined) evidence.bits_per_second = bps;
  if (sources !== undefined) evidence.sources = sources;
  if (vectorText !== undefined) evidence.vector = displayText(vectorText, 64);

  const rates: string[] = [];
  if (bps !== undefined) rates.push(formatBitRate(bps));
  if (pps !== undefined) rates.push(`${formatCount(pps)} packets/s`);
  if (rps !== undefined) rates.push(`${formatCount(rps)} requests/s`);
  const parts = rates.length > 0 ? [rates.join(', ')] : [];
  if (sources !== undefined && sources > 1) parts.push(`from ${formatCount(sources)} sources`);
  if (vectorText !== undefined) parts.push(`(${displayText(vectorText, 32)})`);

  return {
    category: 'ddos',
    headline: vector === 'application' ? 'Application-layer denial of service' : 'Denial-of-service flood',
    detail: parts.length > 0 ? parts.join(' ') : undefined,
    evidence,
    strength: noisyOr(
      logScale(pps, 1e4, 1e7),
      logScale(rps, 200, 1e5),
      logScale(bps, 1e8, 1e11),
      0.7 * logScale(sources, 10, 1e4),
    ),
    techniques: { denialVector: vector },
    actions: [
      'Engage upstream or CDN DDoS mitigation for the targeted address',
      vector === 'application'
        ? 'Apply WAF rate limits and challenge suspicious clients on the targeted endpoints'
        : 'Filter the attack traffic by protocol and source at the edge',
    ],
  };
}

function formatBitRate(bitsPerSecond: number): string {
  if (bitsPerSecond >= 1e9) return `${formatCount(bitsPerSecond / 1e9)} Gbit/s`;
  if (bitsPerSecond >= 1e6) return `${formatCount(bitsPerSecond / 1e6)} Mbit/s`;
  return `${formatCount(bitsPerSecond)} bit/s`;
}
