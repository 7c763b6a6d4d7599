import { describe, expect, it } from 'vitest';
import { beaconHorizonMs, DetectionEngine, detectionAsEvent } from './engine';
import { BUILT_IN_RULES } from './pack';
import { flow, series, sshLogin } from './pack/fixtures';
import { parseRuleText } from './rule';

const YAML_RULE = `
id: telnet-from-internet
title: Telnet from the internet
description: A connection to port 23 from outside the private ranges; telnet sends passwords in clear.
severity: MEDIUM
eventType: policy_violation
techniques: [T1021]
kind: threshold
match:
  all:
    - { field: destination.port, op: equals, values: [23] }
    - not: { field: source.ip, op: cidr, values: [10.0.0.0/8, 192.168.0.0/16] }
groupBy: [source.ip]
windowSeconds: 60
threshold: 3
`;

describe('declarative rules', () => {
  it('parse from YAML and run in the engine beside the TypeScript ones', () => {
    const parsed = parseRuleText(YAML_RULE);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.rule).toMatchObject({ enabled: true, version: 1 });
    const engine = new DetectionEngine([...BUILT_IN_RULES, parsed.rule]);
    const detections = series(3, 0, 1, (i, at) => flow({ src: '198.51.100.4', dst: '10.0.0.9', dport: 23, at })).flatMap((e) => engine.observe(e));
    expect(detections.map((d) => [d.ruleId, d.count])).toEqual([['telnet-from-internet', 3]]);
  });

  it('parse from JSON too', () => {
    const parsed = parseRuleText(JSON.stringify({ id: 'any-root-login', title: 'Root login', description: 'Someone logged in as root, which policy forbids.', severity: 'LOW', eventType: 'suspicious_login', techniques: ['T1078'], kind: 'single', match: { field: 'user.name', op: 'equals', values: ['root'] } }));
    expect(parsed.ok).toBe(true);
  });

  it.each<[string, string, RegExp]>([
    ['a misspelt field', YAML_RULE.replace('destination.port', 'destination.prot'), /match.*"destination.prot" is not a field/s],
    ['an unknown kind', YAML_RULE.replace('kind: threshold', 'kind: thresh'), /kind/],
    ['a window over a day', YAML_RULE.replace('windowSeconds: 60', 'windowSeconds: 90000'), /windowSeconds/],
    ['a bad technique id', YAML_RULE.replace('T1021', 'TA0001'), /techniques.0/],
    ['an unknown key', `${YAML_RULE}extra: 1\n`, /extra/],
    ['not YAML at all', 'id: [unclosed', /not valid YAML or JSON/],
    ['a duplicate key', `${YAML_RULE}threshold: 4\n`, /not valid YAML or JSON/],
    ['an alias bomb', `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`, /./],
  ])('refuse %s with a reason', (_name, text, reason) => {
    const parsed = parseRuleText(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.join('\n')).toMatch(reason);
  });
});

describe('DetectionEngine', () => {
  it('returns a detection with rule, key, counts, sample, endpoints and a stable id', () => {
    const events = series(10, 0, 1, (i, at) => sshLogin({ id: `f${i}`, src: '203.0.113.9', user: 'root', outcome: 'failure', at }));
    const run = () => {
      const engine = new DetectionEngine(BUILT_IN_RULES);
      return events.flatMap((e) => engine.observe(e));
    };
    const [detection] = run();
    expect(detection).toMatchObject({
      ruleId: 'ssh-brute-force',
      ruleKind: 'threshold',
      severity: 'HIGH',
      eventType: 'brute_force',
      techniques: ['T1110', 'T1110.001'],
      key: { 'source.ip': '203.0.113.9' },
      count: 10,
      sample: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9'],
      source: { ip: '203.0.113.9', port: 50022 },
      destination: { ip: '10.0.0.5', port: 22 },
      user: 'root',
      depth: 0,
    });
    expect(detection!.id).toMatch(/^det-[0-9a-f]{32}$/);
    expect(run()[0]!.id).toBe(detection!.id); // a replayed stream yields the same detection id
  });

  it('skips events without an id or a readable time, and counts them', () => {
    const engine = new DetectionEngine(BUILT_IN_RULES);
    const good = sshLogin({ src: '203.0.113.9', user: 'root', outcome: 'failure', at: 0 });
    expect(engine.observe({ ...good, '@timestamp': 'yesterday' })).toEqual([]);
    expect(engine.observe({ ...good, event: { ...good.event, id: '' } })).toEqual([]);
    expect(engine.unreadable).toBe(2);
  });

  it('ignores disabled rules and refuses duplicate ids', () => {
    const parsed = parseRuleText(YAML_RULE);
    if (!parsed.ok) throw new Error('bad rule');
    expect(new DetectionEngine([{ ...parsed.rule, enabled: false }]).ruleIds).toEqual([]);
    expect(() => new DetectionEngine([parsed.rule, parsed.rule])).toThrow(/duplicate rule id telnet-from-internet/);
  });

  it('feeds detections to rules over detections, marked as alerts of our ruleset', () => {
    const engine = new DetectionEngine(BUILT_IN_RULES);
    const scan = series(30, 0, 0.1, (i, at) => flow({ src: '45.77.1.2', dst: '10.0.0.80', dport: 20 + i, at })).flatMap((e) => engine.observe(e));
    expect(scan.map((d) => d.ruleId)).toEqual(['port-scan-vertical']);
    const derived = detectionAsEvent(scan[0]!);
    expect(derived).toMatchObject({ event: { kind: 'alert', dataset: 'threatstream.detection' }, rule: { id: 'port-scan-vertical', ruleset: 'threatstream' }, source: { ip: '45.77.1.2' } });
  });

  it('sweeps keys whose windows have closed', () => {
    const engine = new DetectionEngine(BUILT_IN_RULES);
    for (let i = 0; i < 200; i++) engine.observe(flow({ src: `198.51.100.${i}`, dst: '10.0.0.1', dport: 80, at: i }));
    const before = engine.keyCount;
    expect(before).toBeGreaterThan(200);
    engine.observe(flow({ src: '198.51.100.1', dst: '10.0.0.1', dport: 80, at: 2 * 86_400 }));
    engine.sweep();
    expect(engine.keyCount).toBeLessThan(10);
  });

  it('drops beacon keys idle longer than any gap a beacon could have', () => {
    // 6 h window, 10 events, jitter 0.1: mean gap ≤ 40 min, any gap ≤ 40 × (1 + 0.3) = 52 min.
    expect(beaconHorizonMs({ windowMs: 6 * 3_600_000, minEvents: 10, maxJitter: 0.1 })).toBe(3_120_000);
    const engine = new DetectionEngine(BUILT_IN_RULES.filter((rule) => rule.id === 'c2-beaconing'));
    engine.observe(flow({ src: '10.0.0.66', dst: '45.77.1.2', dport: 8443, at: 0 }));
    engine.observe(flow({ src: '10.0.0.67', dst: '45.77.1.2', dport: 8443, at: 3_000 }));
    engine.sweep();
    expect(engine.keyCount).toBe(2);
    engine.observe(flow({ src: '10.0.0.67', dst: '45.77.1.2', dport: 8443, at: 3_200 }));
    engine.sweep();
    expect(engine.keyCount).toBe(1); // the first key's last event is 53 min old
  });
});
