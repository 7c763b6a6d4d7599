import type { SecurityEvent } from '../event';
import { displayText, fieldNames, noisyOr, readText, type Payload } from '../evidence';
import type { Finding, RuleContext } from './finding';
import { sensorEvidence, signatureOf } from './sensor';

const TOOL = fieldNames('tool', 'scanner', 'user_agent', 'client');
const VULNERABILITY_SCANNER = /\b(?:nuclei|nessus|openvas|nikto|qualys|acunetix|nexpose|wpscan|zap|burp|sqlmap|greenbone|dirbuster|gobuster|masscan|nmap|zgrab2?)\b/i;

/**
 * Reconnaissance: probing that is not yet an attack (a scanner's user agent, a fingerprinting
 * request, an ET SCAN signature that is not a port sweep). Named tools raise the strength.
 */
export function analyseReconnaissance(payload: Payload, event: SecurityEvent, context: RuleContext): Finding {
  const tool = readText(payload, TOOL, 256);
  const signature = signatureOf(payload, event);
  const scanner = VULNERABILITY_SCANNER.exec(tool ?? '')?.[0] ?? VULNERABILITY_SCANNER.exec(signature ?? '')?.[0];

  const evidence = sensorEvidence(payload, event);
  if (scanner !== undefined) evidence.tool = scanner.toLowerCase();
  const external = context.source.zone === 'public';
  return {
    category: scanner !== undefined ? 'vulnerability_scan' : 'reconnaissance',
    headline: scanner !== undefined ? 'Vulnerability scanning' : 'Reconnaissance',
    detail: scanner !== undefined ? `with ${scanner.toLowerCase()}` : signature !== undefined ? `signature "${displayText(signature, 80)}"` : undefined,
    evidence,
    strength: noisyOr(scanner !== undefined ? 0.6 : 0, signature !== undefined ? 0.3 : 0),
    techniques: { externalSource: external, vulnerabilityScanner: scanner !== undefined },
    actions: [
      external ? 'Rate-limit or block the probing address at the edge' : 'Identify the internal host probing; unless it is an authorised scanner, isolate it',
      'Watch the source for exploit attempts against what it probed',
    ],
  };
}
