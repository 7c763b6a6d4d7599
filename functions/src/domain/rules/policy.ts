import type { SecurityEvent } from '../event';
import { displayText, fieldNames, noisyOr, readText, type Payload } from '../evidence';
import type { Finding } from './finding';
import { sensorEvidence, sensorSays, signatureOf } from './sensor';

const APP_PROTOCOL = fieldNames('app_proto', 'app_protocol', 'application_protocol', 'protocol');
const ANOMALY = fieldNames('anomaly', 'anomaly_event', 'event', 'weird', 'name');

/** What a policy signature is about: ET POLICY / ET P2P / ET TOR / ET INFO names, or a WAF's category. */
const POLICY_KINDS: readonly (readonly [kind: string, pattern: RegExp])[] = [
  ['tor', /\btor\b|\.onion\b/i],
  ['p2p', /\bp2p\b|bittorrent|\bedonkey\b|\bgnutella\b/i],
  ['cleartext_credentials', /clear ?text|plain ?text|unencrypted|basic auth/i],
  ['remote_access_tool', /\b(?:teamviewer|anydesk|vnc|logmein|screenconnect|rustdesk|ngrok)\b/i],
  ['crypto_mining', /\b(?:stratum|coin ?miner|crypto ?mining|xmrig|monero)\b/i],
  ['file_sharing', /\b(?:mega\.nz|dropbox|file ?sharing|pastebin|anonfiles)\b/i],
];

/**
 * Policy violation: traffic a sensor flags as against policy (TOR, P2P, an unapproved remote
 * access tool, cleartext credentials). The evidence is the sensor's word and what the policy
 * is about; the event type's low points keep it from scoring like an attack.
 */
export function analysePolicyViolation(payload: Payload, event: SecurityEvent): Finding {
  const signature = signatureOf(payload, event);
  const category = sensorSays(event).category;
  const protocol = readText(payload, APP_PROTOCOL, 32);
  const described = [signature, category, protocol].filter((text) => text !== undefined).join(' ');
  const kind = POLICY_KINDS.find(([, pattern]) => pattern.test(described))?.[0];
  const evidence = sensorEvidence(payload, event);
  if (protocol !== undefined) evidence.app_protocol = displayText(protocol, 32);
  if (kind !== undefined) evidence.policy = kind;
  const what = signature !== undefined ? `signature "${displayText(signature, 80)}"` : category;
  return {
    category: kind ?? 'policy_violation',
    headline: kind !== undefined ? `Policy violation (${kind.replaceAll('_', ' ')})` : 'Policy violation',
    detail: what,
    evidence,
    strength: noisyOr(signature !== undefined ? 0.5 : 0, kind !== undefined ? 0.5 : 0),
    techniques: { torTraffic: kind === 'tor' },
    actions: ['Confirm with the owner of the host whether the traffic is sanctioned', 'If not, block the application or destination at the egress'],
  };
}

/**
 * Protocol anomaly: malformed or out-of-spec traffic (a Suricata `anomaly`, a Zeek `weird`,
 * a decoder event). Often evasion or a broken client; the evidence says which protocol.
 */
export function analyseProtocolAnomaly(payload: Payload, event: SecurityEvent): Finding {
  const signature = signatureOf(payload, event);
  const anomaly = readText(payload, ANOMALY, 128);
  const protocol = readText(payload, APP_PROTOCOL, 32);
  const evidence = sensorEvidence(payload, event);
  if (anomaly !== undefined) evidence.anomaly = displayText(anomaly, 80);
  if (protocol !== undefined) evidence.app_protocol = displayText(protocol, 32);
  const what = anomaly ?? signature;
  return {
    category: 'protocol_anomaly',
    headline: 'Protocol anomaly',
    detail: what !== undefined ? `${protocol !== undefined ? `${protocol}: ` : ''}${displayText(what, 80)}` : undefined,
    evidence,
    strength: noisyOr(anomaly !== undefined ? 0.5 : 0, signature !== undefined ? 0.3 : 0, protocol !== undefined ? 0.3 : 0),
    techniques: {},
    actions: ['Check whether the client is broken or evading inspection', 'Block the source if the anomalies come with attack traffic'],
  };
}
