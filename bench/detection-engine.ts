/**
 * Detection engine throughput: observations per second one Node thread takes through the whole
 * built-in pack (every rule evaluated on every observation, keyed windows in memory, detections
 * fed to the kill-chain rule). No Firebase, no I/O in the timed loop.
 *
 *   npx tsx bench/detection-engine.ts [observations]        (default 500,000)
 *
 * A realistic mixed stream from a fixed seed, event time advancing 2,000 observations/s:
 * flows (55%: internal browsing, DNS, a few scans, one beacon, one large upload), web access
 * log lines (25%: mostly ordinary, ~2% attacks), SSH logins (15%: mostly good, a few guessing
 * sources), Google Cloud audit entries (5%). Exits 1 below the target.
 */
import type { NormalizedEvent } from '@threatstream/events';
import { DetectionEngine } from '../functions/src/detection/engine';
import { BUILT_IN_RULES } from '../functions/src/detection/pack';
import { flow, gcpAudit, sshLogin, webRequest } from '../functions/src/detection/pack/fixtures';
import { createRng } from '../tools/simulator/prng';

const TARGET = 50_000;
const COUNT = Number(process.argv[2] ?? 500_000);
const WARM_UP = 50_000;
const EVENTS_PER_SECOND_OF_EVENT_TIME = 2_000;
const rng = createRng(0xde7ec7);

