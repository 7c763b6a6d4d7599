#!/usr/bin/env node
// A real Apache Kafka broker for local runs and tests, from Maven Central jars (shared/kafka.md).
//
//   node tools/kafka/broker.mjs prepare              fetch the broker's jars into .cache/kafka-libs
//   node tools/kafka/broker.mjs start [--port 9092] [--controller-port 9093] [--keep-data]
//   node tools/kafka/broker.mjs topics               create the project's topics on KAFKA_BROKERS
//
// `start` runs one KRaft node (broker + controller) on 127.0.0.1 in the foreground until Ctrl-C.
// With KAFKA_BROKERS set (Confluent Cloud, a docker compose Kafka...) nothing is started: the
// topics are ensured on that cluster instead. Programs use the same code through
// `startKafka()`, which returns `{ brokers, stop() }`.
//
// Environment: KAFKA_BROKERS, KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_KEEP_DATA=1,
// KAFKA_HEAP_OPTS (default -Xmx512m -Xms128m), KAFKA_JVM_OPTS (extra JVM flags),
// KAFKA_LOG_LEVEL (broker log level, default warn), KAFKA_START_TIMEOUT_MS (default 60000),
// KAFKA_CDS=0 (no class-data-sharing archive).
import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '../..');
const CACHE = join(ROOT, '.cache');
export const LIBS_DIR = join(CACHE, 'kafka-libs');
const POM = join(HERE, 'pom.xml');
const TEMPLATE = join(HERE, 'server.properties.template');

export const RAW_TOPIC = 'security.raw.logs';
export const DLQ_TOPIC = 'security.raw.logs.dlq';
/** The project's topics: the raw stream is partitioned for parallel consumers; the DLQ is small. */
export const DEFAULT_TOPICS = [
  { topic: RAW_TOPIC, numPartitions: 6 },
  { topic: DLQ_TOPIC, numPartitions: 1 },
];

const require = createRequire(import.meta.url);

