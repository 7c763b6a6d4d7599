#!/usr/bin/env node
// `firebase deploy` uploads functions/ alone and Cloud Build runs `npm install` there, where the
// workspace link to packages/events does not exist. Before deploy (firebase.json predeploy),
// `stage` packs the built package into functions/.vendor/ and points functions/package.json at
// the tarball; after deploy (postdeploy), `restore` puts the workspace spec back.
//
//   node packages/events/scripts/functions-deploy.mjs stage|restore [functions dir]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@threatstream/events';
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [command, functionsArg] = process.argv.slice(2);
const functionsDir = resolve(functionsArg ?? join(packageDir, '..', '..', 'functions'));
const manifestPath = join(functionsDir, 'package.json');
const vendorDir = join(functionsDir, '.vendor');
const savedPath = join(vendorDir, 'workspace-spec.json');

function readManifest() {
  return JSON.parse(readFileSync(manifestPath, 'utf8'));
}
function writeManifest(manifest) {
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

if (command === 'stage') {
  if (!existsSync(join(packageDir, 'lib', 'cjs', 'index.js'))) {
    console.error(`${PACKAGE} is not built: run \`npm run build -w packages/events\` first`);
    process.exit(1);
  }
  const manifest = readManifest();
  const spec = manifest.dependencies?.[PACKAGE];
  if (!spec) {
    console.error(`functions/package.json does not depend on ${PACKAGE}`);
    process.exit(1);
  }
  rmSync(vendorDir, { recursive: true, force: true });
  mkdirSync(vendorDir, { recursive: true });
  execFileSync('npm', ['pack', '--silent', '--pack-destination', vendorDir], { cwd: packageDir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(vendorDir).find((file) => file.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');
  // Keep the spec we replace (unless a previous stage already replaced it).
  writeFileSync(savedPath, JSON.stringify({ spec: spec.startsWith('file:.vendor/') ? '*' : spec }));
  manifest.dependencies[PACKAGE] = `file:${relative(functionsDir, join(vendorDir, tarball))}`;
  writeManifest(manifest);
  console.log(`staged ${PACKAGE} for deploy: ${manifest.dependencies[PACKAGE]}`);
} else if (command === 'restore') {
  const manifest = readManifest();
  const spec = existsSync(savedPath) ? JSON.parse(readFileSync(savedPath, 'utf8')).spec : '*';
  manifest.dependencies[PACKAGE] = spec;
  writeManifest(manifest);
  rmSync(vendorDir, { recursive: true, force: true });
  console.log(`restored ${PACKAGE}: ${spec}`);
} else {
  console.error('usage: functions-deploy.mjs stage|restore [functions dir]');
  process.exit(2);
}
