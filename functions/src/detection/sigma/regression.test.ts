import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseRecord, type NormalizedEvent } from '@threatstream/events';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { compileSigma, parseSigmaDocuments, type CompiledSigma } from './compile';
import { logSourceKey, type SigmaLogSource } from './logsources';
import { SigmaRuleSet } from './rule-set';

// SigmaHQ's own regression data (DRL 1.1, see test/sigma/sigmahq/NOTICE): each rule with the
// EVTX-dump JSON events it must match. Every rule must fire on its own events, through our
// Windows adapter and the indexed rule set; none may fire on events of another log source.
const ROOT = join(__dirname, '../../../../test/sigma/sigmahq');

interface Case {
  folder: string;
  ruleFile: string;
  events: NormalizedEvent[];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}

function readEvents(file: string): NormalizedEvent[] {
  const records = splitConcatenatedJson(readFileSync(file, 'utf8'));
  return records.map((record) => {
    const outcome = parseRecord(JSON.stringify(record));
    if (!outcome.ok) throw new Error(`${file}: ${outcome.message}`);
    expect(outcome.format).toBe('windows-event');
    return outcome.events[0]!;
  });
}

/** evtx_dump writes one pretty-printed object per record, one after another: split them. */
function splitConcatenatedJson(text: string): unknown[] {
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

const cases: Case[] = walk(join(ROOT, 'regression_data'))
  .filter((file) => file.endsWith('info.yml'))
  .map((info) => {
    const folder = dirname(info);
    const relative = folder.slice(join(ROOT, 'regression_data').length + 1);
    const events = readdirSync(folder).filter((name) => name.endsWith('.json')).flatMap((name) => readEvents(join(folder, name)));
    return { folder: relative, ruleFile: join(ROOT, `${relative}.yml`), events };
  });

// Regression data exists for rules of any status: load them all here.
const documents = cases.flatMap((c) => parseSigmaDocuments(readFileSync(c.ruleFile, 'utf8'), c.ruleFile).documents);
const compiled = compileSigma(documents, { statuses: ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] });
const byId = new Map<string, CompiledSigma>(compiled.loaded.map((rule) => [rule.sigmaId, rule]));
const set = new SigmaRuleSet(compiled.loaded);
// Rules of one log source (e.g. two process_creation rules) may rightly fire on each other's events.
const logSourceOf = (c: Case) => logSourceKey((parseYaml(readFileSync(c.ruleFile, 'utf8')) as { logsource: SigmaLogSource }).logsource);

describe('SigmaHQ regression data', () => {
  it('has the vendored cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it('compiles every rule that has regression data, or refuses it with a reason', () => {
    const summary = compiled.refused.map((refusal) => `${refusal.sigmaId} ${refusal.title}: ${refusal.reason}`);
    // Listed in the README with why (see "Sigma" → "Regression data").
    expect(summary).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.folder} fires on its own events`, () => {
      const id = (parseYaml(readFileSync(c.ruleFile, 'utf8')) as { id: string }).id;
      const rule = byId.get(id);
      expect(rule, 'compiled').toBeDefined();
      // SigmaHQ's check: the rule matches its regression log (one event of it at least).
      expect(c.events.some((event) => set.match(event).some((match) => match.sigmaId === id))).toBe(true);
    });
  }

  it('no rule fires on the regression events of another log source', () => {
    const wrong: string[] = [];
    const sourceOfRule = new Map(cases.map((c) => [(parseYaml(readFileSync(c.ruleFile, 'utf8')) as { id: string }).id, logSourceOf(c)]));
    for (const c of cases) {
      const own = logSourceOf(c);
      for (const event of c.events) {
        for (const match of set.match(event)) if (sourceOfRule.get(match.sigmaId) !== own) wrong.push(`${match.sigmaId} on ${c.folder}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
