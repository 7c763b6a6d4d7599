// API latency benchmark on the Emulator Suite.
//
//   npx tsx bench/api-latency.ts [--threats 10000] [--requests 300]
//
// With 10,000 threats stored (scored through the real assess path: GeoIP/ASN enrichment, rules,
// MITRE, risk score) and the metric buckets, risk index and alerts a day of them would leave,
// measures p50/p99 latency of GET /api/threats/recent?limit=50 and GET /api/analytics/dashboard
// through Hosting (port 5000, /api/** rewritten to the api function), next to a trivial HTTPS
// function behind the same Hosting emulator in the same run (bench/api-baseline-function), and
// prints each as a ratio of that baseline.
//
// Started without emulators it runs two emulator sessions itself, each under the shared lock
// (/tmp/threatstream-emulators.lock): (1) Firestore only, to store the data set, exported on exit;
// (2) the whole suite with that data imported and the baseline function added. Importing means no
// trigger runs for the 10,000 stored threats, so the measurement is not competing with them.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { assessEvent } from '../functions/src/domain/assess';
import { DEFAULT_DETECTION_CONFIG } from '../functions/src/domain/config';
import { loadIpIntelligence } from '../functions/src/domain/enrich/geoip';
import { EVENT_TYPES, SEVERITIES, parseEvent, type Severity } from '../functions/src/domain/event';
import { threatIdFor } from '../functions/src/firestore/refs';
import { AlertDocSchema, ThreatDocSchema, type ThreatDoc } from '../functions/src/firestore/schema';
import { bucketId, bucketStart, minuteKey } from '../functions/src/metrics/buckets';
import { createUser } from '../test/support/auth';
import { firestore, PROJECT_ID } from '../test/support/emulators';

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const THREATS = option('threats', 10_000);
const REQUESTS = option('requests', 300);
const WARMUP = 30;
const HOSTING = 'http://127.0.0.1:5000';
const DATA_DIR = join(ROOT, '.cache/bench-api-data');

