import type { NormalizedEvent } from '@threatstream/events';
import type { Detection } from './detection';
import { detectionAsEvent, MAX_CHAIN_DEPTH, readObservation, toDetection, type RuleSet } from './engine';
import { suppressionFor, type CompiledException, type Suppression } from './exceptions';
import { groupKeyOf, type GroupItem } from './window-doc';
import type { GroupOutcome } from './window-store';

/**
 * Detection on the stream: every enabled rule over a message's observations, windows kept by the
 * window store, each detection written as a threat (suppressed ones too, marked), and detections
 * fed back to rules over detections (a kill chain) in the same invocation.
 */

export interface Catalog {
  rules: RuleSet;
  exceptions: CompiledException[];
}

export interface DetectDeps {
  catalog: () => Promise<Catalog>;
  /** Applies items to one group's windows (window-store.ts); settles after the commit. */
  applyGroup: (group: string, items: GroupItem[]) => Promise<GroupOutcome>;
  /** Stores a detection as a threat, idempotent by detection id. */
  writeThreat: (detection: Detection, suppression: Suppression | undefined) => Promise<'created' | 'duplicate' | 'rejected'>;
  countExceptionHit: (exceptionId: string) => Promise<void>;
  now: () => number;
}

export interface DetectOutcome {
  detections: Detection[];
  /** Threats created now (a redelivery's rewrites come out as duplicates). */
  created: number;
  suppressed: number;
  /** Observations without an id or a readable time. */
  unreadable: number;
}

interface Pending {
  event: unknown;
  id: string;
  t: number;
  depth: number;
  fromRule?: string;
}

export async function detectObservations(events: readonly NormalizedEvent[], deps: DetectDeps): Promise<DetectOutcome> {
  const { rules, exceptions } = await deps.catalog();
  let unreadable = 0;
  let round: Pending[] = [];
  for (const event of events) {
    const read = readObservation(event);
    if (read === undefined) unreadable++;
    else round.push({ event, id: read.id, t: read.t, depth: 0 });
  }
  const found = new Map<string, Detection>();
  for (let depth = 0; round.length > 0; depth++) {
    const fired = await evaluate(rules, round, deps);
    for (const detection of fired) found.set(detection.id, detection);
    // Rules over detections see them in event-time order, as they would have arrived one by one.
    round =
      depth < MAX_CHAIN_DEPTH
        ? fired.map((d) => ({ event: detectionAsEvent(d), id: d.id, t: Date.parse(d.lastSeen), depth: depth + 1, fromRule: d.ruleId })).sort((a, b) => a.t - b.t)
        : [];
  }
  const now = deps.now();
  const results = await Promise.all(
    [...found.values()].map(async (detection) => {
      const suppression = suppressionFor(detection, exceptions, now);
      const outcome = await deps.writeThreat(detection, suppression);
      // Counted once per threat created, so a redelivery does not count it twice.
      if (outcome === 'created' && suppression !== undefined) await deps.countExceptionHit(suppression.exceptionId);
      return { outcome, suppressed: suppression !== undefined };
    }),
  );
  return {
    detections: [...found.values()],
    created: results.filter((r) => r.outcome === 'created').length,
    suppressed: results.filter((r) => r.suppressed).length,
    unreadable,
  };
}

/** One round: match, apply each group's items in one store call, collect what fired (and what to write again). */
async function evaluate(rules: RuleSet, round: readonly Pending[], deps: DetectDeps): Promise<Detection[]> {
  const fired: Detection[] = [];
  const groups = new Map<string, GroupItem[]>();
  for (const pending of round) {
    const byGroup = new Map<string, GroupItem>();
    for (const touch of rules.match(pending.event, pending.id, pending.t, pending.fromRule)) {
      if (touch.stateless) {
        const { fired: firing } = touch.step(undefined);
        if (firing !== undefined) fired.push(toDetection(touch.rule, touch.parts, firing, pending.event, pending.depth));
        continue;
      }
      const group = groupKeyOf(touch);
      let item = byGroup.get(group);
      if (item === undefined) {
        item = { id: pending.id, t: pending.t, event: pending.event, depth: pending.depth, touches: [] };
        byGroup.set(group, item);
        const items = groups.get(group);
        if (items === undefined) groups.set(group, [item]);
        else items.push(item);
      }
      item.touches.push(touch);
    }
  }
  // Observations that match no keyed rule write nothing.
  const outcomes = await Promise.all([...groups].map(([group, items]) => deps.applyGroup(group, items)));
  for (const outcome of outcomes) fired.push(...outcome.detections, ...outcome.replay);
  return fired;
}
