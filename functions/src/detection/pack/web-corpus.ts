import { DetectionEngine } from '../engine';
import type { DetectionRule } from '../rule';
import { webRequest } from './fixtures';
import corpus from './samples/crs-requests.json';

export const WEB_RULE_BY_CATEGORY: Readonly<Record<string, string>> = {
  sql_injection: 'web-sql-injection',
  xss: 'web-xss',
  path_traversal: 'web-path-traversal',
  command_injection: 'web-command-injection',
};

export interface CorpusRates {
  category: string;
  attacks: number;
  /** Attacks that the category's own rule flagged. */
  detectedByOwnRule: number;
  /** Attacks that any web rule flagged. */
  detectedByAnyRule: number;
  /** CRS negative tests (near misses written to not trip one CRS rule) that any web rule flagged. */
  nearMisses: number;
  nearMissesFlagged: number;
}

/** Runs the OWASP CRS URI corpus (samples/crs-requests.json) as access-log events through the rules. */
export function measureWebCorpus(rules: readonly DetectionRule[]): CorpusRates[] {
  const webRules = rules.filter((rule) => Object.values(WEB_RULE_BY_CATEGORY).includes(rule.id));
  const fired = (uri: string, i: number) => {
    const engine = new DetectionEngine(webRules);
    return new Set(engine.observe(webRequest({ id: `crs-${i}`, src: '203.0.113.80', url: uri, at: 0 })).map((d) => d.ruleId));
  };
  return Object.entries(WEB_RULE_BY_CATEGORY).map(([category, ruleId]) => {
    const rows = corpus.requests.map((r, i) => ({ ...r, i })).filter((r) => r.category === category);
    const attacks = rows.filter((r) => r.expected === 'attack').map((r) => fired(r.uri, r.i));
    const benign = rows.filter((r) => r.expected === 'benign').map((r) => fired(r.uri, r.i));
    return {
      category,
      attacks: attacks.length,
      detectedByOwnRule: attacks.filter((s) => s.has(ruleId)).length,
      detectedByAnyRule: attacks.filter((s) => s.size > 0).length,
      nearMisses: benign.length,
      nearMissesFlagged: benign.filter((s) => s.size > 0).length,
    };
  });
}

export const CORPUS_SOURCE: string = corpus.source;