function log(message) {
  if (process.env.KAFKA_QUIET !== '1') console.error(`[kafka] ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Jars

/** A short digest of the pom, so changing the pinned version re-resolves the jars. */
function pomDigest() {
  return createHash('sha256').update(readFileSync(POM)).digest('hex').slice(0, 16);
}

/**
 * Makes sure the broker's jars are in .cache/kafka-libs (resolved by Maven, cached in ~/.m2).
 * Skips Maven when the jars for the current pom are already there.
 */
export function prepareKafka({ quiet = false } = {}) {
  const stamp = join(LIBS_DIR, '.pom-digest');
  const digest = pomDigest();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest) return LIBS_DIR;

  mkdirSync(CACHE, { recursive: true });
  const staging = `${LIBS_DIR}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  if (!quiet) log('resolving the Kafka broker jars with Maven (cached in ~/.m2 after the first run)...');
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    POM,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${staging}`,
  ];
  try {
    execFileSync('mvn', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`mvn ${args.join(' ')} failed: ${error.message}`);
  }
  writeFileSync(join(staging, '.pom-digest'), `${digest}\n`);
  // Swap in atomically so a concurrent or interrupted run never sees half a folder.
  rmSync(LIBS_DIR, { recursive: true, force: true });
  renameSync(staging, LIBS_DIR);
  if (!quiet) log(`${readdirSync(LIBS_DIR).filter((f) => f.endsWith('.jar')).length} jars in ${LIBS_DIR}`);
  return LIBS_DIR;
}

// ---------------------------------------------------------------------------------------------
// Topics

function loadKafkajs() {
  // Resolved from the repository's node_modules (kafkajs is a root devDependency and a bridge dependency).
  return require('kafkajs');
}

export function parseBrokers(value) {
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Kafka client options for an external cluster, from the same variables the bridge reads. */
function clientAuthFromEnv(env = process.env) {
  const options = {};
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (mechanism) {
    options.sasl = { mechanism, username: env.KAFKA_SASL_USERNAME ?? '', password: env.KAFKA_SASL_PASSWORD ?? '' };
  }
  const ssl = env.KAFKA_SSL ?? (mechanism ? 'true' : 'false');
  if (/^(1|true|yes)$/i.test(ssl)) options.ssl = true;
  return options;
}

async function withAdmin(brokers, fn, { auth = {}, connectionTimeout = 3000 } = {}) {
  const { Kafka, logLevel } = loadKafkajs();
  const kafka = new Kafka({
    clientId: 'threatstream-tools',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout,
    retry: { retries: 0 },
    ...auth,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Creates the topics that do not exist yet (and waits for their leaders). */
export async function ensureTopics(brokers, topics = DEFAULT_TOPICS, { auth = {} } = {}) {
  return withAdmin(
    brokers,
    async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      if (missing.length > 0) {
        try {
          await admin.createTopics({
            topics: missing.map((t) => ({ replicationFactor: -1, ...t })),
            waitForLeaders: true,
          });
        } catch (error) {
          // A concurrent creator won the race: fine, as long as the topics now exist.
          if (!/already exists/i.test(String(error?.message))) throw error;
        }
      }
      return missing.map((t) => t.topic);
    },
    { auth, connectionTimeout: 10_000 },
  );
}

async function waitForBroker(brokers, { timeoutMs, isAlive }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (isAlive && !isAlive()) throw new Error('the Kafka broker exited during start-up');
    try {
      await withAdmin(brokers, (admin) => admin.listTopics(), { connectionTimeout: 1000 });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`Kafka at ${brokers.join(',')} did not answer within ${timeoutMs} ms: ${lastError?.message}`);
}

// ---------------------------------------------------------------------------------------------
// The broker process

/** A random Kafka cluster id: 16 random bytes, base64url without padding (as `kafka-storage random-uuid`). */
function clusterId() {
  // Like Kafka's Uuid.randomUuid(): never one that starts with "-" (it would read as an option).
  let id;
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-'));
  return id;
}

function renderProperties({ port, controllerPort, dataDir, partitions }) {
  const template = readFileSync(TEMPLATE, 'utf8');
  const values = { PORT: port, CONTROLLER_PORT: controllerPort, LOG_DIR: dataDir, PARTITIONS: partitions };
  return template.replace(/\$\{(\w+)\}/g, (match, name) => {
    if (!(name in values)) throw new Error(`unknown placeholder ${match} in ${TEMPLATE}`);
    return String(values[name]);
  });
}

/**
 * Class-data sharing (Java 17 dynamic CDS): the first run of each JVM program records the
 * classes it loaded into an archive at exit; later runs map it and start ~30% faster. The
 * archives live beside the jars, so new jars (a new pom) start without them.
 */
function cdsArgs(name) {
  if (process.env.KAFKA_CDS === '0') return { args: [], commit: () => {} };
  const dir = join(LIBS_DIR, '.cds');
  const archive = join(dir, `${name}.jsa`);
  if (existsSync(archive)) return { args: [`-XX:SharedArchiveFile=${archive}`], commit: () => {} };
  mkdirSync(dir, { recursive: true });
  // Written by the JVM as it exits; renamed into place only if complete, so concurrent first
  // runs never read a half-written archive.
  const temporary = `${archive}.${process.pid}.${Date.now()}.tmp`;
  return {
    args: [`-XX:ArchiveClassesAtExit=${temporary}`],
    /** Keeps the archive after a clean run; `ok = false` throws it away. */
    commit: (ok = true) => {
      try {
        if (ok && existsSync(temporary) && !existsSync(archive)) renameSync(temporary, archive);
      } catch {
        // another run won the race
      }
      rmSync(temporary, { force: true });
    },
  };
}

function jvmArgs({ logLevel }) {
  const heap = (process.env.KAFKA_HEAP_OPTS ?? '-Xmx512m -Xms128m').split(/\s+/).filter(Boolean);
  const extra = (process.env.KAFKA_JVM_OPTS ?? '').split(/\s+/).filter(Boolean);
  return [
    ...heap,
    // Start-up time matters more than peak JIT throughput for a local, single-node broker.
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:-UsePerfData',
    '-Djava.awt.headless=true',
    `-Dorg.slf4j.simpleLogger.defaultLogLevel=${logLevel}`,
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    ...extra,
  ];
}

function isAliveProcess(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills a broker left behind by an earlier run on the same folder (its pid file is ours). */
function killStaleBroker(pidFile, propsFile) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0 || !isAliveProcess(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  // Only a JVM running kafka.Kafka on this very properties file.
  if (cmdline.includes('kafka.Kafka') && cmdline.includes(propsFile)) {
    log(`killing a broker left over from an earlier run (pid ${pid})`);
    process.kill(pid, 'SIGKILL');
  }
}

/**
 * A watchdog that kills the broker if this Node process dies without stopping it (kill -9,
 * a crash): its stdin is a pipe from us, which the kernel closes when we die.
 */
function startWatchdog(javaPid) {
  const watchdog = spawn('/bin/sh', ['-c', `cat >/dev/null; kill -TERM ${javaPid} 2>/dev/null`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  watchdog.stdin.unref?.();
  return watchdog;
}

/**
 * Starts a single-node Kafka (KRaft broker + controller) on 127.0.0.1, or, with KAFKA_BROKERS
 * set, only ensures the topics on that cluster.
 *
 * @param {object} [options]
 * @param {number} [options.port] client port (KAFKA_PORT, default 9092)
 * @param {number} [options.controllerPort] controller port (KAFKA_CONTROLLER_PORT, default port + 1)
 * @param {boolean} [options.keepData] keep the log dir from an earlier start (KAFKA_KEEP_DATA=1)
 * @param {string} [options.dataDir] where the broker keeps its logs (default .cache/kafka/<port>)
 * @param {{topic: string, numPartitions?: number}[]} [options.topics] topics to create
 * @param {boolean} [options.external] honour KAFKA_BROKERS (default true)
 * @returns {Promise<{brokers: string[], external: boolean, pid?: number, startMs: number,
 *   dataDir?: string, logFile?: string, stop(opts?: {signal?: NodeJS.Signals, timeoutMs?: number}): Promise<void>}>}
 */
export async function startKafka(options = {}) {
  const t0 = Date.now();
  const topics = options.topics ?? DEFAULT_TOPICS;
  const externalBrokers = options.external === false ? undefined : process.env.KAFKA_BROKERS;
  if (externalBrokers) {
    const brokers = parseBrokers(externalBrokers);
    const created = await ensureTopics(brokers, topics, { auth: clientAuthFromEnv() });
    if (created.length) log(`created ${created.join(', ')} on ${brokers.join(',')}`);
    return { brokers, external: true, startMs: Date.now() - t0, stop: async () => {} };
  }

  const port = Number(options.port ?? process.env.KAFKA_PORT ?? 9092);
  const controllerPort = Number(options.controllerPort ?? process.env.KAFKA_CONTROLLER_PORT ?? port + 1);
  const keepData = options.keepData ?? /^(1|true)$/.test(process.env.KAFKA_KEEP_DATA ?? '');
  const timeoutMs = Number(process.env.KAFKA_START_TIMEOUT_MS ?? 60_000);
  const logLevel = process.env.KAFKA_LOG_LEVEL ?? 'warn';
  for (const [name, value] of Object.entries({ port, controllerPort })) {
    if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new Error(`invalid ${name}: ${value}`);
  }

  const libs = prepareKafka();
  const home = options.dataDir ?? join(CACHE, 'kafka', String(port));
  const dataDir = join(home, 'data');
  const propsFile = join(home, 'server.properties');
  const pidFile = join(home, 'broker.pid');
  const logFile = join(home, 'broker.log');
  mkdirSync(home, { recursive: true });
  killStaleBroker(pidFile, propsFile);

  writeFileSync(
    propsFile,
    renderProperties({ port, controllerPort, dataDir, partitions: topics[0]?.numPartitions ?? 1 }),
  );
  const classpath = `${libs}/*`;
  const formatted = existsSync(join(dataDir, 'meta.properties'));
  if (!keepData || !formatted) {
    rmSync(dataDir, { recursive: true, force: true });
    const cds = cdsArgs('storage-tool');
    try {
      execFileSync(
        'java',
        [
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          ...cds.args,
          '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
          '-cp',
          classpath,
          'kafka.tools.StorageTool',
          'format',
          `--cluster-id=${clusterId()}`,
          `--config=${propsFile}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (error) {
      cds.commit(false);
      throw new Error(`formatting the Kafka log dir failed: ${error.stderr?.toString() || error.message}`);
    }
    cds.commit();
  }

  const logFd = openSync(logFile, keepData ? 'a' : 'w');
  const cds = cdsArgs('broker');
  const child = spawn('java', [...jvmArgs({ logLevel }), ...cds.args, '-cp', classpath, 'kafka.Kafka', propsFile], {
    cwd: home,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  writeFileSync(pidFile, `${child.pid}\n`);
  let exited = false;
  const exitedPromise = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      exited = true;
      rmSync(pidFile, { force: true });
      // A broker killed hard (or that crashed) may leave a partial archive: keep only clean exits.
      cds.commit(signal !== 'SIGKILL' && (code === 0 || code === 143 || signal === 'SIGTERM'));
      resolveExit({ code, signal });
    });
  });
  const watchdog = startWatchdog(child.pid);
  // Last resort: a Node process that exits normally without calling stop() still kills its JVM.
  const onExit = () => {
    if (!exited) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }
  };
  process.once('exit', onExit);

  const brokers = [`127.0.0.1:${port}`];
  let stopping;
  const stop = ({ signal = 'SIGTERM', timeoutMs: stopTimeout = 15_000 } = {}) => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill(signal);
        const timer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, stopTimeout);
        await exitedPromise;
        clearTimeout(timer);
      }
      watchdog.kill('SIGKILL');
      process.removeListener('exit', onExit);
      // Each start formats a fresh log dir unless told to keep it, so drop the data now; a
      // caller-chosen dataDir is the caller's to manage (a restart test reuses it).
      if (!keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await waitForBroker(brokers, { timeoutMs, isAlive: () => !exited });
    await ensureTopics(brokers, topics);
  } catch (error) {
    await stop({ signal: 'SIGKILL' });
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
    throw new Error(`${error.message}\n--- ${logFile} (tail) ---\n${tail}`);
  }
  return { brokers, external: false, pid: child.pid, startMs: Date.now() - t0, dataDir, logFile, stop };
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const options = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--port') options.port = Number(rest[++i]);
    else if (arg === '--controller-port') options.controllerPort = Number(rest[++i]);
    else if (arg === '--keep-data') options.keepData = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return { command, options };
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    parsed = { command: undefined };
  }
  const { command, options } = parsed;
  if (command === 'prepare') {
    prepareKafka();
    return;
  }
  if (command === 'topics') {
    if (!process.env.KAFKA_BROKERS) throw new Error('set KAFKA_BROKERS to the cluster to create topics on');
    const brokers = parseBrokers(process.env.KAFKA_BROKERS);
    const created = await ensureTopics(brokers, DEFAULT_TOPICS, { auth: clientAuthFromEnv() });
    log(created.length ? `created ${created.join(', ')}` : 'all topics already exist');
    return;
  }
  if (command !== 'start') {
    console.error('usage: broker.mjs prepare | start [--port N] [--controller-port N] [--keep-data] | topics');
    process.exit(2);
  }
  const kafka = await startKafka(options);
  if (kafka.external) {
    log(`using KAFKA_BROKERS=${kafka.brokers.join(',')} (topics ensured); nothing to run`);
    return;
  }
  log(`broker ready at ${kafka.brokers.join(',')} in ${(kafka.startMs / 1000).toFixed(1)} s (pid ${kafka.pid}, log ${kafka.logFile})`);
  log(`topics: ${DEFAULT_TOPICS.map((t) => `${t.topic} (${t.numPartitions} partitions)`).join(', ')}`);
  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the broker...`);
    await kafka.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Keep the process alive while the broker runs; exit with it if it dies on its own.
  const interval = setInterval(() => {
    if (!isAliveProcess(kafka.pid)) {
      log('the broker exited on its own');
      clearInterval(interval);
      process.exit(1);
    }
  }, 1000);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`[kafka] ${error.message}`);
    process.exit(1);
  });
}
