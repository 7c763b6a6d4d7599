import { describe, expect, it } from 'vitest';
import { DetectionExceptionDocSchema } from './catalog';
import type { Detection } from './detection';
import { compileException, suppressionFor } from './exceptions';

const detection: Detection = {
  id: 'det-1', ruleId: 'ssh-brute-force', ruleVersion: 1, ruleKind: 'threshold', title: 'SSH brute force',
  description: 'Many failed SSH logins from one source', severity: 'HIGH', eventType: 'brute_force', techniques: ['T1110'],
  key: { 'source.ip': '10.0.0.5' }, count: 50, sample: ['a'], firstSeen: '2026-12-07T10:00:00Z', lastSeen: '2026-12-07T10:01:00Z',
  measures: { events: 50 }, source: { ip: '10.0.0.5' }, depth: 0,
};

function exception(overrides: Record<string, unknown>) {
  return DetectionExceptionDocSchema.parse({
    ruleId: 'ssh-brute-force', match: { field: 'source.ip', op: 'cidr', values: ['10.0.0.0/24'] }, reason: 'our vulnerability scanner',
    owner: 'secops@example.com', createdBy: 'uid-1', createdAt: '2026-12-01T00:00:00Z', expiresAt: '2026-12-31T00:00:00Z', ...overrides,
  });
}
const now = Date.parse('2026-12-07T12:00:00Z');

describe('suppressionFor', () => {
  it('suppresses a detection of the named rule whose fields match, naming the exception, reason and owner', () => {
    expect(suppressionFor(detection, [compileException('ex-1', exception({}))], now)).toEqual({
      exceptionId: 'ex-1', reason: 'our vulnerability scanner', owner: 'secops@example.com', expiresAt: '2026-12-31T00:00:00.000Z',
    });
  });
  it('leaves other rules, other sources and expired exceptions alone', () => {
    expect(suppressionFor(detection, [compileException('ex-1', exception({ ruleId: 'port-scan' }))], now)).toBeUndefined();
    expect(suppressionFor(detection, [compileException('ex-1', exception({ match: { field: 'source.ip', op: 'cidr', values: ['192.168.0.0/16'] } }))], now)).toBeUndefined();
    expect(suppressionFor(detection, [compileException('ex-1', exception({ expiresAt: '2026-12-07T11:59:59Z' }))], now)).toBeUndefined();
  });
  it('applies a `*` exception to every rule', () => {
    expect(suppressionFor(detection, [compileException('ex-all', exception({ ruleId: '*' }))], now)?.exceptionId).toBe('ex-all');
  });
});
