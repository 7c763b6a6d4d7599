import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DetectionEngine } from '../engine';
import { compileSigma, parseSigmaDocuments, type CompiledSigma } from './compile';
import { logSourceKey, type SigmaLogSource } from './logsources';
import { regressionCases, type RegressionCase } from './regression-data';

// SigmaHQ's own regression data (DRL 1.1, see test/sigma/sigmahq/NOTICE): each rule with the
// EVTX-dump JSON events it must match. Every rule must fire on its own events, through our
// Windows adapter and the detection engine (its index picks the rules an event can match);
// none may fire on events of another log source.
const ROOT = join(__dirname, '../../../../test/sigma/sigmahq');
type Case = RegressionCase;
const cases: Case[] = regressionCases(ROOT);

// Regression data exists for rules of any status: load them all here.
const documents = cases.flatMap((c) => parseSigmaDocuments(readFileSync(c.ruleFile, 'utf8'), c.ruleFile).documents);
const compiled = compileSigma(documents, { statuses: ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] });
const byId = new Map<string, CompiledSigma>(compiled.loaded.map((rule) => [rule.sigmaId, rule]));
const engine = new DetectionEngine(compiled.loaded.map((sigma) => sigma.rule));
/** The Sigma ids of the rules an event fires (single-event rules: no state carries between events). */
const fired = (event: Case['events'][number]) => engine.observe(event).map((detection) => detection.ruleId.replace(/^sigma-/, ''));
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
      expect(c.events.some((event) => fired(event).includes(id.toLowerCase()))).toBe(true);
    });
  }

  it('no rule fires on the regression events of another log source', () => {
    const wrong: string[] = [];
    const sourceOfRule = new Map(cases.map((c) => [(parseYaml(readFileSync(c.ruleFile, 'utf8')) as { id: string }).id.toLowerCase(), logSourceOf(c)]));
    for (const c of cases) {
      const own = logSourceOf(c);
      for (const event of c.events) {
        for (const id of fired(event)) if (sourceOfRule.get(id) !== own) wrong.push(`${id} on ${c.folder}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
