#!/usr/bin/env node
// Reads schemathesis' HAR report and prints the requests tried, by status, and the 5xx count.
// Exits 1 if any request got a 5xx (the fuzz target is none).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const files = readdirSync(dir).filter((name) => name.endsWith('.har') || /^har.*\.json$/.test(name));
if (files.length === 0) {
  console.error(`no HAR report in ${dir}`);
  process.exit(2);
}
/** The documented path a request was for: ids back to {id}. */
function operationPath(path) {
  if (/^\/api\/alerts\/[^/]+\/(acknowledge|resolve)$/.test(path)) return path.replace(/^\/api\/alerts\/[^/]+/, '/api/alerts/{id}');
  const threat = /^\/api\/threats\/([^/]+)$/.exec(path);
  if (threat && threat[1] !== 'recent') return '/api/threats/{id}';
  return path;
}

const byStatus = new Map();
const byOperation = new Map();
const serverErrors = [];
let total = 0;
for (const file of files) {
  const har = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  for (const entry of har.log.entries) {
    total++;
    const status = entry.response.status;
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const key = `${entry.request.method} ${operationPath(new URL(entry.request.url).pathname)}`;
    byOperation.set(key, (byOperation.get(key) ?? 0) + 1);
    if (status >= 500) serverErrors.push(`${status} ${entry.request.method} ${entry.request.url} ${entry.response.content?.text?.slice(0, 200) ?? ''}`);
  }
}
console.log(`\nfuzz: ${total} requests tried`);
console.log(`  by status: ${[...byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join('  ')}`);
console.log(`  by operation: ${[...byOperation].sort().map(([k, n]) => `${k} ×${n}`).join('; ')}`);
console.log(`  5xx: ${serverErrors.length}`);
for (const line of serverErrors.slice(0, 20)) console.log(`    ${line}`);
process.exit(serverErrors.length > 0 ? 1 : 0);
