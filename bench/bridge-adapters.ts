/**
 * The bridge with its adapters at work, as a ratio of the bridge passing our own JSON through,
 * side by side in one run on the same broker and Pub/Sub emulator.
 *
 *   npx tsx bench/bridge-adapters.ts [--messages 50000] [--rounds 3] [--partitions 6]
 *
 * Each round runs node bridge/lib/main.js four times over preloaded topics, timed from 10% to
 * 100% of the records acknowledged by Pub/Sub (bench/bridge-throughput.ts's runner):
 *   our JSON, adapters off  simulator events, the bridge as it was before adapters (BRIDGE_ADAPTERS=off)
 *   our JSON, adapters on   the same events with adapters on: checked at byte level, published unchanged
 *   EVE as our JSON, passed through  the EVE records below, each with an event_id put in front,
 *                  adapters off: the same records' bytes published unchanged, the base for EVE
 *   EVE, mapped    real Suricata EVE records (packages/events/samples, alerts and other types) on
 *                  a topic mapped to suricata-eve: parsed, alerts → events, the rest → observations
 *                  in batch messages (the bridge's defaults)
 *   EVE mapped, 1 obs/message  the same with BRIDGE_OBSERVATION_BATCH_MAX_MESSAGES=1: what
 *                  batching observations saves
 *   mixed, detected  those EVE records and real Zeek JSON logs on the mixed topic, no header:
 *                  the format detected per record, then parsed and routed
 * The figures, target ≥ 0.8: our JSON with adapters on / adapters off, and EVE parsed on its
 * mapped topic / the same EVE records passed through (records/s, so per record). The detected row
 * is reported against the EVE pass-through too. A base that measured nothing fails the bench.
 * Needs `npm run build`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Partitioners, type Kafka } from 'kafkajs';
import { Simulation } from '../tools/simulator/scenarios';
import { fmt, median, runBridge, startBenchBackends, unique, type Measure } from './bridge-throughput';

const ROOT = join(__dirname, '..');
const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '3' },
    partitions: { type: 'string', default: '6' },
  },
});
const N = Number(args.messages);
const ROUNDS = Number(args.rounds);
const PARTITIONS = Number(args.partitions);

function ourJson(n: number): Buffer[] {
  const sim = new Simulation({ seed: 1 });
  return Array.from({ length: n }, () => Buffer.from(JSON.stringify(sim.next().event)));
}

function lines(file: string): Buffer[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => Buffer.from(line));
}

/** The same records as our JSON to the envelope check: an event_id put in front, bytes otherwise unchanged. */
function withEventId(values: Buffer[]): Buffer[] {
  return values.map((value, i) => Buffer.concat([Buffer.from(`{"event_id":"bench-${i}",`), value.subarray(1)]));
}

/** n records cycling through real samples (record ids repeat; the bridge does not care). */
function cycle(samples: Buffer[], n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => samples[i % samples.length]!);
}

async function preload(kafka: Kafka, topic: string, values: Buffer[]) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }, { topic: `${topic}.dlq`, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < values.length; i += 2_000) {
    await producer.send({ topic, acks: 1, messages: values.slice(i, i + 2_000).map((value, j) => ({ key: String(i + j), value })) });
  }
  await producer.disconnect();
}

