import { describe, expect, it } from 'vitest';
import type { Severity } from '../domain/event';
import { DEFAULT_MODEL_POLICY, decide, samplePoint } from './policy';

const threat = (confidence: number, severity: Severity, eventId = 'evt-1') => ({
  eventId,
  analysis: { confidence },
  risk: { severity },
});

describe('decide', () => {
  const table: [string, number, Severity, ReturnType<typeof decide>][] = [
    ['unsure rules, low severity', 0.3, 'LOW', { send: true, because: 'low_confidence' }],
    ['unsure rules, info', 0.1, 'INFO', { send: true, because: 'low_confidence' }],
    ['sure rules, medium', 0.9, 'MEDIUM', { send: true, because: 'severity' }],
    ['sure rules, critical', 0.95, 'CRITICAL', { send: true, because: 'severity' }],
    ['sure rules, low', 0.8, 'LOW', { send: false, reason: 'not_eligible' }],
    ['confidence exactly at the threshold, info', 0.6, 'INFO', { send: false, reason: 'not_eligible' }],
  ];
  it.each(table)('%s', (_name, confidence, severity, expected) => {
    expect(decide(threat(confidence, severity))).toEqual(expected);
  });

  it('honours a stricter severity floor', () => {
    const policy = { ...DEFAULT_MODEL_POLICY, minSeverity: 'HIGH' as const };
    expect(decide(threat(0.9, 'MEDIUM'), policy)).toEqual({ send: false, reason: 'not_eligible' });
    expect(decide(threat(0.9, 'HIGH'), policy)).toEqual({ send: true, because: 'severity' });
  });

  it('samples deterministically by event id, close to the rate', () => {
    const policy = { ...DEFAULT_MODEL_POLICY, sampleRate: 0.25 };
    const ids = Array.from({ length: 4000 }, (_, i) => `evt-${i}`);
    const sent = ids.filter((id) => decide(threat(0.9, 'HIGH', id), policy).send);
    expect(sent.length / ids.length).toBeGreaterThan(0.22);
    expect(sent.length / ids.length).toBeLessThan(0.28);
    expect(ids.filter((id) => decide(threat(0.9, 'HIGH', id), policy).send)).toEqual(sent);
    const out = ids.find((id) => !sent.includes(id))!;
    expect(decide(threat(0.9, 'HIGH', out), policy)).toEqual({ send: false, reason: 'sampled_out' });
  });

  it('sends nothing at a sample rate of 0 and everything eligible at 1', () => {
    expect(decide(threat(0.9, 'HIGH'), { ...DEFAULT_MODEL_POLICY, sampleRate: 0 })).toEqual({ send: false, reason: 'sampled_out' });
    expect(samplePoint('evt-1')).toBeGreaterThanOrEqual(0);
    expect(samplePoint('evt-1')).toBeLessThan(1);
  });
});
