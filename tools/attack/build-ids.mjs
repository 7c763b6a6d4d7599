// Builds functions/src/detection/attack/enterprise-techniques.json, the compact list of ATT&CK
// Enterprise technique ids the rule lint checks against, from a clone of mitre/cti (its
// per-object files under enterprise-attack/attack-pattern/; the bundle is too large to keep).
// Usage: node tools/attack/build-ids.mjs <path to a mitre/cti git dir or work tree> [release]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const [repo, release = '18.1'] = process.argv.slice(2);
if (!repo) {
  console.error('usage: node tools/attack/build-ids.mjs <mitre/cti git dir> [release]');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const commit = git('rev-parse', 'HEAD').trim();
const files = git('ls-tree', '--name-only', 'HEAD', 'enterprise-attack/attack-pattern/').split('\n').filter(Boolean);
const techniques = [];
for (const file of files) {
  const bundle = JSON.parse(git('show', `HEAD:${file}`));
  for (const object of bundle.objects) {
    if (object.type !== 'attack-pattern') continue;
    const reference = object.external_references?.find((r) => r.source_name === 'mitre-attack');
    if (!reference?.external_id) continue;
    const tactics = (object.kill_chain_phases ?? []).filter((p) => p.kill_chain_name === 'mitre-attack').map((p) => p.phase_name);
    // [id, name, tactics, status]: status "" current, "deprecated" or "revoked".
    const status = object.revoked ? 'revoked' : object.x_mitre_deprecated ? 'deprecated' : '';
    techniques.push([reference.external_id, object.name, tactics, status]);
  }
}
techniques.sort((a, b) => a[0].localeCompare(b[0]));
const out = { release, source: `mitre/cti@${commit}`, techniques };
writeFileSync(
  new URL('../../functions/src/detection/attack/enterprise-techniques.json', import.meta.url),
  `{"release":${JSON.stringify(release)},"source":${JSON.stringify(out.source)},"techniques":[\n${techniques.map((t) => JSON.stringify(t)).join(',\n')}\n]}\n`,
);
console.log(`${techniques.length} techniques from ${out.source}`);
