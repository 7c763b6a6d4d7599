import type { SecurityEvent } from '../event';
import {
  countOf,
  displayText,
  fieldNames,
  logScale,
  noisyOr,
  readCount,
  readFlag,
  readNonNegative,
  readText,
  type Payload,
} from '../evidence';
import type { TechniqueEvidence } from '../mitre';
import {
  CHANNEL_PROTOCOL,
  formatDuration,
  roundTo,
  SHOWN_TEXT,
  type Evidence,
  type Finding,
} from './finding';

const INTERVAL_SECONDS = fieldNames('interval', 'beacon_interval', 'interval_seconds', 'interval_s', 'period', 'sleep');
const JITTER = fieldNames('jitter', 'jitter_ratio', 'jitter_percent');
const BEACONS = fieldNames('beacons', 'beacon_count', 'connections', 'callbacks', 'requests', 'count');
const C2_HOST = fieldNames('c2_domain', 'c2_server', 'domain', 'host', 'hostname', 'url', 'server', 'destination_domain', 'sni');
const FRAMEWORK = fieldNames('framework', 'family', 'malware_family', 'tool', 'signature');
const DGA = fieldNames('dga', 'is_dga', 'dga_detected');
const DGA_SCORE = fieldNames('dga_score', 'dga_probability');
const JA3 = fieldNames('ja3', 'ja3_hash', 'ja3s');
const C2_FRAMEWORK = /cobalt ?strike|sliver|metasploit|meterpreter|havoc|mythic|brute ?ratel|empire|poshc2|covenant|quasar|njrat|asyncrat|remcos|dcrat/i;
const WEB_PORTS = new Set([80, 443, 8080, 8443]);
/** Jitter at or below which call-backs look machine-regular (0.2 = ±20% of the interval). */
const REGULAR_JITTER = 0.2;

function c2Channel(protocol: string | undefined, port: number | undefined): TechniqueEvidence['c2Channel'] {
  const name = protocol?.toLowerCase();
  if (name === 'dns' || (name === undefined && port === 53) || (name === 'udp' && port === 53)) return 'dns';
  if (name !== undefined && /^(?:https?|tls|ssl|web|quic|http\/[23])$/.test(name)) return 'web';
  if (port !== undefined && WEB_PORTS.has(port)) return 'web';
  if (name === 'icmp' || name === 'tcp' || name === 'udp') return 'non_application';
  return undefined;
}

/** Command and control: call-back regularity, volume, destination, channel and framework. */
export function analyseC2Beacon(payload: Payload, event: SecurityEvent): Finding {
  const interval = readNonNegative(payload, INTERVAL_SECONDS);
  const rawJitter = readNonNegative(payload, JITTER);
  // 20 means 20%; above 100% it is no measure of regularity at all.
  const jitter = rawJitter === undefined ? undefined : rawJitter > 1 ? (rawJitter <= 100 ? rawJitter / 100 : undefined) : rawJitter;
  const beacons = readCount(payload, BEACONS);
  const host = readText(payload, C2_HOST, 256);
  const frameworkText = readText(payload, FRAMEWORK, 128);
  const framework = frameworkText === undefined ? undefined : C2_FRAMEWORK.exec(frameworkText)?.[0];
  const dgaScore = readNonNegative(payload, DGA_SCORE);
  const dga = readFlag(payload, DGA) === true || (dgaScore !== undefined && dgaScore >= 0.5);
  const ja3 = readText(payload, JA3, 64);
  const protocol = readText(payload, CHANNEL_PROTOCOL, 16) ?? event.protocol;
  const port = event.destination_port;
  const channel = c2Channel(protocol, port);
  const encrypted = port === 443 || port === 8443 || /^(?:https|tls|ssl|quic)$/i.test(protocol ?? '');
  const nonStandardPort =
    port !== undefined && ((channel === 'web' && !WEB_PORTS.has(port)) || (channel === 'dns' && port !== 53));
  const regular = interval !== undefined && jitter !== undefined && jitter <= REGULAR_JITTER;

  const evidence: Evidence = {};
  if (interval !== undefined) evidence.interval_seconds = interval;
  if (jitter !== undefined) evidence.jitter = roundTo(jitter, 3);
  if (beacons !== undefined) evidence.beacons = beacons;
  if (host !== undefined) evidence.c2_host = displayText(host, SHOWN_TEXT);
  if (frameworkText !== undefined) evidence.framework = displayText(frameworkText, 64);
  if (dga) evidence.dga = true;
  if (ja3 !== undefined) evidence.ja3 = displayText(ja3, 64);
  if (channel !== undefined) evidence.channel = channel;

  const parts: string[] = [];
  if (beacons !== undefined) parts.push(countOf(beacons, 'call-back'));
  if (interval !== undefined) {
    parts.push(`every ${formatDuration(interval)}${jitter !== undefined ? ` (±${Math.round(jitter * 100)}% jitter)` : ''}`);
  }
  if (host !== undefined) parts.push(`to ${displayText(host, 64)}`);
  if (framework !== undefined) parts.push(`matching ${framework}`);
  if (dga) parts.push('(algorithmically generated domain)');

  return {
    category: 'command_and_control',
    headline: 'Command-and-control beaconing',
    detail: parts.length > 0 ? parts.join(' ') : undefined,
    evidence,
    strength: noisyOr(
      regular ? 0.5 : interval !== undefined ? 0.2 : 0,
      0.6 * logScale(beacons, 5, 500),
      framework !== undefined ? 0.7 : 0,
      dga ? 0.4 : 0,
    ),
    techniques: { c2Channel: channel, encryptedChannel: encrypted, nonStandardPort, domainGeneration: dga },
    actions: [
      'Isolate the beaconing host',
      'Block the command-and-control destination (address and domain) at DNS and the firewall',
      'Hunt for the same destination, JA3 or interval across other hosts',
    ],
  };
}
