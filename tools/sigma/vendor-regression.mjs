// Copies SigmaHQ's regression data (JSON events + info.yml) and the rules they test from a
// snapshot of github.com/SigmaHQ/sigma (a git directory or a checkout) into test/sigma/sigmahq/.
// Usage: node tools/sigma/vendor-regression.mjs <sigma repo (git dir or work tree)> [ref]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [repo, ref = 'HEAD'] = process.argv.slice(2);
if (!repo) throw new Error('usage: vendor-regression.mjs <sigma repo> [ref]');
const git = (...args) => execFileSync('git', ['-C', repo, ...args], { maxBuffer: 256 * 1024 * 1024 }).toString();
const out = join(import.meta.dirname, '../../test/sigma/sigmahq');
rmSync(out, { recursive: true, force: true });
const files = git('ls-tree', '-r', '--name-only', ref).split('\n').filter(Boolean);
const rulesByStem = new Map(files.filter((f) => /^rules[^/]*\/.*\.yml$/.test(f)).map((f) => [f.replace(/\.yml$/, ''), f]));
const commit = git('rev-parse', ref).trim();
let rules = 0;
let events = 0;
for (const info of files.filter((f) => f.startsWith('regression_data/') && f.endsWith('/info.yml'))) {
  const folder = dirname(info);
  const rule = rulesByStem.get(folder.replace(/^regression_data\//, ''));
  if (!rule) continue;
  const jsons = files.filter((f) => dirname(f) === folder && f.endsWith('.json'));
  if (jsons.length === 0) continue;
  for (const file of [rule, info, ...jsons]) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), git('show', `${ref}:${file}`));
  }
  rules++;
  events += jsons.length;
}
writeFileSync(join(out, 'SOURCE'), `https://github.com/SigmaHQ/sigma at ${commit}\n`);
console.log(`copied ${rules} rules with ${events} regression event files from ${commit}`);
