/**
 * Gemini analysis benchmark: what the model path costs on top of the rules, in model calls and
 * in CPU per event, with a model that takes 300 ms per request. The CPU figures are information:
 * the model path runs in a function of its own, so what it costs ingest is measured where it
 * runs, by bench/gemini-emulators.ts. Its one target here is model calls per event.
 *
 *   npx tsx bench/gemini-analysis.ts [--events 10000] [--latency 300] [--in-flight 10000] [--batch 8] [--no-sweep]
 *
 * In process, no Firebase. Rules only: message bytes → parseEventBytes → assessEvent (real
 * GeoIP/ASN tables, rules, MITRE, score), as the ingest function does. With the model path, each
 * threat then goes through what analysis-onThreatCreated does: policy, signature, the in-memory
 * cache layer (LRU + joining calls in flight), budget, batching, the real @google/genai client
 * (timeout, retry, breaker) against the fake Gemini API — in its own process, answering after
 * --latency ms — and the combination into the threat update. The Firestore layer of the cache
 * (shared between instances) is left out: one process is one instance here. The per-minute budget
 * is lifted, so the call count shows what the cache, the policy and batching save.
 *
 * Throughput is events per CPU-second of this process (all its threads, garbage collection
 * included), from the first event until the last answer is combined: what one instance can
 * sustain when enough threats are in flight that waiting for the model costs no CPU, and what a
 * shared, busy machine cannot distort. The wall clock of this one burst is printed too, but a
 * burst shorter than one model call measures the latency, not the capacity. Best of 3 for both.
 *
 * Workload (fixed seed): 65% floods — 30 attack campaigns with Zipf-distributed sizes, each one
 * source repeating one attack with changing counters; 27% background noise — short SYN scans
 * between internal hosts from ~2,000 sources, which the policy leaves to the rules; 8% a long tail
 * of distinct attacks (one-off sources, every event type), which the model sees once each.
 */
import { DEFAULT_DETECTION_CONFIG } from '../functions/src/domain/config';
import { assessEvent } from '../functions/src/domain/assess';
import { loadIpIntelligence, type IpIntelligence } from '../functions/src/domain/enrich/geoip';
import { parseEvent, parseEventBytes, type SecurityEvent } from '../functions/src/domain/event';
import { Timestamp } from 'firebase-admin/firestore';
import { threatUpdate } from '../functions/src/analysis/analyse-threat';
import type { BatchingModel } from '../functions/src/analysis/batcher';
import { consultModel, type ConsultDeps, type ConsultOutcome } from '../functions/src/analysis/consult';
import { buildMessage } from '../functions/src/analysis/prompt';
import {
  ANALYSIS_CONCURRENCY,
  ANALYSIS_MAX_INSTANCES,
  createModelRuntime,
  geminiSettingsFrom,
} from '../functions/src/analysis/runtime';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createRng } from '../tools/simulator/prng';

const TARGET_CALLS_PER_EVENT = 0.1;

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const EVENTS = option('events', 10_000);
const LATENCY_MS = option('latency', 300);
/** Threats awaiting the model at once in this process (one instance with room for a burst). */
const MAX_IN_FLIGHT = option('in-flight', 10_000);
/** Events per Gemini request (GEMINI_BATCH_SIZE); 1 sends every event alone. */
const BATCH_SIZE = option('batch', 8);
const SEED = 0x6e6d;

// ---- workload ---------------------------------------------------------------------------------

const rng = createRng(SEED);

