import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkEnvelope, MAX_EVENT_BYTES as BRIDGE_MAX_EVENT_BYTES } from '../../bridge/src/envelope';
import { MAX_EVENT_BYTES, parseEventBytes, SecurityEventSchema } from '../../functions/src/domain/event';
import { isPrivate10 } from './network';
import { ATTACK_SCENARIOS, KILL_CHAIN_STAGES, SCENARIOS, Simulation, type Scenario, type SimulatedEvent } from './scenarios';

function take(scenario: Scenario, n: number, seed = 1234): SimulatedEvent[] {
  const sim = new Simulation({ seed, scenario, clock: (i) => new Date(Date.UTC(2026, 0, 1) + i * 100) });
  return Array.from({ length: n }, () => sim.next());
}

const isPublicIPv4 = (ip: string) =>
  isIP(ip) === 4 && !/^(10\.|127\.|169\.254\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|0\.|22[4-9]\.|2[3-5]\d\.)/.test(ip);

describe('simulated events', () => {
  it.each(SCENARIOS)('every %s event validates against the event schema and passes the bridge', (scenario) => {
    const events = take(scenario, 1500);
    for (const { event } of events) {
      const parsed = SecurityEventSchema.safeParse(event);
      if (!parsed.success) throw new Error(`${JSON.stringify(event)}: ${parsed.error.message}`);
      const bytes = Buffer.from(JSON.stringify(event));
      expect(parseEventBytes(bytes).ok).toBe(true);
      expect(checkEnvelope(bytes)).toMatchObject({ ok: true, eventId: event.event_id });
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = take('mixed', 300, 99).map((e) => JSON.stringify(e.event));
    const b = take('mixed', 300, 99).map((e) => JSON.stringify(e.event));
    const c = take('mixed', 300, 100).map((e) => JSON.stringify(e.event));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('gives every event a unique id', () => {
    const ids = take('mixed', 5000).map((e) => e.event.event_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('mixes benign traffic with every kind of attack', () => {
    const events = take('mixed', 6000);
    const benign = events.filter((e) => e.benign).length / events.length;
    expect(benign).toBeGreaterThan(0.5);
    expect(benign).toBeLessThan(0.7);
    const scenarios = new Set(events.map((e) => e.scenario));
    for (const scenario of ATTACK_SCENARIOS) expect(scenarios).toContain(scenario);
    expect(take('benign', 200).every((e) => e.benign)).toBe(true);
    expect(take('ddos', 200).filter((e) => !e.benign).every((e) => e.scenario === 'ddos')).toBe(true);
  });

  it('attacks come from public addresses at 10.0.0.0/24 targets (lateral movement excepted)', () => {
    for (const { event, benign, scenario } of take('mixed', 4000)) {
      if (benign) continue;
      expect(isPrivate10(event.destination_ip!)).toBe(true);
      const lateral = (event.metadata as Record<string, unknown>).kill_chain_stage === 'lateral_movement';
      if (lateral) expect(isPrivate10(event.source_ip)).toBe(true);
      else expect(isPublicIPv4(event.source_ip), `${scenario} ${event.source_ip}`).toBe(true);
    }
  });

  it('carries the payload fields analysts and rules look for', () => {
    const byType = new Map<string, Record<string, unknown>[]>();
    for (const { event } of take('mixed', 8000)) {
      const list = byType.get(event.event_type) ?? [];
      list.push(event.payload ?? {});
      byType.set(event.event_type, list);
    }
    const expectFields = (type: string, fields: string[]) => {
      const payloads = byType.get(type);
      expect(payloads?.length, type).toBeGreaterThan(0);
      for (const payload of payloads!) for (const field of fields) expect(payload, `${type}.${field}`).toHaveProperty(field);
    };
    expectFields('brute_force', ['attempts', 'failed_attempts', 'username', 'users']);
    expectFields('port_scan', ['ports', 'ports_scanned']);
    expectFields('ddos', ['requests_per_second']);
    expectFields('data_exfiltration', ['bytes_out']);
    expectFields('malware', ['signature', 'malware_family', 'file_hash']);
    expectFields('ransomware', ['files_encrypted', 'ransom_note', 'malware_family', 'file_hash']);
    expectFields('c2_beacon', ['beacon_interval_seconds', 'url']);
    expectFields('phishing', ['url', 'sender']);
    expectFields('sql_injection', ['query', 'url']);
    for (const payload of byType.get('port_scan')!) expect(Array.isArray(payload.ports)).toBe(true);
  });

  it('walks a kill chain in order: phishing, c2, privilege escalation, lateral movement, exfiltration, ransomware', () => {
    const events = take('kill-chain', 400, 7).filter((e) => !e.benign);
    const campaigns = new Map<string, SimulatedEvent[]>();
    for (const e of events) campaigns.set(e.campaignId!, [...(campaigns.get(e.campaignId!) ?? []), e]);
    const complete = [...campaigns.values()].filter((c) => c.some((e) => e.event.event_type === 'ransomware'));
    expect(complete.length).toBeGreaterThan(2);
    for (const campaign of complete) {
      const steps = campaign.map((e) => (e.event.metadata as { kill_chain_step: number }).kill_chain_step);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      const stages = new Set(campaign.map((e) => (e.event.metadata as { kill_chain_stage: string }).kill_chain_stage));
      expect([...stages]).toEqual([...KILL_CHAIN_STAGES]);
      expect(campaign[0]!.event.event_type).toBe('phishing');
      expect(campaign.at(-1)!.event.event_type).toBe('ransomware');
    }
  });
});

describe('bridge envelope vs event schema', () => {
  it('share the size limit', () => {
    expect(BRIDGE_MAX_EVENT_BYTES).toBe(MAX_EVENT_BYTES);
  });

  it.each([
    ['ok-1', true],
    ['  padded  ', true],
    ['x'.repeat(128), true],
    ['x'.repeat(129), false],
    ['a/b', false],
    ['   ', false],
    ['', false],
  ])('agree on event_id %j', (eventId, valid) => {
    const event = { event_id: eventId, timestamp: '2026-01-01T00:00:00Z', event_type: 'ddos', source_ip: '1.2.3.4' };
    const bytes = Buffer.from(JSON.stringify(event));
    expect(checkEnvelope(bytes).ok).toBe(valid);
    expect(parseEventBytes(bytes).ok).toBe(valid);
  });
});
