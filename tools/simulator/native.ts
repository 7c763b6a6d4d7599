import type { Rng } from './prng';
import type { SimulatedEvent } from './scenarios';

/** A record as a sensor or service writes it, and the format the bridge will read it as. */
export interface NativeRecord {
  value: string;
  format: 'suricata-eve' | 'syslog';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Suricata's timestamp: 2026-12-07T16:43:39.123456+0000. */
function eveTime(at: Date, rng: Rng): string {
  return `${at.toISOString().slice(0, 19)}.${pad(at.getUTCMilliseconds(), 3)}${pad(rng.int(0, 999), 3)}+0000`;
}

/** RFC 3164's timestamp: "Dec  7 16:43:39" (day padded with a space). */
function syslogTime(at: Date): string {
  return `${MONTHS[at.getUTCMonth()]} ${String(at.getUTCDate()).padStart(2, ' ')} ${at.toISOString().slice(11, 19)}`;
}

/** NCSA's timestamp: 07/Dec/2026:16:43:39 +0000. */
function ncsaTime(at: Date): string {
  return `${pad(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${at.toISOString().slice(11, 19)} +0000`;
}

const flowId = (rng: Rng) => Number.parseInt(rng.hex(13), 16);

/** sshd failures one brute-force round writes: past the built-in rule's ten in two minutes. */
export const SSH_FAILURES_PER_ROUND = 12;

/**
 * The simulated event as the sensors or services that saw it would write it, or undefined to send
 * it as our own JSON. Everyday traffic becomes Suricata `dns` and `flow` records, sshd logins and
 * nginx access lines (observations: never threats); a port scan becomes a Suricata alert like those
 * ET Open's SCAN rules raise; an SSH brute-force round becomes the sshd failures it is made of, and
 * the login that may follow it an sshd acceptance; a SQL injection or XSS request becomes its
 * access line. The detection rules find those. Other attacks stay in our JSON, already labelled.
 */
export function nativeRecords(sim: SimulatedEvent, rng: Rng): NativeRecord[] | undefined {
  const e = sim.event;
  const payload = (e.payload ?? {}) as Record<string, unknown>;
  if (payload.service !== 'ssh' || (e.event_type !== 'brute_force' && e.event_type !== 'suspicious_login')) {
    const record = nativeRecord(sim, rng);
    return record && [record];
  }
  const at = new Date(e.timestamp);
  const users = Array.isArray(payload.users) ? payload.users.map(String) : [String(payload.username)];
  const line = (offsetMs: number, text: string): NativeRecord => ({
    value: `<38>${syslogTime(new Date(at.getTime() - offsetMs))} bastion sshd[${rng.int(1000, 65000)}]: ${text} from ${e.source_ip} port ${rng.int(32768, 60999)} ssh2`,
    format: 'syslog',
  });
  if (e.event_type === 'suspicious_login') return [line(0, `Accepted password for ${String(payload.username)}`)];
  // The round's failures, a few seconds apart, ending at the event's time.
  return Array.from({ length: SSH_FAILURES_PER_ROUND }, (_, i) =>
    line((SSH_FAILURES_PER_ROUND - 1 - i) * 2_000, `Failed password for ${users[i % users.length]!}`),
  );
}

function nativeRecord(sim: SimulatedEvent, rng: Rng): NativeRecord | undefined {
  const e = sim.event;
  const at = new Date(e.timestamp);
  const payload = (e.payload ?? {}) as Record<string, unknown>;
  const eve = (record: Record<string, unknown>): NativeRecord => ({
    value: JSON.stringify({ timestamp: eveTime(at, rng), flow_id: flowId(rng), in_iface: 'eth0', ...record }),
    format: 'suricata-eve',
  });
  const srcPort = rng.int(32768, 60999);
  switch (e.event_type) {
    case 'dns_query':
      return eve({
        event_type: 'dns',
        src_ip: e.source_ip,
        src_port: srcPort,
        dest_ip: e.destination_ip,
        dest_port: 53,
        proto: 'UDP',
        dns: { type: 'query', id: rng.int(1, 65535), rrname: payload.query, rrtype: payload.record_type, tx_id: 0, opcode: 0 },
      });
    case 'netflow':
      return eve({
        event_type: 'flow',
        src_ip: e.source_ip,
        src_port: srcPort,
        dest_ip: e.destination_ip,
        dest_port: e.destination_port,
        proto: 'TCP',
        app_proto: e.destination_port === 443 ? 'tls' : 'failed',
        flow: {
          pkts_toserver: Math.ceil(Number(payload.packets) / 2),
          pkts_toclient: Math.floor(Number(payload.packets) / 2),
          bytes_toserver: payload.bytes_out,
          bytes_toclient: payload.bytes_in,
          start: eveTime(new Date(at.getTime() - Number(payload.duration_seconds) * 1000), rng),
          end: eveTime(at, rng),
          age: payload.duration_seconds,
          state: 'closed',
          reason: 'timeout',
          alerted: false,
        },
      });
    case 'auth_success':
      return {
        value: `<38>${syslogTime(at)} bastion sshd[${rng.int(1000, 65000)}]: Accepted publickey for ${String(payload.username)} from ${e.source_ip} port ${srcPort} ssh2: ED25519 SHA256:${rng.hex(43)}`,
        format: 'syslog',
      };
    case 'http_request':
    case 'sql_injection':
    case 'xss':
      // The request line as nginx logs it: the attack is in the URI, for the web rules to find.
      return {
        value: `${e.source_ip} - - [${ncsaTime(at)}] "${String(payload.method)} ${String(payload.url)} HTTP/1.1" ${String(payload.status_code)} ${String(payload.bytes_out ?? rng.int(200, 9000))} "-" "${String(payload.user_agent)}"`,
        format: 'syslog',
      };
    case 'port_scan': {
      const port = e.destination_port ?? 5432;
      return eve({
        event_type: 'alert',
        src_ip: e.source_ip,
        src_port: srcPort,
        dest_ip: e.destination_ip,
        dest_port: port,
        proto: 'TCP',
        alert: {
          action: 'allowed',
          gid: 1,
          // A simulator rule (not an ET sid), worded and tagged like ET Open's SCAN rules.
          signature_id: 9900100,
          rev: 1,
          signature: `THREATSTREAM SIM SCAN Suspicious inbound to port ${port}`,
          category: 'Potentially Bad Traffic',
          severity: 2,
          metadata: { mitre_tactic_id: ['TA0043'], mitre_technique_id: ['T1046'] },
        },
      });
    }
    default:
      return undefined;
  }
}
