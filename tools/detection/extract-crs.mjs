// Extracts the web-attack corpus the built-in web rules are measured on: requests from the OWASP
// CRS regression tests (Apache-2.0) whose attack (or near-miss benign string) travels in the URI,
// since an access log line holds the request line and nothing of the body or headers.
// Usage: node tools/detection/extract-crs.mjs <coreruleset git dir>
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const [repo] = process.argv.slice(2);
if (!repo) {
  console.error('usage: node tools/detection/extract-crs.mjs <coreruleset git dir>');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const commit = git('rev-parse', 'HEAD').trim();
const CATEGORIES = {
  'REQUEST-930-APPLICATION-ATTACK-LFI': 'path_traversal',
  'REQUEST-932-APPLICATION-ATTACK-RCE': 'command_injection',
  'REQUEST-941-APPLICATION-ATTACK-XSS': 'xss',
  'REQUEST-942-APPLICATION-ATTACK-SQLI': 'sql_injection',
};
const requests = [];
for (const [folder, category] of Object.entries(CATEGORIES)) {
  const files = git('ls-tree', '-r', '--name-only', 'HEAD', `tests/regression/tests/${folder}/`).split('\n').filter((f) => f.endsWith('.yaml'));
  for (const file of files) {
    const doc = parse(git('show', `HEAD:${file}`));
    for (const test of doc.tests ?? []) {
      for (const stage of test.stages ?? []) {
        const input = stage.input ?? {};
        const log = stage.output?.log ?? {};
        const uri = input.uri;
        // Only requests whose payload is in the URI: the body and headers never reach an access log.
        if (typeof uri !== 'string' || input.data || input.encoded_request || !uri.includes('?') || uri.length > 2000) continue;
        const expected = Array.isArray(log.expect_ids) && log.expect_ids.length > 0 ? 'attack' : Array.isArray(log.no_expect_ids) ? 'benign' : undefined;
        if (expected === undefined) continue;
        requests.push({ ref: `${file.split('/').pop()}#${test.test_id}`, category, expected, method: input.method ?? 'GET', uri });
      }
    }
  }
}
const out = { source: `coreruleset/coreruleset@${commit} tests/regression/tests (Apache-2.0)`, requests };
writeFileSync(new URL('../../functions/src/detection/pack/samples/crs-requests.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
const count = (f) => requests.filter(f).length;
console.log(`${requests.length} requests: ${count((r) => r.expected === 'attack')} attack, ${count((r) => r.expected === 'benign')} benign`);
for (const category of Object.values(CATEGORIES)) console.log(category, count((r) => r.category === category && r.expected === 'attack'), count((r) => r.category === category && r.expected === 'benign'));
