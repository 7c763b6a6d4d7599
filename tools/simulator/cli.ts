#!/usr/bin/env -S npx tsx
/**
 * ThreatStream attack simulator: realistic security events to Kafka (default) or Pub/Sub.
 *
 *   npm run simulate -- [options]
 *   npx tsx tools/simulator/cli.ts --scenario kill-chain --rate 20 --count 500 --seed 42
 *
 * Options
 *   --scenario <name>   mixed (default), benign, brute-force, port-scan, ddos, exfiltration,
 *                       ransomware, kill-chain, web-attack
 *   --rate <n>          events per second (default 10)
 *   --count <n>         stop after n events
 *   --duration <s>      stop after s seconds (without --count or --duration: until Ctrl-C)
 *   --seed <n|text>     replay the same sequence of events (default: random, printed)
 *   --benign <0..1>     share of benign background events (default 0.6 mixed, 0.3 one attack)
 *   --poison <0..1>     share of malformed messages (Kafka only), to exercise the bridge's DLQ
 *   --pubsub            publish straight to Pub/Sub (PUBSUB_TOPIC, default security-events),
 *                       bypassing Kafka and the bridge
 *   --stdout            print NDJSON events instead of sending them
 *   --epoch <iso>       event times start here and advance 1/rate s per event (default: now)
 *   --native            everyday traffic as Suricata EVE, sshd syslog and nginx access lines, port
 *                       scans as Suricata alerts (Kafka or stdout; `npm start` uses it)
 *   --quiet             no progress bar, only the summary
 *
 * Environment: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC (security.raw.logs),
 * KAFKA_SASL_MECHANISM/USERNAME/PASSWORD, KAFKA_SSL, PUBSUB_EMULATOR_HOST,
 * GOOGLE_CLOUD_PROJECT (default demo-threatstream), PUBSUB_TOPIC (security-events).
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SCENARIOS, Simulation, type Scenario, type SimulatedEvent } from './scenarios';
import { nativeRecords } from './native';
import { createRng, seedFrom } from './prng';

export interface CliOptions {
  scenario: Scenario;
  rate: number;
  count?: number;
  durationSeconds?: number;
  seed: number;
  benignRatio?: number;
  poisonRatio: number;
  sink: 'kafka' | 'pubsub' | 'stdout';
  /** Send everyday traffic and port scans as the sensors and services would write them. */
  native?: boolean;
  epoch?: Date;
  quiet: boolean;
}

export class UsageError extends Error {}

function positiveNumber(name: string, text: string | undefined, { integer = false } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  }
  return value;
}

