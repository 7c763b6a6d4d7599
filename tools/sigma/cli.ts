// `npm run sigma -- import <dir|file>... [--status stable,test] [--env local,staging] [--dry-run]`
// Compiles Sigma rules and loads them into Firestore `detectionRules/{id}` (the emulator when
// FIRESTORE_EMULATOR_HOST is set) through the catalog store, as the API does: versioned, audited
// (updatedBy `sigma-import`), enabled in the --env environments (default local). Prints per rule
// whether it was created, changed, unchanged or refused and why. Exits 1 when any rule was refused.
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { EnvironmentSchema, type Environment } from '../../functions/src/detection/catalog';
import { sigmaMeta } from '../../functions/src/detection/catalog-changes';
import { CatalogRefusal, importSigmaRule } from '../../functions/src/detection/catalog-store';
import { MAX_RULE_TEXT } from '../../functions/src/detection/rule';
import { loadSigma } from '../../functions/src/detection/sigma/load';

const USAGE = 'usage: npm run sigma -- import <dir|file>... [--status stable,test] [--env local,staging,production] [--dry-run]';
const [command, ...rest] = process.argv.slice(2);
const flags = new Map<string, string>();
const paths: string[] = [];
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i]!;
  if (arg === '--dry-run') flags.set('dry-run', '1');
  else if (arg === '--status' || arg === '--env') flags.set(arg.slice(2), rest[++i] ?? '');
  else paths.push(arg);
}
if (command !== 'import' || paths.length === 0) {
  console.error(USAGE);
  process.exit(2);
}
const environments: Environment[] = [];
for (const name of (flags.get('env') ?? 'local').split(',').filter(Boolean)) {
  const parsed = EnvironmentSchema.safeParse(name);
  if (!parsed.success) {
    console.error(`--env: "${name}" is not one of ${EnvironmentSchema.options.join(', ')}\n${USAGE}`);
    process.exit(2);
  }
  environments.push(parsed.data);
}

const statuses = flags.get('status')?.split(',').filter(Boolean);
const result = loadSigma(paths, statuses ? { statuses } : {});
const dryRun = flags.has('dry-run');
if (!dryRun && !process.env.FIRESTORE_EMULATOR_HOST && !process.env.GOOGLE_CLOUD_PROJECT) {
  console.error('set FIRESTORE_EMULATOR_HOST (emulator) or GOOGLE_CLOUD_PROJECT, or pass --dry-run');
  process.exit(2);
}
const db = dryRun ? undefined : getFirestore(initializeApp({ projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'demo-threatstream' }));
const now = new Date();

async function main(): Promise<number> {
  const counts = { created: 0, changed: 0, unchanged: 0, valid: 0 };
  const refused = result.refused.map((refusal) => `${refusal.sigmaId ?? '(no id)'}  ${refusal.title ?? ''}: ${refusal.reason}`);
  for (const compiled of result.loaded) {
    const id = compiled.rule.id;
    const warnings = compiled.warnings.length ? `  (${compiled.warnings.join('; ')})` : '';
    if (db === undefined) {
      console.log(`valid         ${id}  ${compiled.title}${warnings}`);
      counts.valid++;
      continue;
    }
    try {
      // The document's own YAML, unless it is over the catalog's limit (the rule still loads).
      const text = compiled.text !== undefined && compiled.text.length <= MAX_RULE_TEXT ? compiled.text : undefined;
      const { doc, outcome } = await importSigmaRule(db, { rule: compiled.rule, source: 'sigma', sigma: sigmaMeta(compiled) }, text, environments, now);
      counts[outcome]++;
      console.log(`${`${outcome} v${doc.version} `.padEnd(14)}${id}  ${compiled.title}  [${doc.enabledIn.join(',') || 'disabled'}]${warnings}`);
    } catch (error) {
      if (!(error instanceof CatalogRefusal)) throw error;
      refused.push(`${compiled.sigmaId}  ${compiled.title}: ${error.message}`);
    }
  }
  for (const line of refused) console.log(`refused       ${line}`);
  const summary = dryRun ? `${counts.valid} valid` : `${counts.created} created, ${counts.changed} changed, ${counts.unchanged} unchanged`;
  console.log(`\n${result.files} files: ${summary}, ${refused.length} refused`);
  return refused.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
