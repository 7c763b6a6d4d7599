/**
 * Sigma throughput: every SigmaHQ rule for Windows compiled and loaded into the detection engine
 * (as rules loaded from Firestore arrive: plain DetectionRules, which the engine indexes by the
 * field values they require), Windows events (EVTX-dump JSON, already parsed by the adapter)
 * evaluated on one Node thread, and the same rules run each against each (the naive way) side by
 * side in the same run; the two must agree on every event the naive way sees.
 *
 *   npx tsx bench/sigma-throughput.ts <SigmaHQ/sigma checkout or git dir> [events]   (default 200,000)
 *   SIGMA_REPO=/path npx tsx bench/sigma-throughput.ts
 *
 * Rules are read from the snapshot (rules/windows, every status: about 2,500), not from git here.
 * Events: SigmaHQ's vendored regression events (test/sigma/sigmahq, real EVTX dumps, 10% of the
 * stream) and benign events made from them by swapping in common Windows processes, files,
 * registry keys and DLLs (90%), from a fixed seed. Prints compile time, heap, events/s (wall and
 * per CPU-second: the machine is shared) for both ways and their ratio. Exits 1 below the target
 * (20,000 events per CPU-second through the engine).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NormalizedEvent } from '@threatstream/events';
import { compileCondition } from '../functions/src/detection/conditions';
import { DetectionEngine } from '../functions/src/detection/engine';
import { loadSigma } from '../functions/src/detection/sigma/load';
import { regressionCases } from '../functions/src/detection/sigma/regression-data';
import { createRng } from '../tools/simulator/prng';

const TARGET = 20_000;
const repo = process.argv[2] ?? process.env.SIGMA_REPO;
const total = Number(process.argv[3] ?? 200_000);
if (!repo) {
  console.error('usage: npx tsx bench/sigma-throughput.ts <SigmaHQ/sigma checkout or git dir> [events]');
  process.exit(2);
}

// A bare git directory (the fetch tool's snapshot) is exported to a temporary directory first.
let rulesDir = join(repo, 'rules/windows');
let cleanup: string | undefined;
if (!existsSync(rulesDir)) {
  cleanup = mkdtempSync(join(tmpdir(), 'sigma-'));
  execFileSync('sh', ['-c', `git -C "${repo}" archive HEAD rules/windows | tar -x -C "${cleanup}"`]);
  rulesDir = join(cleanup, 'rules/windows');
}

const heapBefore = heapMiB();
const started = performance.now();
const result = loadSigma([rulesDir], { statuses: ['stable', 'test', 'experimental'] });
const rules = result.loaded.map((sigma) => sigma.rule);
const engine = new DetectionEngine(rules);
const compileMs = performance.now() - started;
const heapAfter = heapMiB();
if (cleanup) rmSync(cleanup, { recursive: true, force: true });
const refusedBy = new Map<string, number>();
for (const refusal of result.refused) {
  const reason = refusal.reason.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 90);
  refusedBy.set(reason, (refusedBy.get(reason) ?? 0) + 1);
}

// ---- events ----
const real: NormalizedEvent[] = regressionCases(join(import.meta.dirname, '../test/sigma/sigmahq')).flatMap((c) => c.events);
const BENIGN: Record<string, string[]> = {
  Image: ['C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\explorer.exe', 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', 'C:\\Windows\\System32\\conhost.exe', 'C:\\Windows\\System32\\RuntimeBroker.exe', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE', 'C:\\Windows\\System32\\taskhostw.exe', 'C:\\Windows\\System32\\SearchIndexer.exe'],
  CommandLine: ['C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule', '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=en-US', '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1', 'C:\\Windows\\System32\\RuntimeBroker.exe -Embedding', 'taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}', '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" /recycle'],
  ParentImage: ['C:\\Windows\\System32\\services.exe', 'C:\\Windows\\explorer.exe', 'C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\System32\\userinit.exe'],
  TargetFilename: ['C:\\Users\\alice\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\f_000123', 'C:\\Windows\\Prefetch\\SVCHOST.EXE-1234ABCD.pf', 'C:\\Users\\alice\\Documents\\report-q3.docx', 'C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\mpcache-1.bin'],
  TargetObject: ['HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\LastOnlineScanTimeForAppCategory', 'HKU\\S-1-5-21-1\\Software\\Microsoft\\Office\\16.0\\Common\\Roaming\\Identities', 'HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\S-1-5-21-1'],
  ImageLoaded: ['C:\\Windows\\System32\\kernel32.dll', 'C:\\Windows\\System32\\ntdll.dll', 'C:\\Windows\\System32\\combase.dll', 'C:\\Windows\\System32\\user32.dll'],
  ScriptBlockText: ['Get-ChildItem -Path C:\\Logs | Where-Object { $_.Length -gt 1MB }', 'Import-Module Microsoft.PowerShell.Management', '$PSVersionTable.PSVersion'],
  OriginalFileName: ['svchost.exe', 'explorer.exe', 'chrome.exe', 'conhost.exe'],
};
const rng = createRng(23);
const pick = <T>(items: readonly T[]): T => rng.pick(items);
const stream: NormalizedEvent[] = [];
for (let i = 0; i < 5_000; i++) {
  const template = pick(real);
  if (rng.chance(0.1)) {
    stream.push(template);
    continue;
  }
  const data = { ...(template.winlog?.event_data ?? {}) };
  for (const field of Object.keys(data)) if (BENIGN[field]) data[field] = pick(BENIGN[field]);
  stream.push({ ...template, winlog: { ...template.winlog, event_data: data } });
}

// ---- timed runs: the engine, then each rule against each event ----
const predicates = rules.map((rule) => compileCondition((rule as { match: Parameters<typeof compileCondition>[0] }).match));
const indexed = time(total, (event) => engine.observe(event).length);
const naiveTotal = Math.min(total, 3_000);
const naivePerEvent: number[] = [];
const naive = time(naiveTotal, (event, i) => {
  let matches = 0;
  for (const predicate of predicates) if (predicate(event)) matches++;
  if (i !== undefined) naivePerEvent[i] = matches;
  return matches;
});
for (let i = 0; i < naiveTotal; i++) {
  const found = engine.observe(stream[i % stream.length]!).length;
  if (found !== naivePerEvent[i]) throw new Error(`event ${i}: the engine fired ${found} rules, each against each ${naivePerEvent[i]}`);
}

console.log(`rules: ${result.files} files under rules/windows, ${result.loaded.length} loaded, ${result.refused.length} refused`);
for (const [reason, count] of [...refusedBy].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  refused ${String(count).padStart(4)}  ${reason}`);
const stats = engine.indexStats;
console.log(`index: ${stats.fields} fields, ${stats.needles.toLocaleString('en-US')} values and needles; ${stats.always} rules run on every event`);
console.log(`compile (parse YAML + compile + validate + index): ${(compileMs / 1000).toFixed(2)} s; heap ${heapBefore.toFixed(0)} → ${heapAfter.toFixed(0)} MiB (+${(heapAfter - heapBefore).toFixed(0)} MiB), RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
console.log(`events: ${real.length} real regression events, stream of ${stream.length} (10% real, 90% benign variants)`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`engine (indexed): ${fmt(indexed.perSecond)} events/s wall, ${fmt(indexed.perCpuSecond)} per CPU-second, over ${fmt(total)} events (${(indexed.matches / total).toFixed(3)} detections per event)`);
console.log(`each rule against each event: ${fmt(naive.perSecond)} events/s wall, ${fmt(naive.perCpuSecond)} per CPU-second, over ${fmt(naiveTotal)} events (${(naive.matches / naiveTotal).toFixed(3)} matches per event); the engine agreed on all ${fmt(naiveTotal)}`);
console.log(`load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on this machine's 2 cores`);
console.log(`ratio indexed / naive (CPU): ${(indexed.perCpuSecond / naive.perCpuSecond).toFixed(1)}; target ≥ ${fmt(TARGET)} events per CPU-second: ${indexed.perCpuSecond >= TARGET ? 'met' : 'NOT met'} (${(indexed.perCpuSecond / TARGET).toFixed(2)} of it)`);
process.exitCode = indexed.perCpuSecond >= TARGET ? 0 : 1;

function time(count: number, run: (event: NormalizedEvent, i?: number) => number): { perSecond: number; perCpuSecond: number; matches: number } {
  for (let i = 0; i < Math.min(count, 5_000); i++) run(stream[i % stream.length]!); // warm-up
  let matches = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) matches += run(stream[i % stream.length]!, i);
  const cpu = process.cpuUsage(cpuStart);
  return { perSecond: count / ((performance.now() - start) / 1000), perCpuSecond: count / ((cpu.user + cpu.system) / 1e6), matches };
}

function heapMiB(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}
