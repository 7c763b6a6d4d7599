/**
 * Domain throughput benchmark: how many events per second one Node thread can take from JSON
 * bytes to a scored threat (parseEventBytes → assessEvent: enrich, rules, MITRE, score).
 * No Firebase, no I/O in the timed loop.
 *
 *   npx tsx bench/domain-throughput.ts [events]        (default 200,000)
 *
 * Events are generated from a fixed seed, so runs are comparable: every event type, mixed
 * public/private/IPv6/IPv4-mapped addresses, payload field-name variants, and 1% invalid
 * messages (which take the dead-letter path). Exits 1 when below the target.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_DETECTION_CONFIG } from '../functions/src/domain/config';
import { assessEvent } from '../functions/src/domain/assess';
import { loadIpIntelligence } from '../functions/src/domain/enrich/geoip';
import { EVENT_TYPES, parseEventBytes, type EventType, type Severity } from '../functions/src/domain/event';
import { createRng } from '../tools/simulator/prng';

const TARGET_EVENTS_PER_SECOND = 20_000;
const EVENT_COUNT = Number(process.argv[2] ?? 200_000);
const WARM_UP_EVENTS = 20_000;
const BATCH_SIZE = 1_000;
/** Earlier events from the same source, as the ingest function would count them. */
const RECENT_ACTIVITY = 3;
const SEED = 0x5eed;

const rng = createRng(SEED);