function publicIpv4(): string {
  let first: number;
  do first = rng.int(1, 223);
  while ([10, 100, 127, 169, 172, 192].includes(first));
  return `${first}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

type Raw = Record<string, unknown> & { event_type: string; source_ip: string };

/** One attack: the same source, type, target and payload shape; counters change per event. */
interface Campaign {
  name: string;
  make: (n: number) => Omit<Raw, 'event_id' | 'timestamp'>;
}

const CAMPAIGN_KINDS: ((source: string) => Campaign)[] = [
  (source) => ({
    name: 'ssh brute force',
    make: (n) => ({ event_type: 'brute_force', source_ip: source, destination_ip: '10.0.0.100', destination_port: 22, protocol: 'TCP', payload: { attempts: 20 + n, user: 'root', password: `guess-${n}` } }),
  }),
  (source) => ({
    name: 'rdp spraying',
    make: (n) => ({ event_type: 'brute_force', source_ip: source, destination_ip: `10.0.1.${1 + (n % 50)}`, destination_port: 3389, payload: { attempts: 30 + n, distinct_users: 12, attack_type: 'password spray' } }),
  }),
  (source) => ({
    name: 'sql injection',
    make: (n) => ({ event_type: 'sql_injection', source_ip: source, destination_ip: '10.0.2.10', destination_port: 443, payload: { query: `id=${n}' UNION SELECT username, password FROM users--`, status_code: 200, user_agent: 'sqlmap/1.8' } }),
  }),
  (source) => ({
    name: 'http flood',
    make: (n) => ({ event_type: 'ddos', source_ip: source, destination_ip: '10.0.3.5', destination_port: 80, payload: { requests_per_second: 40_000 + n, bytes: 1_000_000 * n } }),
  }),
  (source) => ({
    name: 'c2 beaconing',
    make: (n) => ({ event_type: 'c2_beacon', source_ip: `10.0.4.${1 + (Number(source.split('.')[3]) % 200)}`, destination_ip: source, destination_port: 443, payload: { interval_seconds: 60, jitter: 0.05, beacons: 10 + n, host: 'cdn-update.example' } }),
  }),
];

function campaigns(count: number): Campaign[] {
  return Array.from({ length: count }, (_, i) => CAMPAIGN_KINDS[i % CAMPAIGN_KINDS.length]!(publicIpv4()));
}

const TAIL_TYPES = ['malware', 'phishing', 'sql_injection', 'xss', 'data_exfiltration', 'c2_beacon', 'suspicious_login', 'ddos', 'ransomware', 'privilege_escalation', 'brute_force'];

function tailEvent(): Omit<Raw, 'event_id' | 'timestamp'> {
  const type = rng.pick(TAIL_TYPES);
  return {
    event_type: type,
    source_ip: publicIpv4(),
    destination_ip: `10.0.${rng.int(0, 9)}.${rng.int(1, 254)}`,
    destination_port: rng.pick([22, 80, 443, 445, 3389, 8080]),
    payload: { [rng.pick(['attempts', 'bytes_out', 'count', 'requests'])]: rng.int(1, 10_000), detail: `one-off ${type}` },
  };
}

function noiseEvent(sources: readonly string[]): Omit<Raw, 'event_id' | 'timestamp'> {
  return {
    event_type: 'port_scan',
    source_ip: rng.pick(sources),
    destination_ip: `10.0.${rng.int(0, 9)}.${rng.int(1, 254)}`,
    payload: { ports: rng.int(2, 4), scan_type: 'syn' },
  };
}

function workload(count: number): { events: SecurityEvent[]; messages: Buffer[]; mix: Record<string, number> } {
  const attacks = campaigns(30);
  // Zipf (s = 1.1): a few large floods and many small ones.
  const weights = attacks.map((_, i) => 1 / (i + 1) ** 1.1);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const noiseSources = Array.from({ length: 2_000 }, () => `10.${rng.int(1, 250)}.${rng.int(0, 255)}.${rng.int(1, 254)}`);
  const counters = new Map<Campaign, number>();
  const mix = { flood: 0, noise: 0, tail: 0 };
  const events: SecurityEvent[] = [];
  const messages: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    let raw: Omit<Raw, 'event_id' | 'timestamp'>;
    if (roll < 0.65) {
      let point = rng.next() * total;
      let index = 0;
      while (point > weights[index]!) point -= weights[index++]!;
      const campaign = attacks[Math.min(index, attacks.length - 1)]!;
      const n = (counters.get(campaign) ?? 0) + 1;
      counters.set(campaign, n);
      raw = campaign.make(n);
      mix.flood++;
    } else if (roll < 0.92) {
      raw = noiseEvent(noiseSources);
      mix.noise++;
    } else {
      raw = tailEvent();
      mix.tail++;
    }
    const message = { ...raw, event_id: `bench-${i}`, timestamp: new Date(Date.UTC(2025, 11, 27, 19, 0, i % 60)).toISOString() };
    const parsed = parseEvent(message);
    if (!parsed.ok) throw new Error(`bench event ${i} is invalid: ${parsed.reason}`);
    events.push(parsed.event);
    messages.push(Buffer.from(JSON.stringify(message)));
  }
  return { events, messages, mix };
}

// ---- the fake Gemini API, in its own process ------------------------------------------------------

