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

  it('success-after-failures across writes by event time: the success stored first, the failures after it, fire once', () => {
    const rules = new RuleSet([BUILT_IN_RULES.find((r) => r.id === 'success-after-failures')!]);
    const login = (id: string, outcome: 'success' | 'failure', at: number): GroupItem => {
      const event = sshLogin({ id, src: '203.0.113.9', user: 'admin', outcome, at });
      const t = Date.parse(event['@timestamp']);
      return { id, t, event, depth: 0, touches: rules.match(event, id, t) };
    };
    let group = applyItems(emptyGroup(), [login('ok', 'success', 30)], 0).group;
    const fired: string[] = [];
    for (let i = 4; i >= 0; i--) {
      const result = applyItems(roundTrip(group), [login(`f${i}`, 'failure', i * 3)], 0);
      group = result.group;
      fired.push(...result.detections.map(({ detection }) => `${detection.ruleId} ${detection.count} after f${i}`));
    }
    expect(fired).toEqual(['success-after-failures 6 after f0']);
  });

  it('stays small under a flood of one step of a sequence (failures without a success)', () => {
    const rules = new RuleSet([BUILT_IN_RULES.find((r) => r.id === 'success-after-failures')!]);
    let group = emptyGroup();
    for (let batch = 0; batch < 50; batch++) {
      const flood = Array.from({ length: 100 }, (_, k): GroupItem => {
        const id = `flood-${batch}-${k}`;
        // Out of order within each batch, all inside the rule's ten minutes.
        const event = sshLogin({ id, src: '203.0.113.9', user: 'root', outcome: 'failure', at: (batch * 100 + ((k * 37) % 100)) / 10 });
        const t = Date.parse(event['@timestamp']);
        return { id, t, event, depth: 0, touches: rules.match(event, id, t) };
      });
      group = roundTrip(applyItems(group, flood, 0).group);
    }
    const bytes = JSON.stringify(group).length;
    // 512 remembered observation ids and the window's 64 newest failures: the same after 500 or 5,000.
    expect(bytes).toBeLessThan(15_000);
    const state = Object.values(group.entries)[0]!.state as { steps: { ids: string[]; count: number }[] };
    expect(state.steps[0]!.ids).toHaveLength(64);
    expect(state.steps[0]!.count).toBe(5_000);
  });
});