async function main() {
  if (!existsSync(join(ROOT, 'bridge/lib/main.js'))) throw new Error('build first: npm run build');
  const cleanups: (() => Promise<void>)[] = [];
  const { kafka, pubsub, env } = await startBenchBackends(cleanups);

  try {
    const eve = lines(join(ROOT, 'packages/events/samples/suricata-eve/eve.json'));
    const zeekDir = join(ROOT, 'packages/events/samples/zeek-json');
    const zeek = readdirSync(zeekDir).flatMap((f) => lines(join(zeekDir, f)));
    const json = ourJson(N);
    const eveRecords = cycle(eve, N);
    // base: the index of the workload a row is compared with; target: the row is a figure.
    const workloads: { name: string; values: Buffer[]; format?: string; env?: Record<string, string>; base?: number; target?: boolean }[] = [
      { name: 'our JSON, adapters off', values: json, env: { BRIDGE_ADAPTERS: 'off' } },
      { name: 'our JSON, adapters on', values: json, base: 0, target: true },
      { name: 'EVE as our JSON, passed', values: withEventId(eveRecords), env: { BRIDGE_ADAPTERS: 'off' } },
      { name: 'Suricata EVE, mapped topic', values: eveRecords, format: 'suricata-eve', base: 2, target: true },
      { name: 'EVE mapped, 1 obs/message', values: eveRecords, format: 'suricata-eve', env: { BRIDGE_OBSERVATION_BATCH_MAX_MESSAGES: '1' }, base: 2 },
      { name: 'EVE + Zeek JSON, detected', values: cycle([...eve, ...zeek], N), base: 2 },
    ];
    console.log(`bridge adapters benchmark · ${fmt(N)} records × ${ROUNDS} rounds · ${PARTITIONS} partitions · node ${process.version}`);
    for (const w of workloads) {
      const avg = w.values.reduce((s, v) => s + v.length, 0) / w.values.length;
      console.log(`  ${w.name.padEnd(28)} avg ${avg.toFixed(0)} bytes/record`);
    }
    const topics = [];
    for (const w of workloads) {
      const topic = unique('bench-adapters');
      await preload(kafka, topic, w.values);
      topics.push(topic);
    }
    const results: Measure[][] = workloads.map(() => []);
    for (let round = 1; round <= ROUNDS; round++) {
      const line: string[] = [];
      for (const [i, w] of workloads.entries()) {
        const events = unique('bench-adapters-events');
        const observations = unique('bench-adapters-observations');
        await pubsub.topic(events).create();
        await pubsub.topic(observations).create();
        const run = await runBridge(
          {
            ...env,
            ...w.env,
            PUBSUB_OBSERVATIONS_TOPIC: observations,
            ...(w.format && { BRIDGE_TOPIC_FORMATS: `${topics[i]}=${w.format}` }),
          },
          topics[i]!,
          events,
          N,
        );
        results[i]!.push(run);
        line.push(`${w.name} ${fmt(run.rate)}/s`);
      }
      console.log(`round ${round}: ${line.join(' · ')}`);
    }
    console.log('\nmedian of rounds, records/s from 10% to 100% acknowledged by Pub/Sub; CPU of the bridge process per record');
    const rates = results.map((runs) => median(runs.map((m) => m.rate)));
    let failed = false;
    for (const [i, w] of workloads.entries()) {
      const rate = rates[i]!;
      const cpu = median(results[i]!.map((m) => m.cpuUsPerMessage));
      const bytes = w.values.reduce((sum, v) => sum + v.length, 0) / w.values.length;
      let ratio = '';
      if (w.base !== undefined) {
        const base = rates[w.base]!;
        // runBridge refuses an empty window; this is the last guard against an Infinity "MET".
        if (!(Number.isFinite(base) && base > 0 && Number.isFinite(rate))) {
          failed = true;
          ratio = `   no ratio: ${workloads[w.base]!.name} measured ${base}/s`;
        } else {
          const r = rate / base;
          ratio = `   ratio to ${workloads[w.base]!.name} ${r.toFixed(2)}`;
          if (w.target) {
            ratio += ` (target ≥ 0.80: ${r >= 0.8 ? 'MET' : 'NOT MET'})`;
          }
        }
      }
      console.log(`  ${w.name.padEnd(28)} ${fmt(rate).padStart(8)}/s ${((rate * bytes) / 1e6).toFixed(1).padStart(5)} MB/s   CPU ${cpu.toFixed(1).padStart(6)} µs/record${ratio}`);
    }
    if (failed) throw new Error('a base measured nothing: no ratio to report');
  } finally {
    await pubsub.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