/** The fake runs in a child process: its HTTP and JSON work must not be charged to the model path. */
class RemoteFake {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(latencyMs: number): Promise<RemoteFake> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../test/support/fake-gemini.ts'), '--latency', String(latencyMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening (\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`fake Gemini exited with ${code}`)));
    });
    return new RemoteFake(child, url);
  }

  async reset(): Promise<void> {
    await fetch(`${this.url}/__fake/reset`, { method: 'POST' });
  }

  async stats(): Promise<{ requests: number; maxConcurrency: number }> {
    return (await (await fetch(`${this.url}/__fake/stats`)).json()) as { requests: number; maxConcurrency: number };
  }

  close(): void {
    this.child.kill('SIGTERM');
  }
}

// ---- the two paths ------------------------------------------------------------------------------

/** As the ingest function starts: from the message bytes. */
function parse(bytes: Buffer): SecurityEvent {
  const parsed = parseEventBytes(bytes);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

/** CPU time of this process (all its threads: garbage collection, I/O) in milliseconds. */
function cpuMs(since?: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** CPU milliseconds to take every message through the rules. */
function rulesOnly(messages: readonly Buffer[], intel: IpIntelligence): number {
  const before = process.cpuUsage();
  let checksum = 0;
  for (const bytes of messages) {
    checksum += assessEvent(parse(bytes), { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity: 0 }).risk.score;
  }
  if (checksum < 0) console.log(checksum);
  return cpuMs(before);
}

/** The model path as the function builds it (runtime.ts), pointed at the fake, budget lifted. */
function modelDeps(fake: RemoteFake): ConsultDeps & { model: BatchingModel } {
  const runtime = createModelRuntime(
    geminiSettingsFrom({
      apiKey: 'bench-key',
      useVertex: false,
      project: 'bench',
      vertexLocation: '',
      model: 'gemini-3.5-flash-lite',
      thinkingLevel: 'MINIMAL',
      baseUrl: fake.url,
      timeoutMs: 10_000,
      eventsPerMinute: 1_000_000_000,
      batchSize: BATCH_SIZE,
      batchWindowMs: 20,
      minConfidencePercent: 60,
      minSeverity: 'MEDIUM',
      samplePercent: 100,
      cacheTtlMinutes: 60,
      redactKeys: '',
      breakerFailures: 5,
      breakerCoolDownSeconds: 30,
    }),
  );
  return runtime.consult as ConsultDeps & { model: BatchingModel };
}

interface ModelRun {
  /**
   * CPU time from the first event until the last answer was combined: rules, policy, cache, the
   * HTTP client, combining, garbage collection. Waiting for the model is not in it — that is
   * latency, which concurrency hides — and neither is time the machine gave to other processes.
   */
  busyMs: number;
  /** When the last event had been through the rules and handed to the model path. */
  intakeMs: number;
  /** When the last model answer had been combined into its threat update. */
  drainMs: number;
  addedLatencyMs: number[];
  outcomes: Record<string, number>;
  calls: number;
  /** Events carried by those calls. */
  sentEvents: number;
  maxConcurrentCalls: number;
  maxInFlight: number;
  escalated: number;
}

/**
 * Every event goes through the rules at once (as ingest writes the threat at once) and is handed
 * to the model path, which runs concurrently, at most `maxInFlight` threats at a time: a threat
 * waiting for its answer holds a slot, not the stream.
 */
async function withModel(messages: readonly Buffer[], intel: IpIntelligence, fake: RemoteFake, maxInFlight: number): Promise<ModelRun> {
  await fake.reset();
  const deps = modelDeps(fake);
  const addedLatencyMs: number[] = [];
  const outcomes: Record<string, number> = {};
  const at = Timestamp.now();
  let escalated = 0;
  let inFlight = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];

  const analyse = async (event: SecurityEvent, assessment: ReturnType<typeof assessEvent>) => {
    const started = performance.now();
    const outcome: ConsultOutcome = await consultModel(
      {
        eventId: event.event_id,
        event,
        source: assessment.source,
        ...(assessment.destination && { destination: assessment.destination }),
        rules: assessment.analysis,
        risk: assessment.risk,
        recentActivity: 0,
      },
      deps,
    );
    if (outcome.status !== 'not_selected') {
      const waitedMs = Math.round(performance.now() - started);
      const update = threatUpdate({ analysis: assessment.analysis, risk: assessment.risk, event_type: event.event_type }, outcome, at, waitedMs);
      if (update.risk && rank(update.risk.severity) > rank(assessment.risk.severity)) escalated++;
    }
    addedLatencyMs.push(performance.now() - started);
    const label =
      outcome.status === 'not_selected'
        ? `not_selected:${outcome.reason}`
        : outcome.status === 'failed'
          ? `failed:${outcome.reason}`
          : outcome.status === 'cached'
            ? `cached:${outcome.source}`
            : outcome.status;
    outcomes[label] = (outcomes[label] ?? 0) + 1;
  };

  let done!: () => void;
  const allDone = new Promise<void>((resolve) => (done = resolve));
  let finished = 0;
  const finish = () => {
    inFlight--;
    waiting.shift()?.();
    if (++finished === messages.length) done();
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < messages.length; index++) {
    while (inFlight >= maxInFlight) await new Promise<void>((resolve) => waiting.push(resolve));
    // Let answers that have arrived be handled, as a server interleaves its requests.
    if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    const event = parse(messages[index]!);
    const assessment = assessEvent(event, { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity: 0 });
    inFlight++;
    peak = Math.max(peak, inFlight);
    analyse(event, assessment).then(finish, (error: unknown) => {
      console.error(error);
      process.exit(2);
    });
  }
  const intakeMs = performance.now() - started;
  await allDone;
  const drainMs = performance.now() - started;
  const busyMs = cpuMs(cpuBefore);
  const stats = await fake.stats();
  return {
    busyMs,
    intakeMs,
    drainMs,
    addedLatencyMs,
    outcomes,
    calls: stats.requests,
    sentEvents: deps.model.stats.events,
    maxConcurrentCalls: stats.maxConcurrency,
    maxInFlight: peak,
    escalated,
  };
}

/**
 * CPU milliseconds one full request costs this process (prompt, SDK, HTTP, answer parsing and
 * validation), measured alone: `samples` requests of BATCH_SIZE events each, one after another,
 * against a fake that answers at once. The model runs' request count times this is the share of
 * their CPU time that goes to talking to the model.
 */
async function cpuPerRequest(messages: readonly Buffer[], intel: IpIntelligence, fake: RemoteFake, samples: number): Promise<number> {
  const { model, redaction } = modelDeps(fake);
  const batches = Array.from({ length: samples + 10 }, (_, batch) =>
    Array.from({ length: BATCH_SIZE }, (_, index) => {
      const event = parse(messages[(batch * BATCH_SIZE + index) % messages.length]!);
      const assessment = assessEvent(event, { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity: 0 });
      return buildMessage({ event, source: assessment.source, rules: assessment.analysis, risk: assessment.risk, recentActivity: 0 }, redaction);
    }),
  );
  // A full batch is sent at once (no window); the first ten warm up the client and the connection.
  const send = (batch: (typeof batches)[number]) => Promise.all(batch.map((message) => model.analyse(message)));
  for (const batch of batches.slice(0, 10)) await send(batch);
  const before = process.cpuUsage();
  for (const batch of batches.slice(10)) await send(batch);
  return cpuMs(before) / samples;
}

const SEVERITY_RANK = { INFO: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 } as const;
const rank = (severity: keyof typeof SEVERITY_RANK) => SEVERITY_RANK[severity];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const intel = await loadIpIntelligence();
  const { events, messages, mix } = workload(EVENTS);
  const signatures = new Set(events.map((event) => `${event.event_type}|${event.source_ip}|${event.destination_port}`)).size;
  const fake = await RemoteFake.start(LATENCY_MS);
  try {
    // Warm up the JIT on both paths with other events, so neither run pays for compilation.
    const warmUp = workload(2_000).messages;
    rulesOnly(warmUp, intel);
    await withModel(warmUp, intel, fake, MAX_IN_FLIGHT);

    const rulesMs = Math.min(rulesOnly(messages, intel), rulesOnly(messages, intel), rulesOnly(messages, intel));
    const instant = await RemoteFake.start(0);
    const requestMs = await cpuPerRequest(messages, intel, instant, 100).finally(() => instant.close());
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await withModel(messages, intel, fake, MAX_IN_FLIGHT));
    // Best of 3, like the rules-only figure (this machine is shared; the runs are identical).
    const run = runs.sort((a, b) => a.busyMs - b.busyMs)[0]!;
    const rulesRate = EVENTS / (rulesMs / 1000);
    const modelRate = EVENTS / (run.busyMs / 1000);
    const ratio = modelRate / rulesRate;
    const callsPerEvent = run.calls / EVENTS;
    const meanLatency = run.addedLatencyMs.reduce((sum, value) => sum + value, 0) / run.addedLatencyMs.length;
    const deployedSlots = ANALYSIS_MAX_INSTANCES * ANALYSIS_CONCURRENCY;

    const sweep: string[] = [];
    const limits = args.includes('--no-sweep') ? [MAX_IN_FLIGHT] : [100, deployedSlots, MAX_IN_FLIGHT];
    for (const limit of limits.filter((value, i, all) => all.indexOf(value) === i)) {
      const other = limit === MAX_IN_FLIGHT ? run : await withModel(messages, intel, fake, limit);
      sweep.push(
        `  ${String(limit).padStart(6)} threats in flight: ${fmt(EVENTS / (other.busyMs / 1000)).padStart(7)} events/s of CPU time ` +
          `(ratio ${(EVENTS / (other.busyMs / 1000) / rulesRate).toFixed(2)}, ${other.calls} requests); ${fmt(EVENTS / (other.drainMs / 1000)).padStart(6)} events/s wall clock, all answered after ${other.drainMs.toFixed(0)} ms`,
      );
    }

    console.log(`Gemini analysis benchmark — ${EVENTS.toLocaleString('en')} events, fake Gemini answering after ${LATENCY_MS} ms, in-memory cache layer`);
    console.log(`workload: ${mix.flood} flood events from 30 campaigns, ${mix.noise} background noise, ${mix.tail} long-tail distinct (${signatures} distinct type|source|port)`);
    console.log('');
    console.log(`outcomes:             ${Object.entries(run.outcomes).sort(([, a], [, b]) => b - a).map(([key, value]) => `${key} ${value}`).join(', ')}`);
    console.log(`model calls:          ${run.calls} requests = ${callsPerEvent.toFixed(4)} per event (target ≤ ${TARGET_CALLS_PER_EVENT}); up to ${run.maxConcurrentCalls} in flight at once`);
    console.log(`events sent:          ${run.sentEvents} = ${(run.sentEvents / EVENTS).toFixed(4)} per event (batches of up to ${BATCH_SIZE}, ${(run.sentEvents / run.calls).toFixed(1)} per request on average)`);
    console.log(`raised by the model:  ${run.escalated} threats to a higher severity`);
    console.log(`rules only:           ${fmt(rulesRate)} events/s of CPU time (${rulesMs.toFixed(0)} ms for all, best of 3)`);
    console.log(`rules + model path:   ${fmt(modelRate)} events/s of CPU time (${run.busyMs.toFixed(0)} ms, best of 3; up to ${run.maxInFlight} threats awaiting the model)`);
    console.log(`CPU ratio:            ${ratio.toFixed(2)} (information: ingest does not run the model path)`);
    const requestsMs = run.calls * requestMs;
    const perThreatMs = run.busyMs - rulesMs - requestsMs;
    console.log(
      `model path CPU:       ${(run.busyMs - rulesMs).toFixed(0)} ms on top of the rules: ${run.calls} requests × ${requestMs.toFixed(2)} ms each ` +
        `(measured alone, ${BATCH_SIZE} events per request) ≈ ${requestsMs.toFixed(0)} ms; the other ${perThreatMs.toFixed(0)} ms ` +
        `(${((perThreatMs * 1000) / EVENTS).toFixed(1)} µs per event) is policy, cache, combining, and collecting the garbage of threats awaiting answers`,
    );
    console.log(`wall clock:           all events through the rules after ${run.intakeMs.toFixed(0)} ms, all answers in after ${run.drainMs.toFixed(0)} ms (this burst: ${fmt(EVENTS / (run.drainMs / 1000))} events/s)`);
    console.log(`added latency:        p50 ${percentile(run.addedLatencyMs, 50).toFixed(2)} ms, p90 ${percentile(run.addedLatencyMs, 90).toFixed(1)} ms, p99 ${percentile(run.addedLatencyMs, 99).toFixed(0)} ms, max ${Math.max(...run.addedLatencyMs).toFixed(0)} ms (mean ${meanLatency.toFixed(1)} ms)`);
    console.log(`deployed capacity:    ${deployedSlots} slots (maxInstances ${ANALYSIS_MAX_INSTANCES} × concurrency ${ANALYSIS_CONCURRENCY}) / mean ${meanLatency.toFixed(1)} ms ≈ ${fmt(deployedSlots / (meanLatency / 1000))} threats/s`);
    console.log('by threats in flight (same events, fresh cache):');
    for (const line of sweep) console.log(line);

    const ok = callsPerEvent <= TARGET_CALLS_PER_EVENT;
    console.log('');
    console.log(ok ? 'PASS (model calls per event)' : 'FAIL: more model calls per event than the target');
    process.exitCode = ok ? 0 : 1;
  } finally {
    fake.close();
  }
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en');
}

void main();
