import type { SecurityEvent } from '../event';
import {
  countOf,
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
import {
  DURATION_SECONDS,
  formatDuration,
  SHOWN_TEXT,
  type Evidence,
  type Finding,
  type RuleContext,
} from './finding';

const PORTS = fieldNames('ports', 'ports_scanned', 'scanned_ports', 'port_count', 'unique_ports', 'ports_count', 'distinct_ports');
const OPEN_PORTS = fieldNames('open_ports', 'ports_open', 'open_port_count');
const HOSTS = fieldNames('hosts', 'hosts_scanned', 'targets', 'target_count', 'hosts_count', 'destinations', 'unique_hosts');
const SCAN_TYPE = fieldNames('scan_type', 'technique', 'flags', 'type');
const TOOL = fieldNames('tool', 'scanner', 'user_agent', 'client');
const STEALTH_SCAN = /\b(?:syn|fin|xmas|null|ack|maimon|idle|stealth|half[- ]?open)\b/i;
const VULNERABILITY_SCANNER = /\b(?:nuclei|nessus|openvas|nikto|qualys|acunetix|nexpose|wpscan|zap|burp|sqlmap|greenbone)\b/i;
const PORT_SCANNER = /\b(?:nmap|masscan|zmap|zgrab2?|rustscan|unicornscan|angry ?ip)\b/i;

/** Port scan: how many ports and hosts, which scan type and tool, and what was found open. */
export function analysePortScan(payload: Payload, _event: SecurityEvent, context: RuleContext): Finding {
  const ports = readCount(payload, PORTS);
  const openPorts = readCount(payload, OPEN_PORTS);
  const hosts = readCount(payload, HOSTS);
  const scanType = readText(payload, SCAN_TYPE, 64);
  const tool = readText(payload, TOOL, 200);
  const seconds = readNonNegative(payload, DURATION_SECONDS);
  const vulnerabilityScanner = tool !== undefined && VULNERABILITY_SCANNER.test(tool);
  const knownScanner = vulnerabilityScanner || (tool !== undefined && PORT_SCANNER.test(tool));
  const stealth = scanType !== undefined && STEALTH_SCAN.test(scanType);

  const evidence: Evidence = {};
  if (ports !== undefined) evidence.ports_scanned = ports;
  if (openPorts !== undefined) evidence.open_ports = openPorts;
  if (hosts !== undefined) evidence.hosts_scanned = hosts;
  if (scanType !== undefined) evidence.scan_type = displayText(scanType, 64);
  if (tool !== undefined) evidence.tool = displayText(tool, SHOWN_TEXT);
  if (seconds !== undefined) evidence.duration_seconds = seconds;

  const parts: string[] = [];
  if (ports !== undefined) parts.push(`${countOf(ports, 'port')} probed`);
  if (hosts !== undefined && hosts > 1) parts.push(`on ${formatCount(hosts)} hosts`);
  if (seconds !== undefined && seconds > 0) parts.push(`in ${formatDuration(seconds)}`);
  if (scanType !== undefined) parts.push(`(${displayText(scanType, 32)} scan)`);
  if (openPorts !== undefined && openPorts > 0) parts.push(`finding ${formatCount(openPorts)} open`);
  if (tool !== undefined && knownScanner) parts.push(`with ${displayText(tool, 40)}`);

  return {
    category: vulnerabilityScanner ? 'vulnerability_scan' : 'port_scan',
    headline: vulnerabilityScanner ? 'Vulnerability scan' : (hosts ?? 0) > 1 ? 'Network sweep' : 'Port scan',
    detail: parts.length > 0 ? parts.join(' ') : undefined,
    evidence,
    strength: noisyOr(
      logScale(ports, 10, 1000),
      0.8 * logScale(hosts, 2, 256),
      stealth ? 0.3 : 0,
      knownScanner ? 0.3 : 0,
      (openPorts ?? 0) > 0 ? 0.2 : 0,
    ),
    techniques: {
      externalSource: context.source.zone === 'public',
      hostsScanned: hosts,
      vulnerabilityScanner,
    },
    actions: [
      context.source.zone === 'public'
        ? 'Rate-limit or block the scanning address at the edge'
        : 'Identify the internal host running the scan; unless it is an authorised scanner, isolate it',
      'Review which of the probed services need to be reachable, and close the rest',
    ],
  };
}
