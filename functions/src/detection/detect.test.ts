import type { NormalizedEvent } from '@threatstream/events';
import { describe, expect, it } from 'vitest';
import { detectObservations, type DetectDeps } from './detect';
import type { Detection } from './detection';
import { DetectionEngine, RuleSet } from './engine';
import { compileException, type CompiledException } from './exceptions';
import { BUILT_IN_PACK, BUILT_IN_RULES } from './pack';
import { series, sshLogin } from './pack/fixtures';
import { applyItems, emptyGroup, type WindowGroup } from './window-doc';

/** Groups held as the store holds them (JSON text), applied with the store's own transition. */
function memoryDeps(rules = new RuleSet(BUILT_IN_RULES), exceptions: CompiledException[] = []) {
  const docs = new Map<string, string>();
  const written = new Map<string, { detection: Detection; suppressed: boolean }>();
  let writes = 0;
  const hits = new Map<string, number>();
  const deps: DetectDeps = {
    catalog: async () => ({ rules, exceptions }),
    applyGroup: async (group, items) => {
      const previous = docs.has(group) ? (JSON.parse(docs.get(group)!) as WindowGroup) : emptyGroup();
      const applied = applyItems(previous, items, Date.now());
      docs.set(group, JSON.stringify(applied.group));
      writes++;
      return { detections: applied.detections.map((d) => d.detection), replay: applied.duplicates > 0 ? previous.fired.map((f) => f.detection) : [] };
    },
    writeThreat: async (detection, suppression) => {
      if (written.has(detection.id)) return 'duplicate';
      written.set(detection.id, { detection, suppressed: suppression !== undefined });
      return 'created';
    },
    countExceptionHit: async (id) => void hits.set(id, (hits.get(id) ?? 0) + 1),
    now: Date.now,
  };
  return { deps, written, hits, docs, writes: () => writes };
}

async function inBatches(events: readonly NormalizedEvent[], size: number, deps: DetectDeps): Promise<void> {
  for (let i = 0; i < events.length; i += size) await detectObservations(events.slice(i, i + size), deps);
}

describe('detection over stored windows', () => {
  const cases = BUILT_IN_PACK.flatMap((entry) => entry.cases.map((c) => [`${entry.rule.id}: ${c.name}`, c.events] as const));

  it.each(cases)('%s: the same detections as the in-memory engine, one message per event', async (_name, events) => {
    const engine = new DetectionEngine(BUILT_IN_RULES);
    const expected = events.flatMap((e) => engine.observe(e)).map((d) => d.id).sort();
    const { deps, written } = memoryDeps();
    await inBatches(events, 1, deps);
    expect([...written.keys()].sort()).toEqual(expected);
  });

  it.each(cases.flatMap(([name, events]) => [7, 1000].map((size) => [name, size, events] as const)))('%s: the same detections with %i observations per message', async (_name, size, events) => {
    const engine = new DetectionEngine(BUILT_IN_RULES);
    const expected = events.flatMap((e) => engine.observe(e)).map((d) => d.id).sort();
    const { deps, written } = memoryDeps();
    await inBatches(events, size, deps);
    expect([...written.keys()].sort()).toEqual(expected);
  });

  it('counts an observation delivered twice once, and writes the detection again after a redelivery', async () => {
    const failures = series(10, 0, 1, (i, at) => sshLogin({ id: `dup-f${i}`, src: '203.0.113.50', user: 'root', outcome: 'failure', at }));
    const { deps, written } = memoryDeps();
    // Nine, each delivered twice: never ten distinct, so no brute force.
    for (const event of failures.slice(0, 9)) {
      await detectObservations([event], deps);
      await detectObservations([event], deps);
    }
    expect(written.size).toBe(0);
    await detectObservations([failures[9]!], deps);
    expect([...written.values()].map((w) => [w.detection.ruleId, w.detection.count])).toEqual([['ssh-brute-force', 10]]);
    // The tenth redelivered (its first threat write failed, say): the detection comes back to be written (idempotently).
    const again = await detectObservations([failures[9]!], deps);
    expect(again.detections.map((d) => d.ruleId)).toEqual(['ssh-brute-force']);
    expect(again.created).toBe(0);
  });

  it('counts each observation of a redelivered batch once, however the redelivery is cut into batches', async () => {
    const failures = series(10, 0, 1, (i, at) => sshLogin({ id: `redo-f${i}`, src: '203.0.113.51', user: 'root', outcome: 'failure', at }));
    const { deps, written } = memoryDeps();
    // The bridge published nine in two batches, then (offsets not yet committed) Kafka gave the
    // records again and the bridge cut them differently: still nine distinct, no brute force.
    await detectObservations(failures.slice(0, 5), deps);
    await detectObservations(failures.slice(5, 9), deps);
    await detectObservations(failures.slice(0, 9), deps);
    await detectObservations(failures.slice(3, 7), deps);
    expect(written.size).toBe(0);
    // The same batch delivered twice by Pub/Sub, then the tenth in a batch with a repeat.
    await detectObservations(failures.slice(0, 2), deps);
    await detectObservations([failures[8]!, failures[9]!], deps);
    expect([...written.values()].map((w) => [w.detection.ruleId, w.detection.count])).toEqual([['ssh-brute-force', 10]]);
  });

  it('writes nothing for observations no keyed rule matches', async () => {
    const { deps, writes, docs } = memoryDeps();
    const benign = series(5, 0, 1, (i, at) => ({ ...sshLogin({ id: `ok-${i}`, src: '198.51.100.7', user: 'alice', outcome: 'success', at }), source: undefined }) as unknown as NormalizedEvent);
    await detectObservations(benign, deps);
    expect([writes(), docs.size]).toEqual([0, 0]);
  });

  it('one write per group for a message: a flood from one source in one message is one transaction', async () => {
    const { deps, writes } = memoryDeps();
    const flood = series(200, 0, 0.01, (i, at) => sshLogin({ id: `flood-${i}`, src: '203.0.113.77', user: `u${i % 3}`, outcome: 'failure', at }));
    await detectObservations(flood, deps);
    // source.ip (brute force, spraying) and source.ip+user.name share the source's document.
    expect(writes()).toBe(1);
  });

  it('marks a detection an exception covers, writes it, and counts the hit once', async () => {
    const exception = compileException('scanner', {
      ruleId: 'ssh-brute-force',
      match: { field: 'source.ip', op: 'equals', values: ['203.0.113.60'] },
      reason: 'our own scanner',
      owner: 'secops@example.com',
      createdBy: 'secops@example.com',
      createdAt: '2026-01-01T00:00:00Z',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      hits: 0,
    });
    const { deps, written, hits } = memoryDeps(new RuleSet(BUILT_IN_RULES), [exception]);
    const failures = series(10, 0, 1, (i, at) => sshLogin({ id: `sup-${i}`, src: '203.0.113.60', user: 'root', outcome: 'failure', at }));
    await detectObservations(failures, deps);
    await detectObservations(failures.slice(-1), deps);
    expect([...written.values()].map((w) => [w.detection.ruleId, w.suppressed])).toEqual([['ssh-brute-force', true]]);
    expect(hits.get('scanner')).toBe(1);
  });
});