const internal = () => `10.0.${rng.int(0, 15)}.${rng.int(1, 254)}`;
const external = () => `${rng.pick([23, 34, 45, 52, 81, 93, 104, 142, 151, 185, 203])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
const SERVERS = Array.from({ length: 40 }, external);
const ATTACKERS = Array.from({ length: 30 }, external);
const USERS = ['root', 'admin', 'alice', 'bob', 'svc-backup', 'oracle', 'ubuntu', 'jdoe', 'carol', 'dave'];
const STATIC = ['/', '/index.html', '/static/app.js', '/static/app.css', '/login', '/cart', '/img/logo.png', '/favicon.ico'];
const WORDS = ['blue', 'shoes', 'red', 'jacket', 'size', 'kids', 'sale', 'wool', 'rain', 'boots', 'select', 'from', 'union', 'station'];
/** Half the requests are assets and fixed pages; half carry ids and search terms that rarely repeat. */
const page = () =>
  rng.chance(0.5)
    ? rng.pick(STATIC)
    : rng.pick([
        () => `/products?id=${rng.int(1, 200_000)}&ref=${rng.pick(['home', 'search', 'mail'])}`,
        () => `/search?q=${rng.pick(WORDS)}+${rng.pick(WORDS)}&page=${rng.int(1, 9)}`,
        () => `/api/v1/orders?limit=20&offset=${rng.int(0, 5000)}&sort=-created`,
        () => `/blog/2026/${rng.int(1, 12)}/${rng.pick(WORDS)}-${rng.pick(WORDS)}-${rng.int(1, 999)}`,
      ])();
const ATTACKS = ["/item.php?id=1'+OR+'1'='1", '/download?file=../../../../etc/passwd', '/search?q=%3Cscript%3Ealert(1)%3C/script%3E', '/ping?host=127.0.0.1;cat+/etc/passwd', '/products?id=1%20UNION%20SELECT%20null,version()--'];

function makeStream(n: number): NormalizedEvent[] {
  const events: NormalizedEvent[] = [];
  const beaconHost = internal();
  let nextBeacon = 0;
  for (let i = 0; i < n; i++) {
    const at = i / EVENTS_PER_SECOND_OF_EVENT_TIME;
    if (at >= nextBeacon) {
      events.push(flow({ src: beaconHost, dst: ATTACKERS[0]!, dport: 8443, at }));
      nextBeacon = at + 60 + rng.next() * 2;
      continue;
    }
    const roll = rng.next();
    if (roll < 0.55) {
      const kind = rng.next();
      if (kind < 0.01) events.push(flow({ src: rng.pick(ATTACKERS), dst: internal(), dport: rng.int(1, 65535), at, outcome: 'failure' }));
      else if (kind < 0.15) events.push(flow({ src: internal(), dst: '10.0.0.53', dport: 53, transport: 'udp', at }));
      else if (kind < 0.16) events.push(flow({ src: '10.0.3.7', dst: rng.pick(SERVERS), dport: 443, bytesOut: 3_000_000, at }));
      else events.push(flow({ src: internal(), dst: rng.pick(SERVERS), dport: rng.pick([443, 443, 443, 80, 22, 993]), bytesOut: rng.int(200, 200_000), at }));
    } else if (roll < 0.8) {
      const attack = rng.chance(0.02);
      events.push(webRequest({ src: attack ? rng.pick(ATTACKERS) : external(), url: attack ? `${rng.pick(ATTACKS)}&t=${rng.int(1, 1e6)}` : page(), method: rng.chance(0.1) ? 'POST' : 'GET', status: rng.pick([200, 200, 200, 304, 404, 401]), at }));
    } else if (roll < 0.95) {
      const guessing = rng.chance(0.2);
      events.push(sshLogin({ src: guessing ? rng.pick(ATTACKERS) : internal(), user: rng.pick(USERS), outcome: guessing || rng.chance(0.05) ? 'failure' : 'success', at }));
    } else {
      events.push(gcpAudit({ at, method: rng.pick(['storage.objects.get', 'v1.compute.instances.list', 'SetIamPolicy', 'google.iam.admin.v1.CreateServiceAccountKey']), service: 'cloudresourcemanager.googleapis.com', principal: `${rng.pick(USERS)}@example.com`, callerIp: external() }));
    }
  }
  return events;
}

const warmUp = makeStream(WARM_UP);
const stream = makeStream(COUNT);
const engine = new DetectionEngine(BUILT_IN_RULES);
for (const event of warmUp) engine.observe(event);

/** Runs the stream through an engine holding these rules; observations per wall and CPU second. */
function measure(rules: typeof BUILT_IN_RULES) {
  const engine = new DetectionEngine(rules);
  const byRule = new Map<string, number>();
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  for (const event of stream) {
    for (const detection of engine.observe(event)) byRule.set(detection.ruleId, (byRule.get(detection.ruleId) ?? 0) + 1);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { rate: COUNT / seconds, perCpuSecond: COUNT / ((cpu.user + cpu.system) / 1e6), keys: engine.keyCount, byRule };
}

const WEB_REGEX_RULES = new Set(['web-sql-injection', 'web-xss', 'web-path-traversal', 'web-command-injection']);
const full = measure(BUILT_IN_RULES);
const heapMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
const withoutWeb = measure(BUILT_IN_RULES.filter((rule) => !WEB_REGEX_RULES.has(rule.id)));
const fmt = (n: number) => Math.round(n).toLocaleString('en');

console.log(`rules: ${BUILT_IN_RULES.length} (${[...new Set(BUILT_IN_RULES.map((r) => r.kind))].join(', ')})`);
console.log(`observations: ${fmt(COUNT)} over ${(COUNT / EVENTS_PER_SECOND_OF_EVENT_TIME / 60).toFixed(1)} min of event time`);
console.log(`whole pack: ${fmt(full.rate)} observations/s wall, ${fmt(full.perCpuSecond)} per CPU-second (target ≥ ${fmt(TARGET)})`);
console.log(`pack without the 4 web regex rules: ${fmt(withoutWeb.rate)} observations/s wall, ${fmt(withoutWeb.perCpuSecond)} per CPU-second (ratio ${(full.perCpuSecond / withoutWeb.perCpuSecond).toFixed(2)})`);
console.log(`keys held at the end: ${fmt(full.keys)}; heap used ${heapMiB} MiB`);
console.log(`detections: ${[...full.byRule].sort((a, b) => b[1] - a[1]).map(([rule, n]) => `${rule} ${n}`).join(', ')}`);
if (full.perCpuSecond < TARGET) {
  console.log('BELOW TARGET');
  process.exitCode = 1;
}