function publicIpv4(): string {
  // Redraw the first octet until it is not private, loopback, CGNAT-heavy or multicast.
  let first: number;
  do first = rng.int(1, 223);
  while (first === 10 || first === 127 || first === 100 || first === 169 || first === 172 || first === 192);
  return `${first}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}
const privateIpv4 = () =>
  rng.pick([
    () => `10.0.${rng.int(0, 3)}.${rng.int(1, 254)}`,
    () => `172.16.${rng.int(0, 31)}.${rng.int(1, 254)}`,
    () => `192.168.${rng.int(0, 9)}.${rng.int(1, 254)}`,
  ])();
const IPV6_PREFIXES = ['2a00:1450:4001', '2001:4860:4860', '2a02:26f0:fd', '2606:4700:3033', '2a01:4f8:c17', '2400:cb00:2049'];
const publicIpv6 = () => `${rng.pick(IPV6_PREFIXES)}:${rng.int(0, 0xffff).toString(16)}::${rng.int(1, 0xffff).toString(16)}`;
/** Attackers repeat: most public sources come from a pool, like real attack traffic. */
const ATTACKER_POOL = Array.from({ length: 5_000 }, publicIpv4);

function sourceIp(): string {
  const roll = rng.next();
  if (roll < 0.5) return rng.pick(ATTACKER_POOL);
  if (roll < 0.65) return publicIpv4();
  if (roll < 0.9) return privateIpv4();
  if (roll < 0.97) return publicIpv6();
  return `::ffff:${rng.pick(ATTACKER_POOL)}`;
}
const destinationIp = () => (rng.chance(0.1) ? rng.pick(['10.0.0.100', '10.0.0.10']) : rng.chance(0.8) ? privateIpv4() : publicIpv4());

const USERS = ['root', 'admin', 'alice', 'bob', 'svc-backup', 'oracle', 'ubuntu', 'jdoe'];
const SQLI = ["1' OR '1'='1", "1 UNION SELECT username,password FROM users--", "1; DROP TABLE orders", "1' AND SLEEP(5)--", 'id=%27%20OR%201%3D1--'];
const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(document.cookie)>', 'javascript:alert(1)', '<svg onload=fetch("//x.y")>'];

/** A realistic payload for each type, with field-name variants producers use. */
const PAYLOADS: Readonly<Record<EventType, () => Record<string, unknown>>> = {
  brute_force: () =>
    rng.chance(0.5)
      ? { attempts: rng.int(3, 2000), user: rng.pick(USERS), duration_seconds: rng.int(10, 600) }
      : { failed_attempts: String(rng.int(5, 500)), users: USERS.slice(0, rng.int(1, 8)) },
  port_scan: () =>
    rng.chance(0.5)
      ? { ports_scanned: rng.int(10, 65535), scan_type: rng.pick(['SYN', 'connect', 'XMAS', 'UDP']) }
      : { ports: Array.from({ length: rng.int(2, 40) }, () => rng.int(1, 65535)), hosts: rng.int(1, 256), tool: rng.pick(['nmap', 'masscan', 'nuclei']) },
  malware: () => ({
    signature: rng.pick(['Trojan.Emotet', 'RedLine Stealer', 'XMRig miner', 'Mimikatz', 'Generic.Malware']),
    sha256: Array.from({ length: 64 }, () => rng.int(0, 15).toString(16)).join(''),
    file: `C:\\Users\\${rng.pick(USERS)}\\Downloads\\invoice_${rng.int(1, 999)}.exe`,
    action: rng.pick(['quarantined', 'allowed', 'blocked']),
  }),
  ddos: () =>
    rng.chance(0.5)
      ? { pps: rng.int(1e4, 5e6), attack_vector: rng.pick(['SYN flood', 'UDP flood', 'DNS amplification']), sources: rng.int(10, 20_000) }
      : { requests_per_second: String(rng.int(500, 80_000)), vector: 'HTTP GET flood' },
  sql_injection: () => ({ query: rng.pick(SQLI), status_code: rng.pick([200, 403, 500]), user_agent: rng.pick(['sqlmap/1.7', 'Mozilla/5.0']) }),
  xss: () => ({ url: `/search?q=${encodeURIComponent(rng.pick(XSS))}`, blocked: rng.chance(0.5) }),
  phishing: () => ({
    sender: `billing@${rng.pick(['paypa1.com', 'micros0ft-support.net', 'dhl-track.info'])}`,
    subject: rng.pick(['Invoice overdue', 'Password expires today', 'Your parcel is waiting']),
    urls: [`https://${rng.pick(['login-verify.com', 'secure-docs.net'])}/${rng.int(1, 9999)}`],
    attachments: rng.chance(0.3) ? ['invoice.html'] : [],
    recipients: rng.int(1, 300),
    clicked: rng.chance(0.2),
    spf: rng.pick(['pass', 'fail', 'softfail']),
  }),
  data_exfiltration: () =>
    rng.chance(0.5)
      ? { bytes_out: rng.int(1e6, 5e10), destination_domain: rng.pick(['mega.nz', 'dropbox.com', 'pastebin.com', 'unknown-host.xyz']) }
      : { bytes_transferred: `${rng.int(1, 900)} MB`, files: rng.int(1, 5000), data_classification: rng.pick(['confidential', 'internal', 'public']) },
  privilege_escalation: () => ({
    user: rng.pick(USERS),
    target_user: rng.pick(['root', 'SYSTEM', 'Administrator']),
    method: rng.pick(['sudo', 'CVE-2021-4034 pkexec', 'fodhelper UAC bypass', 'added to Domain Admins']),
    success: rng.chance(0.6),
  }),
  ransomware: () => ({
    files_encrypted: rng.int(1, 50_000),
    extension: rng.pick(['.lockbit', '.akira', '.locked']),
    command_line: rng.chance(0.5) ? 'vssadmin delete shadows /all /quiet' : 'explorer.exe',
  }),
  c2_beacon: () => ({
    beacon_interval: rng.pick([30, 60, 300, 3600]),
    jitter: rng.pick([0.05, 0.1, 20, 0.5]),
    beacons: rng.int(5, 2000),
    domain: `${Array.from({ length: 12 }, () => String.fromCharCode(rng.int(97, 122))).join('')}.top`,
    framework: rng.pick(['Cobalt Strike', 'Sliver', 'unknown']),
  }),
  suspicious_login: () => ({
    username: rng.pick(USERS),
    reasons: rng.pick([['impossible_travel'], ['new_device', 'off_hours'], ['tor'], []]),
    mfa_prompts: rng.int(0, 12),
    success: rng.chance(0.5),
    service: rng.pick(['Okta', 'VPN', 'Office 365', 'ssh']),
  }),
  unknown: () => ({ raw: 'unparsed vendor line', severity_hint: rng.int(1, 10) }),
};

