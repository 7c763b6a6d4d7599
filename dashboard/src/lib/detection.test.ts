import { describe, expect, it } from 'vitest';
import { conditionText, coverageMatrix, coveredCount, detectionOf, draftFromKey, isActive, matchFromDraft, sortExceptions, suppressionOf } from './detection';

const block = {
  rule_id: 'ssh-brute-force',
  rule_version: 3,
  rule_title: 'SSH brute force',
  rule_kind: 'threshold',
  count: 52,
  sample_event_ids: ['e1', 'e2', 'e52'],
  first_seen: '2026-12-07T18:00:00.000Z',
  last_seen: '2026-12-07T18:01:00.000Z',
  key: { 'source.ip': '203.0.113.9' },
  measures: { events: 52, bogus: 'x' },
  values: ['root', 'admin'],
};

describe('detectionOf', () => {
  it('reads the detection block of a detection threat, dropping non-numeric measures', () => {
    const detection = detectionOf({ payload: { attempts: 52, detection: block }, metadata: { engine: 'detection' } });
    expect(detection).toMatchObject({ rule_id: 'ssh-brute-force', rule_version: 3, count: 52, key: { 'source.ip': '203.0.113.9' }, values: ['root', 'admin'] });
    expect(detection?.measures).toEqual({ events: 52 });
  });

  it.each([
    ['no payload.detection', { payload: { attempts: 5 } }],
    ['a detection without a rule id', { payload: { detection: { ...block, rule_id: 7 } } }],
    ['a detection without its sample', { payload: { detection: { ...block, sample_event_ids: 'e1' } } }],
    ['a detection that is a string', { payload: { detection: 'yes' } }],
  ])('is undefined for %s', (_, threat) => {
    expect(detectionOf(threat as never)).toBeUndefined();
  });
});

describe('suppressionOf', () => {
  it('reads the suppression, and nothing from a threat without one', () => {
    const suppression = { exceptionId: 'ex1', reason: 'our scanner', owner: 'a@b.c', expiresAt: '2027-01-01T00:00:00.000Z' };
    expect(suppressionOf({ suppression })).toEqual(suppression);
    expect(suppressionOf({})).toBeUndefined();
    expect(suppressionOf({ suppression: { reason: 'no id' } })).toBeUndefined();
  });
});

describe('exception match from a detection', () => {
  it('prefills one equals-condition per key field', () => {
    expect(draftFromKey({ 'source.ip': '203.0.113.9', 'user.name': 'root' })).toEqual([
      { field: 'source.ip', op: 'equals', values: '203.0.113.9' },
      { field: 'user.name', op: 'equals', values: 'root' },
    ]);
  });

  it('is one condition for one field, all of them for several, and drops empty rows', () => {
    expect(matchFromDraft([{ field: 'source.ip', op: 'cidr', values: '10.0.0.0/24, 10.1.0.0/16' }])).toEqual({ field: 'source.ip', op: 'cidr', values: ['10.0.0.0/24', '10.1.0.0/16'] });
    expect(
      matchFromDraft([
        { field: 'source.ip', op: 'equals', values: '1.2.3.4' },
        { field: 'user.name', op: 'equals', values: 'root' },
        { field: '', op: 'equals', values: 'x' },
        { field: 'host.name', op: 'equals', values: ' , ' },
      ]),
    ).toEqual({ all: [{ field: 'source.ip', op: 'equals', values: ['1.2.3.4'] }, { field: 'user.name', op: 'equals', values: ['root'] }] });
    expect(matchFromDraft([{ field: 'source.ip', op: 'equals', values: '' }])).toBeUndefined();
  });

  it('reads back as one line', () => {
    expect(conditionText({ all: [{ field: 'source.ip', op: 'cidr', values: ['10.0.0.0/24'] }, { not: { field: 'user.name', op: 'equals', values: ['a', 'b'] } }] })).toBe(
      'source.ip cidr 10.0.0.0/24 and not user.name equals a, b',
    );
  });
});

describe('exceptions list', () => {
  const now = Date.parse('2026-12-07T12:00:00.000Z');
  const at = (iso: string) => ({ expiresAt: iso });
  it('is active until its expiry, not at it', () => {
    expect(isActive(at('2026-12-07T12:00:00.001Z'), now)).toBe(true);
    expect(isActive(at('2026-12-07T12:00:00.000Z'), now)).toBe(false);
  });
  it('lists active ones soonest-expiring first, then expired ones latest first', () => {
    const sorted = sortExceptions([at('2026-12-01T00:00:00Z'), at('2027-03-01T00:00:00Z'), at('2026-12-05T00:00:00Z'), at('2026-12-20T00:00:00Z')], now);
    expect(sorted.map((e) => e.expiresAt)).toEqual(['2026-12-20T00:00:00Z', '2027-03-01T00:00:00Z', '2026-12-05T00:00:00Z', '2026-12-01T00:00:00Z']);
  });
});

describe('coverageMatrix', () => {
  it('takes tactics with their techniques', () => {
    const tactics = coverageMatrix({
      tactics: [
        { id: 'credential-access', name: 'Credential Access', techniques: [{ id: 'T1110', name: 'Brute Force', rules: [{ id: 'ssh-bf', title: 'SSH brute force' }] }, { id: 'T1003', name: 'OS Credential Dumping', rules: [] }] },
        { id: 'discovery', name: 'Discovery', techniques: [{ id: 'T1046', name: 'Network Service Discovery', rules: ['port-scan'] }] },
      ],
    });
    expect(tactics.map((tactic) => tactic.name)).toEqual(['Credential Access', 'Discovery']);
    expect(tactics[1]?.techniques[0]?.rules).toEqual([{ id: 'port-scan', title: 'port-scan' }]);
    expect(coveredCount(tactics)).toEqual({ covered: 2, total: 3 });
  });

  it('takes a flat technique list naming tactics, a technique under two tactics counted once', () => {
    const tactics = coverageMatrix({
      techniques: [
        { id: 'T1078', name: 'Valid Accounts', tactics: ['initial-access', 'persistence'], rules: [{ id: 'r1', title: 'R1' }] },
        { id: 'T1190', name: 'Exploit Public-Facing Application', tactic: 'initial-access', rules: [] },
      ],
    });
    expect(tactics.map((tactic) => [tactic.id, tactic.techniques.map((t) => t.id)])).toEqual([
      ['initial-access', ['T1078', 'T1190']],
      ['persistence', ['T1078']],
    ]);
    expect(coveredCount(tactics)).toEqual({ covered: 1, total: 2 });
  });

  it('is empty for anything else', () => {
    expect(coverageMatrix(null)).toEqual([]);
    expect(coverageMatrix({ tactics: 'no' })).toEqual([]);
  });
});