function ratio(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new UsageError(`--${name} must be between 0 and 1, got "${text}"`);
  return value;
}

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        scenario: { type: 'string', default: 'mixed' },
        rate: { type: 'string', default: '10' },
        count: { type: 'string' },
        duration: { type: 'string' },
        seed: { type: 'string' },
        benign: { type: 'string' },
        poison: { type: 'string' },
        pubsub: { type: 'boolean', default: false },
        stdout: { type: 'boolean', default: false },
        epoch: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        native: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError('');
  if (!(SCENARIOS as readonly string[]).includes(v.scenario!)) {
    throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}; got "${v.scenario}"`);
  }
  if (v.pubsub && v.stdout) throw new UsageError('--pubsub and --stdout exclude each other');
  // Pub/Sub security-events takes our own JSON only: the bridge is where other formats are parsed.
  if (v.native && v.pubsub) throw new UsageError('--native needs the bridge: send to Kafka (or --stdout)');
  const poisonRatio = ratio('poison', v.poison) ?? 0;
  if (poisonRatio > 0 && (v.pubsub || v.stdout)) throw new UsageError('--poison only applies when sending to Kafka');
  let epoch: Date | undefined;
  if (v.epoch !== undefined) {
    epoch = new Date(v.epoch);
    if (Number.isNaN(epoch.getTime())) throw new UsageError(`--epoch must be an ISO date-time, got "${v.epoch}"`);
  }
  const benignRatio = ratio('benign', v.benign);
  return {
    scenario: v.scenario as Scenario,
    rate: positiveNumber('rate', v.rate)!,
    ...(v.count !== undefined && { count: positiveNumber('count', v.count, { integer: true })! }),
    ...(v.duration !== undefined && { durationSeconds: positiveNumber('duration', v.duration)! }),
    seed: v.seed === undefined ? randomInt(0, 2 ** 32 - 1) : /^\d+$/.test(v.seed) ? Number(v.seed) >>> 0 : seedFrom(v.seed),
    ...(benignRatio !== undefined && { benignRatio }),
    poisonRatio,
    sink: v.pubsub ? 'pubsub' : v.stdout ? 'stdout' : 'kafka',
    ...(epoch && { epoch }),
    quiet: v.quiet!,
    native: v.native!,
  };
}

// ---------------------------------------------------------------------------------------------
// Sinks

interface Outgoing {
  key: string;
  value: Buffer;
  eventId?: string;
  eventType?: string;
}

interface Sink {
  describe: string;
  send(batch: Outgoing[]): Promise<void>;
  close(): Promise<void>;
}

async function kafkaSink(): Promise<Sink> {
  const { Kafka, logLevel, Partitioners } = await import('kafkajs');
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
  const topic = process.env.KAFKA_TOPIC ?? 'security.raw.logs';
  const mechanism = process.env.KAFKA_SASL_MECHANISM?.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined;
  const ssl = /^(1|true|yes)$/i.test(process.env.KAFKA_SSL ?? (mechanism ? 'true' : 'false'));
  const kafka = new Kafka({
    clientId: 'threatstream-simulator',
    brokers,
    ssl,
    ...(mechanism && {
      sasl: { mechanism, username: process.env.KAFKA_SASL_USERNAME ?? '', password: process.env.KAFKA_SASL_PASSWORD ?? '' } as never,
    }),
    logLevel: logLevel.ERROR,
    retry: { retries: 8 },
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  return {
    describe: `Kafka ${brokers.join(',')} topic ${topic}`,
    send: async (batch) => {
      await producer.send({ topic, acks: -1, messages: batch.map(({ key, value }) => ({ key, value })) });
    },
    close: () => producer.disconnect(),
  };
}

async function pubsubSink(): Promise<Sink> {
  const { PubSub } = await import('@google-cloud/pubsub');
  const projectId = process.env.GOOGLE_CLOUD_PROJECT ?? 'demo-threatstream';
  const topicName = process.env.PUBSUB_TOPIC ?? 'security-events';
  const client = new PubSub({ projectId });
  const topic = client.topic(topicName, { batching: { maxMessages: 500, maxMilliseconds: 20 } });
  return {
    describe: `Pub/Sub ${process.env.PUBSUB_EMULATOR_HOST ? `emulator ${process.env.PUBSUB_EMULATOR_HOST} ` : ''}projects/${projectId}/topics/${topicName}`,
    send: async (batch) => {
      try {
        await Promise.all(
          batch.map(({ value, eventId, eventType }) =>
            topic.publishMessage({ data: value, attributes: { ...(eventId && { event_id: eventId }), ...(eventType && { event_type: eventType }) } }),
          ),
        );
      } catch (error) {
        if ((error as { code?: number }).code === 5) {
          throw new Error(
            `Pub/Sub topic projects/${projectId}/topics/${topicName} does not exist ` +
              '(the Functions emulator creates security-events when it loads `ingest`; is it running?)',
          );
        }
        throw error;
      }
    },
    close: async () => {
      await topic.flush();
      await client.close();
    },
  };
}

function stdoutSink(): Sink {
  return {
    describe: 'stdout (NDJSON)',
    send: async (batch) => {
      const text = batch.map(({ value }) => value.toString('utf8')).join('\n');
      if (!process.stdout.write(`${text}\n`)) await new Promise((r) => process.stdout.once('drain', r));
    },
    close: async () => {},
  };
}

/** Malformed messages of the kinds a real producer sends by mistake. */
function poisonMessage(sim: SimulatedEvent, n: number): Buffer {
  switch (n % 4) {
    case 0:
      return Buffer.from(`${JSON.stringify(sim.event).slice(0, 40)}`); // truncated JSON
    case 1:
      return Buffer.from(JSON.stringify([sim.event])); // an array
    case 2: {
      const { event_id: _dropped, ...rest } = sim.event;
      return Buffer.from(JSON.stringify(rest)); // no event_id
    }
    default:
      return Buffer.from(`${sim.event.timestamp} ${sim.event.source_ip} ${sim.event.event_type}`); // a syslog line
  }
}

// ---------------------------------------------------------------------------------------------
// Progress and summary

class Progress {
  private lastDraw = 0;
  private lastLine = 0;
  constructor(
    private readonly enabled: boolean,
    private readonly total: number | undefined,
    private readonly durationMs: number | undefined,
  ) {}

  update(sent: number, attacks: number, benign: number, poison: number, elapsedMs: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    const rate = elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0;
    const counts = `${sent} events · ${rate.toFixed(1)}/s · attacks ${attacks} · benign ${benign}${poison ? ` · poison ${poison}` : ''}`;
    if (process.stderr.isTTY) {
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const fraction = this.total ? sent / this.total : this.durationMs ? elapsedMs / this.durationMs : undefined;
      const width = 28;
      const bar =
        fraction === undefined
          ? `[${'·'.repeat(width)}]`.replace(/·/, '>')
          : `[${'█'.repeat(Math.round(Math.min(1, fraction) * width)).padEnd(width, '░')}] ${(Math.min(1, fraction) * 100).toFixed(0).padStart(3)}%`;
      process.stderr.write(`\r\x1b[2K${bar} ${counts}`);
    } else if (force || now - this.lastLine > 30_000) {
      this.lastLine = now;
      process.stderr.write(`simulate: ${counts}\n`);
    }
  }

  done(): void {
    if (this.enabled && process.stderr.isTTY) process.stderr.write('\n');
  }
}

export interface RunSummary {
  sent: number;
  attacks: number;
  benign: number;
  poison: number;
  seconds: number;
  byScenario: Record<string, number>;
  byEventType: Record<string, number>;
  campaigns: Record<string, number>;
}

export function formatSummary(options: CliOptions, sinkName: string, summary: RunSummary): string {
  const table = (record: Record<string, number>) =>
    Object.entries(record)
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => `    ${name.padEnd(22)} ${String(count).padStart(8)}`)
      .join('\n');
  return [
    '',
    `Simulated ${summary.sent} events in ${summary.seconds.toFixed(1)} s (${(summary.sent / Math.max(summary.seconds, 0.001)).toFixed(1)}/s) → ${sinkName}`,
    `  scenario ${options.scenario} · seed ${options.seed} (replay with --seed ${options.seed})`,
    `  attacks ${summary.attacks} · benign ${summary.benign}${summary.poison ? ` · poison ${summary.poison}` : ''}`,
    '  by scenario:',
    table(summary.byScenario),
    '  by event type:',
    table(summary.byEventType),
    ...(Object.keys(summary.campaigns).length ? ['  attack campaigns started:', table(summary.campaigns)] : []),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main loop

export async function run(options: CliOptions, signal?: AbortSignal): Promise<RunSummary> {
  const sink = options.sink === 'kafka' ? await kafkaSink() : options.sink === 'pubsub' ? await pubsubSink() : stdoutSink();
  const epoch = options.epoch;
  const simulation = new Simulation({
    seed: options.seed,
    scenario: options.scenario,
    ...(options.benignRatio !== undefined && { benignRatio: options.benignRatio }),
    ...(epoch && { clock: (i: number) => new Date(epoch.getTime() + Math.round((i * 1000) / options.rate)) }),
  });
  const poisonRng = new Simulation({ seed: options.seed ^ 0x5eed, scenario: 'benign' });
  const nativeRng = createRng(options.seed ^ 0x0e7e);
  const progress = new Progress(!options.quiet && options.sink !== 'stdout', options.count, options.durationSeconds && options.durationSeconds * 1000);
  const summary: RunSummary = { sent: 0, attacks: 0, benign: 0, poison: 0, seconds: 0, byScenario: {}, byEventType: {}, campaigns: {} };
  const started = Date.now();
  const deadline = options.durationSeconds ? started + options.durationSeconds * 1000 : Infinity;
  const limit = options.count ?? Infinity;
  const tickMs = 50;
  let poisonBudget = 0;
  try {
    while (summary.sent < limit && Date.now() < deadline && !signal?.aborted) {
      const elapsed = Date.now() - started;
      // How many events should be out by now at --rate; send them in one batch.
      const due = Math.min(limit, Math.floor(((elapsed + tickMs) * options.rate) / 1000)) - summary.sent;
      if (due <= 0) {
        await new Promise((r) => setTimeout(r, Math.min(tickMs, deadline - Date.now())));
        continue;
      }
      const batch: Outgoing[] = [];
      for (let i = 0; i < Math.min(due, 5_000); i++) {
        const sim = simulation.next();
        poisonBudget += options.poisonRatio;
        if (poisonBudget >= 1) {
          poisonBudget -= 1;
          batch.push({ key: sim.event.event_id, value: poisonMessage(poisonRng.next(), summary.poison) });
          summary.poison++;
        }
        const native = options.native ? nativeRecords(sim, nativeRng) : undefined;
        const values = native ? native.map((record) => record.value) : [JSON.stringify(sim.event)];
        // One simulated event may be several records (a brute-force round's sshd lines); it is
        // counted once, on its first.
        values.forEach((value, i) =>
          batch.push({
            key: sim.campaignId ?? sim.event.event_id,
            value: Buffer.from(value),
            ...(i === 0 && { eventId: sim.event.event_id, eventType: sim.event.event_type }),
          }),
        );
        summary.byScenario[sim.scenario] = (summary.byScenario[sim.scenario] ?? 0) + 1;
        summary.byEventType[sim.event.event_type] = (summary.byEventType[sim.event.event_type] ?? 0) + 1;
        if (sim.benign) summary.benign++;
        else summary.attacks++;
      }
      await sink.send(batch);
      summary.sent += batch.filter((m) => m.eventId).length;
      progress.update(summary.sent, summary.attacks, summary.benign, summary.poison, Date.now() - started);
    }
  } finally {
    summary.seconds = (Date.now() - started) / 1000;
    summary.campaigns = { ...simulation.campaignsStarted };
    progress.update(summary.sent, summary.attacks, summary.benign, summary.poison, Date.now() - started, true);
    progress.done();
    await sink.close();
  }
  return summary;
}

const USAGE = `usage: npm run simulate -- [--scenario ${SCENARIOS.join('|')}] [--rate N] [--count N | --duration S]
       [--seed N] [--benign 0..1] [--poison 0..1] [--pubsub | --stdout] [--epoch ISO] [--quiet]`;

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) process.stderr.write(`simulate: ${error.message}\n`);
      process.stderr.write(`${USAGE}\n`);
      process.exit(error.message ? 2 : 0);
    }
    throw error;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  if (options.count === undefined && options.durationSeconds === undefined && !options.quiet && options.sink !== 'stdout') {
    process.stderr.write('simulate: no --count or --duration: running until Ctrl-C\n');
  }
  const sinkName =
    options.sink === 'kafka'
      ? `Kafka ${process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'} / ${process.env.KAFKA_TOPIC ?? 'security.raw.logs'}`
      : options.sink === 'pubsub'
        ? `Pub/Sub ${process.env.PUBSUB_TOPIC ?? 'security-events'}`
        : 'stdout';
  const summary = await run(options, controller.signal);
  if (options.sink !== 'stdout' || !options.quiet) process.stderr.write(formatSummary(options, sinkName, summary));
}

// Run when executed (tsx tools/simulator/cli.ts), not when imported by tests.
if (/tools[\\/]simulator[\\/]cli\.ts$/.test(process.argv[1] ?? '')) {
  main().catch((error) => {
    process.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
