/**
 * Real shippers for the input-format suite: kcat, rsyslog with omkafka, and Suricata, as Debian
 * packages them (`.ci/run` installs them). Every record they ship was written by them or by
 * another third party's software, never by our code.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokers } from './helpers';

/** Runs a command to its end; rejects with its output when it exits non-zero. */
export function run(command: string, args: string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${stderr}\n${stdout}`));
    });
    child.once('error', reject);
  });
}

/**
 * kcat as a producer: one message per line (`lines`), or the whole file as one message, with
 * optional headers; acks from all replicas, as a production shipper would ask.
 */
export function kcatProduce(topic: string, file: string, options: { lines: boolean; headers?: Record<string, string> }) {
  const args = ['-P', '-b', brokers().join(','), '-t', topic, '-X', 'acks=all'];
  for (const [key, value] of Object.entries(options.headers ?? {})) args.push('-H', `${key}=${value}`);
  if (options.lines) args.push('-l');
  args.push(file);
  return run('kcat', args);
}

export interface Rsyslog {
  /** The file rsyslog tails (append lines to it). */
  file: string;
  stop(): Promise<void>;
  logs(): string;
}

/**
 * rsyslogd in the foreground with a minimal configuration of its own (no system service):
 * imfile tails `file`, omkafka ships each line's text unchanged to `topic`.
 */
export async function startRsyslog(topic: string, fileName: string): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'threatstream-rsyslog-'));
  const work = join(dir, 'work');
  mkdirSync(work);
  const file = join(dir, fileName);
  writeFileSync(file, '');
  const config = join(dir, 'rsyslog.conf');
  writeFileSync(
    config,
    [
      `global(workDirectory="${work}" maxMessageSize="64k")`,
      'module(load="imfile" mode="polling" PollingInterval="1")',
      'module(load="omkafka")',
      // %msg% of an imfile line is the line as written; nothing is added around it.
      'template(name="raw" type="string" string="%msg%")',
      `input(type="imfile" File="${file}" Tag="shipped" ruleset="kafka" freshStartTail="off")`,
      'ruleset(name="kafka") {',
      `  action(type="omkafka" broker=[${brokers().map((b) => `"${b}"`).join(',')}] topic="${topic}" template="raw"`,
      '         confParam=["linger.ms=5", "acks=all"])',
      '}',
      '',
    ].join('\n'),
  );
  let output = '';
  const child = spawn('rsyslogd', ['-n', '-f', config, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // rsyslogd checks its configuration at start and exits at once when it is wrong.
  await new Promise((resolve) => setTimeout(resolve, 500));
  if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}:\n${output}`);
  return {
    file,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Real Suricata over a folder of pcaps with a rules file; returns the path of its eve.json. */
export async function runSuricata(pcapDir: string, rulesFile: string): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'threatstream-suricata-'));
  await run('suricata', [
    '-r', pcapDir,
    '-S', rulesFile,
    '-l', out,
    '-k', 'none',
    '--runmode', 'single',
    '--set', 'vars.address-groups.HOME_NET=any',
    '--set', 'vars.address-groups.EXTERNAL_NET=any',
    '--set', 'outputs.1.eve-log.types.0.alert.payload-printable=yes',
  ]);
  return join(out, 'eve.json');
}
