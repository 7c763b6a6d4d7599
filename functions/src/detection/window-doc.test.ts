import { describe, expect, it } from 'vitest';
import { RuleSet } from './engine';
import { BUILT_IN_RULES } from './pack';
import { sshLogin } from './pack/fixtures';
import { applyItems, emptyGroup, groupKeyOf, RECENT_OBSERVATIONS, type GroupItem, type WindowGroup } from './window-doc';

const sshRule = BUILT_IN_RULES.find((r) => r.id === 'ssh-brute-force')!;

function items(rules: RuleSet, from: number, count: number, src = '203.0.113.9'): GroupItem[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const event = sshLogin({ id: `w-${i}`, src, user: 'root', outcome: 'failure', at: i });
    const t = Date.parse(event['@timestamp']);
    return { id: `w-${i}`, t, event, depth: 0, touches: rules.match(event, `w-${i}`, t).filter((touch) => !touch.stateless) };
  });
}

const roundTrip = (group: WindowGroup): WindowGroup => JSON.parse(JSON.stringify(group)) as WindowGroup;

describe('window group documents', () => {
  it('keys every rule keyed by the source under one group, and fires once the threshold is met across writes', () => {
    const rules = new RuleSet([sshRule]);
    const first = items(rules, 0, 6);
    expect(new Set(first.flatMap((item) => item.touches.map(groupKeyOf)))).toEqual(new Set(['source.ip=203.0.113.9']));
    const a = applyItems(emptyGroup(), first, 0);
    expect(a.detections).toEqual([]);
    const b = applyItems(roundTrip(a.group), items(rules, 6, 4), 0);
    expect(b.detections.map(({ item, detection }) => [item, detection.ruleId, detection.count])).toEqual([[3, 'ssh-brute-force', 10]]);
    expect(b.group.fired.map((f) => f.detection.id)).toEqual([b.detections[0]!.detection.id]);
  });

  it('counts a repeated observation once and reports it as a duplicate', () => {
    const rules = new RuleSet([sshRule]);
    const batch = items(rules, 0, 5);
    const a = applyItems(emptyGroup(), [...batch, ...batch], 0);
    expect(a.duplicates).toBe(5);
    const b = applyItems(roundTrip(a.group), items(rules, 5, 4), 0);
    expect(b.detections).toEqual([]); // 9 distinct, not 14
    expect(a.group.recent.length).toBeLessThanOrEqual(RECENT_OBSERVATIONS);
  });

  it('starts a window afresh when its rule changed version', () => {
    const a = applyItems(emptyGroup(), items(new RuleSet([sshRule]), 0, 9), 0);
    const changed = new RuleSet([{ ...sshRule, version: sshRule.version + 1 }]);
    const b = applyItems(roundTrip(a.group), items(changed, 9, 1), 0);
    expect(b.detections).toEqual([]);
    const c = applyItems(roundTrip(b.group), items(changed, 10, 9), 0);
    expect(c.detections.map(({ detection }) => [detection.ruleVersion, detection.count])).toEqual([[sshRule.version + 1, 10]]);
  });

  it('drops windows that closed before the group’s newest event', () => {
    // success-after-failures keys by source and user: two users, two windows under the source's group.
    const rules = new RuleSet([BUILT_IN_RULES.find((r) => r.id === 'success-after-failures')!]);
    const item = (id: string, user: string, at: number): GroupItem => {
      const event = sshLogin({ id, src: '203.0.113.9', user, outcome: 'failure', at });
      const t = Date.parse(event['@timestamp']);
      return { id, t, event, depth: 0, touches: rules.match(event, id, t) };
    };
    const a = applyItems(emptyGroup(), [item('a1', 'alice', 0), item('b1', 'bob', 1)], 0);
    expect(Object.keys(a.group.entries)).toHaveLength(2);
    // An hour later (the rule's window is ten minutes) bob fails again: alice's window is gone.
    const b = applyItems(roundTrip(a.group), [item('b2', 'bob', 3600)], 0);
    expect(Object.keys(b.group.entries)).toHaveLength(1);
    expect(Object.keys(b.group.entries)[0]).toMatch(/bob$/);
  });
});
