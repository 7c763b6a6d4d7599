import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseRecord, type NormalizedEvent } from '@threatstream/events';

/**
 * SigmaHQ's regression data as vendored in test/sigma/sigmahq (DRL 1.1, see its NOTICE): per
 * rule, a folder of EVTX-dump JSON events it must match. Read here once for the regression test
 * and the Sigma bench.
 */
export interface RegressionCase {
  /** The rule's path under regression_data, e.g. `rules/windows/process_creation/proc_creation_win_x`. */
  folder: string;
  /** The vendored rule file. */
  ruleFile: string;
  /** Its events, through the Windows adapter. */
  events: NormalizedEvent[];
}

/** Every case under `root` (the test/sigma/sigmahq directory). */
export function regressionCases(root: string): RegressionCase[] {
  const data = join(root, 'regression_data');
  return walk(data)
    .filter((file) => file.endsWith('info.yml'))
    .sort()
    .map((info) => {
      const folder = dirname(info);
      const relative = folder.slice(data.length + 1);
      const events = readdirSync(folder)
        .filter((name) => name.endsWith('.json'))
        .sort()
        .flatMap((name) => readRegressionEvents(join(folder, name)));
      return { folder: relative, ruleFile: join(root, `${relative}.yml`), events };
    });
}

/** One regression file's events; throws when a record is not read as a Windows event. */
export function readRegressionEvents(file: string): NormalizedEvent[] {
  return splitConcatenatedJson(readFileSync(file, 'utf8')).map((record) => {
    const outcome = parseRecord(JSON.stringify(record));
    if (!outcome.ok) throw new Error(`${file}: ${outcome.message}`);
    if (outcome.format !== 'windows-event') throw new Error(`${file}: read as ${outcome.format}, not windows-event`);
    return outcome.events[0]!;
  });
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** evtx_dump writes one pretty-printed object per record, one after another (or a JSON array): split them. */
export function splitConcatenatedJson(text: string): unknown[] {
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
    else if (char === '{' || char === '[') {
      if (depth++ === 0) start = i;
    } else if (char === '}' || char === ']') {
      if (--depth === 0) {
        const value: unknown = JSON.parse(text.slice(start, i + 1));
        out.push(...(Array.isArray(value) ? value : [value]));
      }
    }
  }
  return out;
}