function generateEvent(index: number): Uint8Array {
  if (index % 100 === 99) {
    // 1% invalid: bad IP, bad port, or not JSON at all.
    return Buffer.from(
      rng.pick([
        `{"event_id":"bad-${index}","timestamp":"2025-12-27T19:00:00Z","event_type":"ddos","source_ip":"999.1.1.1"}`,
        `{"event_id":"bad-${index}","timestamp":"2025-12-27T19:00:00Z","event_type":"ddos","source_ip":"1.2.3.4","destination_port":70000}`,
        'not json at all',
      ]),
    );
  }
  const type = rng.chance(0.03) ? 'vendor_specific_alert' : rng.pick(EVENT_TYPES);
  const payloadType: EventType = (EVENT_TYPES as readonly string[]).includes(type) ? (type as EventType) : 'unknown';
  const event: Record<string, unknown> = {
    event_id: `evt-${index.toString(36)}-${rng.int(0, 1e9).toString(36)}`,
    timestamp: new Date(Date.UTC(2025, 11, 27, 19, 0, 0) + index * 50).toISOString(),
    event_type: type,
    source_ip: sourceIp(),
    protocol: rng.pick(['TCP', 'UDP', 'tcp', 'HTTPS']),
    payload: PAYLOADS[payloadType](),
  };
  if (!rng.chance(0.1)) {
    event.destination_ip = destinationIp();
    event.destination_port = rng.pick([22, 80, 443, 445, 3389, 3306, 8443, 53, rng.int(1024, 65535)]);
  }
  if (rng.chance(0.2)) event.sensor = rng.pick(['suricata', 'zeek', 'crowdstrike']); // unknown field → metadata
  return Buffer.from(JSON.stringify(event));
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;

/**
 * Full garbage collections with a pause between them, so memory figures show what is kept
 * rather than what is not yet freed (the ASN CSVs are read whole, then dropped, and large
 * buffers are released by a background sweeper). Exposing gc at run time spares a node flag.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
async function settleMemory(): Promise<void> {
  collectGarbage();
  await delay(200);
  collectGarbage();
}

async function main(): Promise<void> {
  console.log(`Generating ${EVENT_COUNT.toLocaleString('en-US')} events (seed 0x${SEED.toString(16)})...`);
  const messages = Array.from({ length: EVENT_COUNT }, (_, index) => generateEvent(index));
  const averageBytes = messages.reduce((total, message) => total + message.byteLength, 0) / messages.length;

  await settleMemory();
  const memoryBefore = process.memoryUsage();
  const loadStart = performance.now();
  const intel = await loadIpIntelligence();
  const loadMs = performance.now() - loadStart;
  await settleMemory();
  const memoryAfterLoad = process.memoryUsage();
  const deps = { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity: RECENT_ACTIVITY };

  const severities: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 };
  let rejected = 0;
  const process_ = (message: Uint8Array): void => {
    const parsed = parseEventBytes(message);
    if (!parsed.ok) {
      rejected++;
      return;
    }
    severities[assessEvent(parsed.event, deps).risk.severity]++;
  };

  for (let index = 0; index < Math.min(WARM_UP_EVENTS, messages.length); index++) process_(messages[index]!);
  rejected = 0;
  for (const severity of Object.keys(severities) as Severity[]) severities[severity] = 0;

  const batchMicrosPerEvent: number[] = [];
  const start = performance.now();
  for (let batchStart = 0; batchStart < messages.length; batchStart += BATCH_SIZE) {
    const batchEnd = Math.min(messages.length, batchStart + BATCH_SIZE);
    const batchTimer = performance.now();
    for (let index = batchStart; index < batchEnd; index++) process_(messages[index]!);
    batchMicrosPerEvent.push(((performance.now() - batchTimer) * 1000) / (batchEnd - batchStart));
  }
  const elapsedMs = performance.now() - start;
  const eventsPerSecond = (messages.length / elapsedMs) * 1000;
  batchMicrosPerEvent.sort((a, b) => a - b);
  await settleMemory();
  const memoryEnd = process.memoryUsage();

  const pass = eventsPerSecond >= TARGET_EVENTS_PER_SECOND;
  console.log(`node ${process.version}, one thread, ${messages.length.toLocaleString('en-US')} events of ~${averageBytes.toFixed(0)} bytes, batches of ${BATCH_SIZE}, recentActivity=${RECENT_ACTIVITY}`);
  console.log(`IP intelligence load: ${loadMs.toFixed(0)} ms, +${mb(memoryAfterLoad.rss - memoryBefore.rss)} RSS (+${mb(memoryAfterLoad.external - memoryBefore.external)} outside the heap, +${mb(memoryAfterLoad.heapUsed - memoryBefore.heapUsed)} heap)`);
  console.log(`throughput: ${Math.round(eventsPerSecond).toLocaleString('en-US')} events/s (${elapsedMs.toFixed(0)} ms total)`);
  console.log(`µs/event per batch: p50 ${percentile(batchMicrosPerEvent, 0.5).toFixed(1)}, p99 ${percentile(batchMicrosPerEvent, 0.99).toFixed(1)}, max ${batchMicrosPerEvent.at(-1)!.toFixed(1)}`);
  console.log(`memory at end (after GC, ${mb(messages.length * averageBytes)} of generated messages still held): RSS ${mb(memoryEnd.rss)}, heap used ${mb(memoryEnd.heapUsed)}, external ${mb(memoryEnd.external)}`);
  console.log(`outcomes: ${rejected} rejected; ${Object.entries(severities).map(([severity, count]) => `${severity} ${count}`).join(', ')}`);
  console.log(`${pass ? 'PASS' : 'FAIL'}: ${Math.round(eventsPerSecond).toLocaleString('en-US')} events/s vs target ${TARGET_EVENTS_PER_SECOND.toLocaleString('en-US')} (${(eventsPerSecond / TARGET_EVENTS_PER_SECOND).toFixed(1)}×)`);
  if (!pass) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
