import { describe, expect, it } from 'vitest';
import { compileCondition, ConditionSchema, type Condition } from './conditions';

const event = {
  source: { ip: '203.0.113.9', port: 51000 },
  destination: { ip: '10.0.0.5', port: 22 },
  event: { category: ['authentication', 'network'], outcome: 'failure' },
  user: { name: 'Administrator' },
  url: { original: '/a?q=%3Cscript%3Ealert(1)%3C/script%3E&x=1+OR+1%3D1' },
  process: { name: 'sshd' },
};
const test = (condition: Condition) => compileCondition(condition)(event);

describe('field conditions', () => {
  it.each<[string, Condition, boolean]>([
    ['equals ignores case by default', { field: 'user.name', op: 'equals', values: ['administrator'] }, true],
    ['equals with cased', { field: 'user.name', op: 'equals', values: ['administrator'], cased: true }, false],
    ['equals a number', { field: 'destination.port', op: 'equals', values: [22] }, true],
    ['equals a number given as text', { field: 'destination.port', op: 'equals', values: ['22'] }, true],
    ['in: any of the values', { field: 'destination.port', op: 'equals', values: [21, 22, 23] }, true],
    ['in: none of the values', { field: 'destination.port', op: 'equals', values: [80, 443] }, false],
    ['an array field matches on any element', { field: 'event.category', op: 'equals', values: ['network'] }, true],
    ['contains', { field: 'user.name', op: 'contains', values: ['MINIS'] }, true],
    ['contains all (Sigma |all)', { field: 'user.name', op: 'contains', values: ['admin', 'trator'], all: true }, true],
    ['contains all, one missing', { field: 'user.name', op: 'contains', values: ['admin', 'root'], all: true }, false],
    ['startswith', { field: 'user.name', op: 'startswith', values: ['adm'] }, true],
    ['endswith', { field: 'user.name', op: 'endswith', values: ['tor'] }, true],
    ['endswith miss', { field: 'user.name', op: 'endswith', values: ['adm'] }, false],
    ['cidr hit', { field: 'source.ip', op: 'cidr', values: ['203.0.113.0/24'] }, true],
    ['cidr miss', { field: 'source.ip', op: 'cidr', values: ['10.0.0.0/8', '192.168.0.0/16'] }, false],
    ['cidr on a non-address', { field: 'user.name', op: 'cidr', values: ['0.0.0.0/0'] }, false],
    ['range inside', { field: 'source.port', op: 'range', range: { gte: 49152, lte: 65535 } }, true],
    ['range outside', { field: 'destination.port', op: 'range', range: { gt: 1024 } }, false],
    ['regex', { field: 'process.name', op: 'regex', values: ['^ss[hd]+$'] }, true],
    ['regex on the raw URL misses encoded text', { field: 'url.original', op: 'regex', values: ['<script'] }, false],
    ['regex after URL decoding', { field: 'url.original', op: 'regex', values: ['<script'], decode: ['url'] }, true],
    ['plus as space then url decoding', { field: 'url.original', op: 'regex', values: ['1 or 1=1'], decode: ['url', 'plus_as_space'] }, true],
    ['exists', { field: 'user.name', op: 'exists' }, true],
    ['exists: absent', { field: 'http.response.status_code', op: 'exists', present: false }, true],
    ['a missing field matches nothing', { field: 'http.response.status_code', op: 'equals', values: [200] }, false],
  ])('%s', (_name, condition, expected) => {
    expect(ConditionSchema.safeParse(condition).success).toBe(true);
    expect(test(condition)).toBe(expected);
  });

  it('decodes HTML entities and double URL encoding', () => {
    const html = compileCondition({ field: 'u', op: 'contains', values: ['<img'], decode: ['html'] });
    expect(html({ u: '&lt;img src=x&#x3e;' })).toBe(true);
    const twice = compileCondition({ field: 'u', op: 'contains', values: ['../'], decode: ['url'] });
    expect(twice({ u: '/f?p=..%252f..%252fetc' })).toBe(true);
    expect(twice({ u: '/f?p=100%' })).toBe(false); // a malformed escape does not throw
  });
});

describe('boolean conditions', () => {
  const failedSsh: Condition = { all: [{ field: 'event.outcome', op: 'equals', values: ['failure'] }, { any: [{ field: 'process.name', op: 'equals', values: ['sshd'] }, { field: 'destination.port', op: 'equals', values: [22] }] }] };
  it('all / any / not', () => {
    expect(test(failedSsh)).toBe(true);
    expect(test({ not: failedSsh })).toBe(false);
    expect(test({ any: [{ not: failedSsh }, { field: 'user.name', op: 'equals', values: ['root'] }] })).toBe(false);
  });
});

describe('regex runs in linear time (RE2)', () => {
  it('a pattern that backtracks exponentially in JavaScript finishes at once', () => {
    const evil = compileCondition({ field: 'u', op: 'regex', values: ['^(a+)+$'] });
    const input = `${'a'.repeat(50_000)}!`;
    const started = performance.now();
    expect(evil({ u: input })).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('ConditionSchema (declarative rules)', () => {
  it.each<[string, unknown, RegExp]>([
    ['an unknown field', { field: 'source.ipp', op: 'equals', values: ['x'] }, /not a field of the normalised event/],
    ['an unknown op', { field: 'source.ip', op: 'like', values: ['x'] }, /op/],
    ['no values', { field: 'source.ip', op: 'equals' }, /needs a non-empty values list/],
    ['a bad CIDR', { field: 'source.ip', op: 'cidr', values: ['10.0.0.0/33'] }, /invalid CIDR/],
    ['a regex RE2 refuses (backreference)', { field: 'url.original', op: 'regex', values: ['(a)\\1'] }, /invalid RE2 regex/],
    ['range without bounds', { field: 'destination.port', op: 'range', range: {} }, /at least one/],
    ['an empty all', { all: [] }, /./],
  ])('rejects %s', (_name, input, message) => {
    const parsed = ConditionSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(message);
  });
});
