import { parseRecord } from '@threatstream/events';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './cli';
import { DetectionEngine } from '../../functions/src/detection/engine';
import { BUILT_IN_RULES } from '../../functions/src/detection/pack';
import { nativeRecords, SSH_FAILURES_PER_ROUND } from './native';
import { createRng } from './prng';
import { Simulation } from './scenarios';

describe('native records', () => {
  const sim = new Simulation({ seed: 7, scenario: 'mixed', benignRatio: 0.7, clock: (i) => new Date(Date.UTC(2026, 11, 7, 9, 5, i % 60)) });
  const rng = createRng(1);
  const rendered = Array.from({ length: 600 }, () => {
    const s = sim.next();
    const records = nativeRecords(s, rng);
    return { s, records, native: records?.[0] };
  });

  it('renders all everyday traffic, and parses as observations of the format named, auto-detected', () => {
    const benign = rendered.filter((r) => r.s.benign);
    expect(benign.length).toBeGreaterThan(300);
    const formats = new Set<string>();
    for (const { s, native } of benign) {
      expect(native, s.event.event_type).toBeDefined();
      const parsed = parseRecord(native!.value);
      if (!parsed.ok) throw new Error(`${native!.value}: ${parsed.message}`);
      expect(parsed.format).toBe(native!.format);
      expect(parsed.events.map((e) => e.event.kind)).toEqual(['event']);
      formats.add(`${native!.format}:${parsed.events[0]!.observer?.product ?? parsed.events[0]!.log?.syslog?.appname ?? parsed.events[0]!.event.dataset}`);
    }
    // Suricata, sshd and web-server traffic all appear.
    expect([...formats].some((f) => f.startsWith('suricata-eve'))).toBe(true);
    expect(benign.some(({ native }) => native!.value.includes(' sshd['))).toBe(true);
    expect(benign.some(({ native }) => /^\S+ - - \[/.test(native!.value))).toBe(true);
  });

  it('renders a port scan as a Suricata alert carrying its ATT&CK ids, and leaves other attacks in our JSON', () => {
    const scans = rendered.filter((r) => r.s.event.event_type === 'port_scan');
    expect(scans.length).toBeGreaterThan(0);
    for (const { s, native } of scans) {
      const parsed = parseRecord(native!.value);
      if (!parsed.ok) throw new Error(parsed.message);
      const [alert] = parsed.events;
      expect(alert!.event.kind).toBe('alert');
      expect(alert!.source?.ip).toBe(s.event.source_ip);
      expect(alert!.threat?.technique?.id).toEqual(['T1046']);
    }
    const isSsh = (r: (typeof rendered)[number]) => (r.s.event.payload as Record<string, unknown>).service === 'ssh';
    const rendersNatively = new Set(['port_scan', 'sql_injection', 'xss']);
    const others = rendered.filter((r) => !r.s.benign && !rendersNatively.has(r.s.event.event_type) && !isSsh(r));
    expect(others.length).toBeGreaterThan(0);
    for (const { native } of others) expect(native).toBeUndefined();
  });

  it('renders an SSH brute-force round as the sshd failures it is made of, which the built-in rule detects', () => {
    const rounds = rendered.filter((r) => r.s.event.event_type === 'brute_force' && (r.s.event.payload as Record<string, unknown>).service === 'ssh');
    expect(rounds.length).toBeGreaterThan(0);
    for (const { s, records } of rounds) {
      expect(records).toHaveLength(SSH_FAILURES_PER_ROUND);
      const engine = new DetectionEngine(BUILT_IN_RULES);
      const detections = records!.flatMap((record) => {
        const parsed = parseRecord(record.value, { now: new Date(s.event.timestamp) });
        if (!parsed.ok) throw new Error(`${record.value}: ${parsed.message}`);
        expect(parsed.events[0]!.event.kind).toBe('event');
        return parsed.events.flatMap((event) => engine.observe(event));
      });
      expect(detections.find((d) => d.ruleId === 'ssh-brute-force')).toMatchObject({ key: { 'source.ip': s.event.source_ip }, count: 10 });
    }
  });

  it('renders SQL injection and XSS requests as access lines, which the built-in web rules detect', () => {
    const rule = { sql_injection: 'web-sql-injection', xss: 'web-xss' } as Record<string, string>;
    const attacks = rendered.filter((r) => r.s.event.event_type in rule);
    expect(new Set(attacks.map((r) => r.s.event.event_type))).toEqual(new Set(['sql_injection', 'xss']));
    for (const { s, records } of attacks) {
      expect(records).toHaveLength(1);
      const parsed = parseRecord(records![0]!.value, { now: new Date(s.event.timestamp) });
      if (!parsed.ok) throw new Error(`${records![0]!.value}: ${parsed.message}`);
      expect(parsed.format).toBe('syslog');
      expect(parsed.events[0]!.event.kind).toBe('event');
      const detections = parsed.events.flatMap((event) => new DetectionEngine(BUILT_IN_RULES).observe(event));
      expect(detections.map((d) => d.ruleId), records![0]!.value).toContain(rule[s.event.event_type]);
    }
  });

  it('is asked for with --native, which needs the bridge', () => {
    expect(parseCli(['--native']).native).toBe(true);
    expect(parseCli([]).native).toBe(false);
    expect(() => parseCli(['--native', '--pubsub'])).toThrow(UsageError);
  });
});
