/**
 * Detection and false-positive rates of the built-in web attack rules on the OWASP CRS
 * regression requests whose payload is in the URI (functions/src/detection/pack/samples/).
 *
 *   npx tsx bench/web-attack-corpus.ts
 *
 * "Near misses" are CRS negative tests: strings written not to trip one CRS rule; some are
 * attacks meant for a sibling rule, so their flagged share is an upper bound on false positives.
 */
import { BUILT_IN_RULES } from '../functions/src/detection/pack';
import { CORPUS_SOURCE, measureWebCorpus } from '../functions/src/detection/pack/web-corpus';

const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
const rates = measureWebCorpus(BUILT_IN_RULES);
console.log(`corpus: ${CORPUS_SOURCE}`);
for (const r of rates) {
  console.log(
    `${r.category.padEnd(18)} attacks ${String(r.attacks).padStart(3)}: own rule ${pct(r.detectedByOwnRule, r.attacks)}, any web rule ${pct(r.detectedByAnyRule, r.attacks)}; near misses ${String(r.nearMisses).padStart(3)}: flagged ${pct(r.nearMissesFlagged, r.nearMisses)}`,
  );
}
const total = rates.reduce((t, r) => ({ a: t.a + r.attacks, d: t.d + r.detectedByAnyRule, n: t.n + r.nearMisses, f: t.f + r.nearMissesFlagged }), { a: 0, d: 0, n: 0, f: 0 });
console.log(`all               attacks ${total.a}: detected ${pct(total.d, total.a)}; near misses ${total.n}: flagged ${pct(total.f, total.n)}`);
