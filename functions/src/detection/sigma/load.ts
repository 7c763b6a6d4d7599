import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileSigma, parseSigmaDocuments, type SigmaCompileResult, type SigmaOptions } from './compile';

/** Every `.yml`/`.yaml` file under a path (a file or a directory), sorted. */
export function sigmaFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...sigmaFiles(full));
    else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/** Reads and compiles the Sigma rules under paths; every document is loaded or refused with its file. */
export function loadSigma(paths: readonly string[], options: SigmaOptions = {}): SigmaCompileResult & { files: number } {
  const documents: Record<string, unknown>[] = [];
  const refused: SigmaCompileResult['refused'] = [];
  let files = 0;
  for (const path of paths) {
    for (const file of sigmaFiles(path)) {
      files++;
      const parsed = parseSigmaDocuments(readFileSync(file, 'utf8'), file);
      documents.push(...parsed.documents);
      refused.push(...parsed.refused);
    }
  }
  const result = compileSigma(documents, options);
  return { loaded: result.loaded, refused: [...refused, ...result.refused], files };
}
