import type { SecurityEvent } from '../event';
import { displayText, fieldNames, readNumber, readText, type Payload } from '../evidence';
import { SHOWN_TEXT, type Evidence } from './finding';

/** What a sensor (Suricata, a WAF) said about its alert: `metadata.sensor`, written by the events package. */
export interface SensorSays {
  signature?: string;
  category?: string;
  product?: string;
}

export function sensorSays(event: SecurityEvent): SensorSays {
  const sensor = event.metadata.sensor;
  if (typeof sensor !== 'object' || sensor === null) return {};
  const record = sensor as Record<string, unknown>;
  const says: SensorSays = {};
  if (typeof record.signature === 'string') says.signature = record.signature;
  if (typeof record.category === 'string') says.category = record.category;
  if (typeof record.product === 'string') says.product = record.product;
  return says;
}

const SIGNATURE = fieldNames('signature', 'rule_name', 'alert_signature');
const STATUS_CODE = fieldNames('status_code', 'response_code', 'http_status', 'status');

/** The signature from the payload, else from the sensor's verdict. */
export function signatureOf(payload: Payload, event: SecurityEvent): string | undefined {
  return readText(payload, SIGNATURE, 512) ?? sensorSays(event).signature;
}

/** CVE ids a signature names ("ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)"). */
export function cveIds(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...new Set(text.toUpperCase().match(/\bCVE-\d{4}-\d{4,7}\b/g) ?? [])];
}

/** The HTTP status the request got, and whether the server served it (2xx) or refused it. */
export function httpOutcome(payload: Payload): { status?: number; served: boolean; refused: boolean } {
  const status = readNumber(payload, STATUS_CODE);
  return {
    ...(status !== undefined && { status }),
    served: status !== undefined && status >= 200 && status < 300,
    refused: status === 403 || status === 406,
  };
}

/** Evidence every sensor-alert rule shows: signature, sensor category, product. */
export function sensorEvidence(payload: Payload, event: SecurityEvent): Evidence {
  const says = sensorSays(event);
  const evidence: Evidence = {};
  const signature = signatureOf(payload, event);
  if (signature !== undefined) evidence.signature = displayText(signature, SHOWN_TEXT);
  if (says.category !== undefined) evidence.sensor_category = displayText(says.category, 80);
  if (says.product !== undefined) evidence.sensor = displayText(says.product, 40);
  return evidence;
}
