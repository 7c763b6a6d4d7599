/**
 * Sigma throughput: every SigmaHQ rule for Windows compiled and loaded, Windows events (EVTX-dump
 * JSON, already parsed by the adapter) evaluated on one Node thread through the indexed rule set,
 * and the same rules run each against each (the naive way) side by side in the same run.
 *
 *   npx tsx bench/sigma-throughput.ts <SigmaHQ/sigma checkout or git dir> [events]   (default 200,000)
 *   SIGMA_REPO=/path npx tsx bench/sigma-throughput.ts
 *
 * Rules are read from the snapshot (rules/windows, every status: about 2,500), not from git here.
 * Events: SigmaHQ's vendored regression events (test/sigma/sigmahq, real EVTX dumps, 10% of the
 * stream) and benign events made from them by swapping in common Windows processes, files,
 * registry keys and DLLs (90%), from a fixed seed. Prints compile time, heap, events/s for both
 * ways and their ratio. Exits 1 below the target (20,000 events/s indexed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecord, type NormalizedEvent } from '@threatstream/events';
import { compileCondition } from '../functions/src/detection/conditions';
import { loadSigma } from '../functions/src/detection/sigma/load';
import { SigmaRuleSet } from '../functions/src/detection/sigma/rule-set';
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
const set = new SigmaRuleSet(result.loaded);
const compileMs = performance.now() - started;
const heapAfter = heapMiB();
if (cleanup) rmSync(cleanup, { recursive: true, force: true });
const refusedBy = new Map<string, number>();
for (const refusal of result.refused) {
  const reason = refusal.reason.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 90);
  refusedBy.set(reason, (refusedBy.get(reason) ?? 0) + 1);
}

// ---- events ----
const root = join(import.meta.dirname, '../test/sigma/sigmahq/regression_data');
const real: NormalizedEvent[] = [];
for (const file of walk(root).filter((name) => name.endsWith('.json'))) {
  for (const record of splitJson(readFileSync(file, 'utf8'))) {
    const outcome = parseRecord(JSON.stringify(record));
    if (outcome.ok) real.push(outcome.events[0]!);
  }
}
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

// ---- timed runs: the index, then each rule against each event ----
const predicates = set.rules.map((rule) => compileCondition((rule.rule as { match: Parameters<typeof compileCondition>[0] }).match));
const indexed = time(total, (event) => set.match(event).length);
const naiveTotal = Math.min(total, 3_000);
const naive = time(naiveTotal, (event) => {
  let matches = 0;
  for (const predicate of predicates) if (predicate(event)) matches++;
  return matches;
});
if (indexed.matches * naiveTotal !== naive.matches * total && naiveTotal === total) throw new Error('the index and the naive loop disagree');

console.log(`rules: ${result.files} files under rules/windows, ${result.loaded.length} loaded, ${result.refused.length} refused`);
for (const [reason, count] of [...refusedBy].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  refused ${String(count).padStart(4)}  ${reason}`);
console.log(`compile (parse YAML + compile + index): ${(compileMs / 1000).toFixed(2)} s; heap ${heapBefore.toFixed(0)} → ${heapAfter.toFixed(0)} MiB (+${(heapAfter - heapBefore).toFixed(0)} MiB), RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
console.log(`events: ${real.length} real regression events, stream of ${stream.length} (10% real, 90% benign variants)`);
console.log(`indexed: ${Math.round(indexed.perSecond).toLocaleString('en-US')} events/s over ${total.toLocaleString('en-US')} events (${(indexed.matches / total).toFixed(3)} matches per event)`);
console.log(`each rule against each event: ${Math.round(naive.perSecond).toLocaleString('en-US')} events/s over ${naiveTotal.toLocaleString('en-US')} events (${(naive.matches / naiveTotal).toFixed(3)} matches per event)`);
console.log(`load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on this machine's cores`);
console.log(`ratio indexed / naive: ${(indexed.perSecond / naive.perSecond).toFixed(1)}; target ≥ ${TARGET.toLocaleString('en-US')} events/s: ${indexed.perSecond >= TARGET ? 'met' : 'NOT met'}`);
process.exitCode = indexed.perSecond >= TARGET ? 0 : 1;

function time(count: number, run: (event: NormalizedEvent) => number): { perSecond: number; matches: number } {
  for (let i = 0; i < Math.min(count, 5_000); i++) run(stream[i % stream.length]!); // warm-up
  let matches = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) matches += run(stream[i % stream.length]!);
  return { perSecond: count / ((performance.now() - start) / 1000), matches };
}

function heapMiB(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** evtx_dump's output: pretty-printed objects one after another. */
function splitJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{') {
      if (depth++ === 0) start = i;
    } else if (char === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}
