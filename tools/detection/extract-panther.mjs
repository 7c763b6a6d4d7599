// Extracts Google Cloud audit LogEntry test records from panther-labs/panther-analysis
// (Apache-2.0): each rule YAML's `Tests:` (a record and whether Panther's rule fires on it).
// Usage: node tools/detection/extract-panther.mjs <panther-analysis git dir> <rule yml>...
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const [repo, ...files] = process.argv.slice(2);
if (!repo || files.length === 0) {
  console.error('usage: node tools/detection/extract-panther.mjs <panther-analysis git dir> <rules/...yml>...');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const commit = git('rev-parse', 'HEAD').trim();
const records = [];
for (const file of files) {
  const doc = parse(git('show', `HEAD:${file}`));
  for (const test of doc.Tests ?? []) {
    records.push({ pantherRule: doc.RuleID, name: test.Name, pantherExpected: test.ExpectedResult, log: test.Log });
  }
}
writeFileSync(
  new URL('../../functions/src/detection/pack/samples/panther-gcp-audit.json', import.meta.url),
  `${JSON.stringify({ source: `panther-labs/panther-analysis@${commit} (Apache-2.0)`, records }, null, 1)}\n`,
);
console.log(`${records.length} records from ${files.length} rules`);
