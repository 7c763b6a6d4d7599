// `npm run sigma -- import <dir|file>... [--status stable,test] [--dry-run]`
// Compiles Sigma rules and loads them into Firestore `detectionRules/{id}` (the emulator when
// FIRESTORE_EMULATOR_HOST is set), printing per rule whether it was loaded, unchanged or refused
// and why. Exits 1 when any rule was refused.
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { loadSigma } from '../../functions/src/detection/sigma/load';
import { sigmaRuleDocument, SigmaRuleDocumentSchema } from '../../functions/src/detection/sigma/rule-document';

const [command, ...rest] = process.argv.slice(2);
const flags = new Map<string, string>();
const paths: string[] = [];
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i]!;
  if (arg === '--dry-run') flags.set('dry-run', '1');
  else if (arg === '--status') flags.set('status', rest[++i] ?? '');
  else paths.push(arg);
}
if (command !== 'import' || paths.length === 0) {
  console.error('usage: npm run sigma -- import <dir|file>... [--status stable,test] [--dry-run]');
  process.exit(2);
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
async function main(): Promise<void> {
let loaded = 0;
let unchanged = 0;
for (const compiled of result.loaded) {
  const id = compiled.rule.id;
  if (db === undefined) {
    console.log(`valid     ${id}  ${compiled.title}${compiled.warnings.length ? `  (${compiled.warnings.join('; ')})` : ''}`);
    loaded++;
    continue;
  }
  const changed = await db.runTransaction(async (tx) => {
    const ref = db.collection('detectionRules').doc(id);
    const snapshot = await tx.get(ref);
    const previous = snapshot.exists ? SigmaRuleDocumentSchema.safeParse(snapshot.data()) : undefined;
    const { document, changed } = sigmaRuleDocument(compiled, previous?.success ? previous.data : undefined, now);
    if (changed) tx.set(ref, document);
    return changed ? document.version : 0;
  });
  if (changed > 0) loaded++;
  else unchanged++;
  console.log(`${changed > 0 ? `loaded v${changed}` : 'unchanged'}  ${id}  ${compiled.title}`);
}
for (const refusal of result.refused) console.log(`refused   ${refusal.sigmaId ?? '(no id)'}  ${refusal.title ?? ''}: ${refusal.reason}`);
console.log(`\n${result.files} files: ${loaded} ${dryRun ? 'valid' : 'loaded'}, ${unchanged} unchanged, ${result.refused.length} refused`);
process.exit(result.refused.length > 0 ? 1 : 0);
}

void main();