async function orchestrate(): Promise<void> {
  const launcher = pathToFileURL(join(ROOT, 'tools/emulators.mjs')).href;
  const { offlineEmulatorEnv } = (await import(launcher)) as { offlineEmulatorEnv: () => Record<string, string> };
  const env = { ...process.env, ...offlineEmulatorEnv() };
  const firebase = join(ROOT, 'node_modules/.bin/firebase');
  const self = `npx tsx bench/api-latency.ts ${args.join(' ')}`;
  const locked = (firebaseArgs: string[]) =>
    execFileSync('flock', ['/tmp/threatstream-emulators.lock', firebase, ...firebaseArgs, '--project', PROJECT_ID], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    });

  // The baseline codebase, and Hosting routing /bench/** to it, only in this run's config.
  const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8'));
  config.functions.push({ source: 'bench/api-baseline-function', codebase: 'bench-api-baseline' });
  config.hosting.rewrites.unshift({ source: '/bench/**', function: { functionId: 'baselineHttp', region: 'us-central1' } });
  const work = mkdtempSync(join(tmpdir(), 'bench-api-'));
  const benchConfig = join(ROOT, '.firebase.bench-api.json');
  writeFileSync(benchConfig, JSON.stringify(config, null, 2));
  try {
    rmSync(DATA_DIR, { recursive: true, force: true });
    console.log(`api-latency: storing ${THREATS} threats (Firestore emulator only, exported to ${DATA_DIR})`);
    locked(['emulators:exec', `${self} --phase seed`, '--only', 'firestore', '--export-on-exit', DATA_DIR]);
    console.log('api-latency: measuring on the whole suite, with the data imported');
    locked([
      'emulators:exec',
      `${self} --phase measure`,
      '--only',
      'functions,firestore,pubsub,auth,hosting',
      '--import',
      DATA_DIR,
      '--config',
      benchConfig,
    ]);
  } finally {
    rmSync(benchConfig, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- seed: realistic threats, and the buckets, risk index and alerts a day of them leaves ----

const SOURCES = [
  '185.234.72.91', '45.155.205.233', '193.142.146.35', '80.82.77.139', '141.98.11.23', '92.63.197.153',
  '5.188.206.14', '103.75.190.11', '61.177.172.140', '218.92.0.107', '222.186.30.112', '179.43.175.5',
  '89.248.165.74', '162.142.125.10', '167.94.138.44', '10.0.4.17', '10.0.8.23', '192.168.10.5',
];
const PAYLOADS: Record<string, { payload: Record<string, unknown>; port?: number }> = {
  brute_force: { payload: { attempts: 180, username: 'root' }, port: 22 },
  port_scan: { payload: { ports: [21, 22, 23, 80, 443, 445, 3389, 8080] } },
  malware: { payload: { signature: 'Emotet', file_hash: 'e3b0c44298fc1c149afbf4c8996fb924' }, port: 445 },
  ddos: { payload: { requests_per_second: 50_000 }, port: 443 },
  sql_injection: { payload: { query: "' OR 1=1 --", url: '/login' }, port: 443 },
  xss: { payload: { url: '/search?q=<script>alert(1)</script>' }, port: 443 },
  phishing: { payload: { url: 'http://paypa1-login.example/verify', recipients: 12 }, port: 25 },
  data_exfiltration: { payload: { bytes_out: 4_800_000_000, destination: 'mega.nz' }, port: 443 },
  privilege_escalation: { payload: { user: 'svc-backup', new_group: 'Domain Admins' }, port: 389 },
  ransomware: { payload: { files_encrypted: 1200, extension: '.lockbit' }, port: 445 },
  c2_beacon: { payload: { beacon_interval_seconds: 60, domain: 'cdn-update.example' }, port: 443 },
  suspicious_login: { payload: { username: 'admin', failed_attempts: 3, country: 'KP' }, port: 443 },
  unknown: { payload: {} },
};

async function seed(): Promise<void> {
  const db = firestore();
  const intel = await loadIpIntelligence();
  const now = Date.now();
  const day = 86_400_000;
  const threats: ThreatDoc[] = [];
  for (let i = 0; i < THREATS; i++) {
    const type = EVENT_TYPES[i % EVENT_TYPES.length]!;
    const { payload, port } = PAYLOADS[type]!;
    // Spread over the last 24 hours, denser towards now.
    const at = new Date(now - Math.floor(day * Math.pow((i * 7919) % THREATS / THREATS, 2)));
    const parsed = parseEvent({
      event_id: `bench-${String(i).padStart(6, '0')}`,
      timestamp: at.toISOString(),
      event_type: type,
      source_ip: SOURCES[(i * 31) % SOURCES.length],
      destination_ip: `10.0.0.${1 + (i % 250)}`,
      ...(port !== undefined && { destination_port: port }),
      protocol: 'TCP',
      payload,
    });
    if (!parsed.ok) throw new Error(parsed.reason);
    const event = parsed.event;
    const assessment = assessEvent(event, { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity: i % 7 });
    threats.push(
      ThreatDocSchema.parse({
        ...event,
        occurredAt: Timestamp.fromDate(at),
        geo: assessment.source,
        ...(assessment.destination && { destinationGeo: assessment.destination }),
        analysis: assessment.analysis,
        risk: assessment.risk,
        recentActivity: i % 7,
        messageId: `bench-${randomUUID()}`,
        createdAt: Timestamp.fromDate(at),
        expireAt: Timestamp.fromMillis(at.getTime() + 90 * day),
      }),
    );
  }
  const started = performance.now();
  for (let offset = 0; offset < threats.length; offset += 500) {
    const batch = db.batch();
    for (const threat of threats.slice(offset, offset + 500)) batch.set(db.collection('threats').doc(threatIdFor(threat.event_id)), threat);
    await batch.commit();
  }
  console.log(`  ${threats.length} threats in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await seedMetrics(db, threats, now);
  await seedAlerts(db, threats);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, threats.filter((t) => t.risk.severity === s).length]));
  console.log(`  by severity ${JSON.stringify(bySeverity)}`);
}

/** Per-hour (24) and per-minute (last 2 hours) buckets, 8 shards each, as the metrics triggers write them. */
async function seedMetrics(db: Firestore, threats: ThreatDoc[], now: number): Promise<void> {
  const SHARDS = 8;
  const shards = new Map<string, Record<string, any>>();
  threats.forEach((threat, i) => {
    const at = threat.createdAt.toDate();
    for (const granularity of ['hour', 'minute'] as const) {
      if (granularity === 'minute' && now - at.getTime() > 2 * 3_600_000) continue;
      const start = bucketStart(granularity, at);
      const key = `${bucketId(granularity, start)}/${i % SHARDS}`;
      const shard = shards.get(key) ?? {
        bucket: bucketId(granularity, start),
        granularity,
        bucketStart: Timestamp.fromDate(start),
        writes: 0,
        events: 0,
        rejected: 0,
        alertsOpened: 0,
        alertsClosed: 0,
        bySeverity: {},
        byType: {},
        byCountry: {},
        expireAt: Timestamp.fromMillis(start.getTime() + 7 * 86_400_000),
      };
      shard.writes += 1;
      shard.events += 1;
      const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
      bump(shard.bySeverity, threat.risk.severity);
      bump(shard.byType, threat.event_type);
      bump(shard.byCountry, threat.geo.country ?? 'unknown');
      shards.set(key, shard);
    }
  });
  const entries = [...shards];
  for (let offset = 0; offset < entries.length; offset += 500) {
    const batch = db.batch();
    for (const [key, shard] of entries.slice(offset, offset + 500)) {
      const [bucket, n] = key.split('/');
      batch.set(db.collection('metrics').doc(bucket!).collection('shards').doc(n!), shard);
    }
    await batch.commit();
  }
  // The risk index: `current` and a per-minute timeline for the last hour.
  const batch = db.batch();
  for (let k = 0; k <= 60; k++) {
    const start = bucketStart('minute', new Date(now - (k + 1) * 60_000));
    const index = 40 + Math.round(20 * Math.sin(k / 9));
    const doc = {
      kind: k === 0 ? 'current' : 'minute',
      minute: minuteKey(start),
      bucketStart: Timestamp.fromDate(start),
      index,
      level: index >= 75 ? 'severe' : index >= 50 ? 'elevated' : index >= 25 ? 'guarded' : 'low',
      load: index / 10,
      baseline: 3,
      reference: 5,
      recent: { CRITICAL: 12, HIGH: 40, MEDIUM: 80, LOW: 30, INFO: 10 },
      contributions: [
        { severity: 'CRITICAL', weight: 25, load: 2 },
        { severity: 'HIGH', weight: 10, load: 1.5 },
      ],
      windowMinutes: 30,
      halfLifeMinutes: 5,
      computedAt: Timestamp.fromMillis(now),
      expireAt: k === 0 ? null : Timestamp.fromMillis(now + 86_400_000),
    };
    batch.set(db.collection('riskIndex').doc(k === 0 ? 'current' : minuteKey(start)), doc);
    if (k === 0) batch.set(db.collection('riskIndex').doc(minuteKey(start)), { ...doc, kind: 'minute', expireAt: Timestamp.fromMillis(now + 86_400_000) });
  }
  await batch.commit();
  console.log(`  ${entries.length} metric shards, risk index and 60-minute timeline`);
}

/** One alert per HIGH/CRITICAL source and type, as the dedup would leave them. */
async function seedAlerts(db: Firestore, threats: ThreatDoc[]): Promise<void> {
  const groups = new Map<string, ThreatDoc[]>();
  for (const threat of threats) {
    if (threat.risk.severity !== 'HIGH' && threat.risk.severity !== 'CRITICAL') continue;
    const key = `${threat.source_ip}|${threat.event_type}`;
    groups.set(key, [...(groups.get(key) ?? []), threat]);
  }
  const batch = db.batch();
  let i = 0;
  for (const [key, group] of groups) {
    const first = group[0]!;
    const last = group[group.length - 1]!;
    const alert = AlertDocSchema.parse({
      title: `${first.event_type} from ${first.source_ip}`,
      severity: group.some((t) => t.risk.severity === 'CRITICAL') ? 'CRITICAL' : 'HIGH',
      status: i++ % 3 === 0 ? 'ACKNOWLEDGED' : 'OPEN',
      dedupKey: key,
      eventType: first.event_type,
      sourceIp: first.source_ip,
      threatIds: group.slice(-50).map((t) => threatIdFor(t.event_id)),
      eventIds: group.slice(-50).map((t) => t.event_id),
      occurrences: group.length,
      maxRiskScore: Math.max(...group.map((t) => t.risk.score)),
      mitre: first.analysis.mitre,
      firstSeen: first.occurredAt,
      lastSeen: last.occurredAt,
      assignee: null,
      acknowledgedBy: null,
      acknowledgedAt: null,
      resolvedBy: null,
      resolvedAt: null,
      resolutionNote: null,
      createdAt: first.createdAt,
      updatedAt: last.createdAt,
    });
    batch.set(db.collection('alerts').doc(threatIdFor(first.event_id)), alert);
  }
  await batch.commit();
  console.log(`  ${groups.size} alerts`);
}

// ---- measure ----

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed(url: string, token: string | undefined, check: (body: any) => void): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const body = await response.json();
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body)}`);
  check(body);
  return elapsed;
}

async function measure(): Promise<void> {
  const db = firestore();
  const stored = (await db.collection('threats').count().get()).data().count;
  const viewer = await createUser('viewer', 'bench');
  const targets = [
    { name: 'baseline: trivial function via Hosting', url: `${HOSTING}/bench/ping`, token: undefined, check: (b: any) => void b.ok },
    {
      name: 'GET /api/threats/recent?limit=50',
      url: `${HOSTING}/api/threats/recent?limit=50`,
      token: viewer.idToken,
      check: (b: any) => {
        if (b.threats.length !== 50) throw new Error(`expected 50 threats, got ${b.threats.length}`);
      },
    },
    {
      name: 'GET /api/analytics/dashboard',
      url: `${HOSTING}/api/analytics/dashboard`,
      token: viewer.idToken,
      check: (b: any) => {
        if (b.currentHour === undefined || b.riskIndex === null) throw new Error('dashboard without figures');
      },
    },
  ];
  // Warm every worker and cache, then interleave the targets so drift hits them alike.
  for (let i = 0; i < WARMUP; i++) for (const t of targets) await timed(t.url, t.token, t.check);
  const samples = targets.map(() => [] as number[]);
  for (let i = 0; i < REQUESTS; i++) {
    for (const [k, t] of targets.entries()) samples[k]!.push(await timed(t.url, t.token, t.check));
  }
  const figures = samples.map((values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  });
  const base = figures[0]!;
  console.log(
    `\nAPI latency: ${stored} threats stored, ${REQUESTS} sequential requests per target after ${WARMUP} warm-up rounds,` +
      ` through Hosting (127.0.0.1:5000) on the Emulator Suite`,
  );
  console.log(`${'target'.padEnd(42)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'p50 ×base'.padStart(11)}${'p99 ×base'.padStart(11)}`);
  for (const [k, t] of targets.entries()) {
    const f = figures[k]!;
    console.log(
      `${t.name.padEnd(42)}${f.p50.toFixed(1).padStart(9)}${f.p99.toFixed(1).padStart(9)}` +
        `${(f.p50 / base.p50).toFixed(2).padStart(11)}${(f.p99 / base.p99).toFixed(2).padStart(11)}`,
    );
  }
}

async function main() {
  const phase = args.includes('--phase') ? args[args.indexOf('--phase') + 1] : undefined;
  if (phase === 'seed') await seed();
  else if (phase === 'measure') await measure();
  else if (process.env.FIRESTORE_EMULATOR_HOST) throw new Error('run without emulators: the benchmark starts its own sessions');
  else await orchestrate();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
