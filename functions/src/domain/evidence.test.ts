import { describe, expect, it } from 'vitest';
import {
  countOf,
  displayText,
  fieldNames,
  formatBytes,
  formatCount,
  logScale,
  MAX_TEXT_LENGTH,
  noisyOr,
  readBytes,
  readCount,
  readFlag,
  readNonNegative,
  readNumber,
  readText,
  readTextList,
  toBytes,
  toNumber,
} from './evidence';

const COUNT = fieldNames('attempts', 'failed_attempts');

describe('fieldNames', () => {
  it('adds the camelCase spelling after each snake_case name', () => {
    expect(fieldNames('attempts', 'failed_attempts', 'bytes_out_2')).toEqual(['attempts', 'failed_attempts', 'failedAttempts', 'bytes_out_2', 'bytesOut2']);
  });
});

describe('toNumber', () => {
  it.each<[unknown, number | undefined]>([
    [150, 150],
    [-3.5, -3.5],
    ['150', 150],
    [' 1.5e3 ', 1500],
    ['.5', 0.5],
    ['0x10', undefined],
    ['', undefined],
    ['12abc', undefined],
    ['Infinity', undefined],
    ['1e400', undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [true, undefined],
    [null, undefined],
    [[150], undefined],
    [{ value: 150 }, undefined],
    ['9'.repeat(65), undefined],
  ])('%j → %s', (value, expected) => {
    expect(toNumber(value)).toBe(expected);
  });
});

describe('readers', () => {
  it('take the first field holding a usable value', () => {
    expect(readNumber({ attempts: 'many', failed_attempts: '12' }, COUNT)).toBe(12);
    expect(readNumber({ failedAttempts: 7 }, COUNT)).toBe(7);
    expect(readNumber({ other: 1 }, COUNT)).toBeUndefined();
  });

  it('never read inherited properties', () => {
    const payload = Object.create({ attempts: 99 }) as Record<string, unknown>;
    expect(readNumber(payload, COUNT)).toBeUndefined();
    expect(readText({}, fieldNames('constructor', 'to_string'))).toBeUndefined();
  });

  it.each<[unknown, number | undefined]>([
    [150, 150],
    ['150', 150],
    [12.9, 12],
    [[22, 80, 443], 3],
    [[], 0],
    [-1, undefined],
    ['-5', undefined],
    [{ count: 3 }, undefined],
    [1e300, 1e300],
  ])('readCount(%j) is %s', (value, expected) => {
    expect(readCount({ attempts: value }, COUNT)).toBe(expected);
  });

  it('readNonNegative skips negative values for the next field', () => {
    expect(readNonNegative({ attempts: -4, failed_attempts: 4 }, COUNT)).toBe(4);
  });

  it.each<[unknown, string | undefined]>([
    ['  root  ', 'root'],
    [42, '42'],
    [['a', 'b', 3, { x: 1 }, null], 'a, b, 3'],
    ['   ', undefined],
    [{ text: 'x' }, undefined],
    [false, undefined],
  ])('readText(%j) is %j', (value, expected) => {
    expect(readText({ user: value }, fieldNames('user'))).toBe(expected);
  });

  it('bounds text to the limit given', () => {
    expect(readText({ user: 'x'.repeat(100_000) }, fieldNames('user'))).toHaveLength(MAX_TEXT_LENGTH);
    expect(readText({ user: 'abcdef' }, fieldNames('user'), 3)).toBe('abc');
  });

  it.each<[unknown, string[] | undefined]>([
    [['alice', ' bob ', '', 7, null, {}], ['alice', 'bob', '7']],
    ['alice, bob,,carol', ['alice', 'bob', 'carol']],
    ['', undefined],
    [[], undefined],
    [[{}, []], undefined],
    [12, undefined],
  ])('readTextList(%j) is %j', (value, expected) => {
    expect(readTextList({ users: value }, fieldNames('users'))).toEqual(expected);
  });

  it('caps list length', () => {
    expect(readTextList({ users: Array.from({ length: 100 }, (_, index) => `u${index}`) }, fieldNames('users'), 5)).toHaveLength(5);
  });

  it.each<[unknown, boolean | undefined]>([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ['yes', true],
    [' TRUE ', true],
    ['failed', false],
    ['maybe', undefined],
    [2, undefined],
    ['true'.repeat(10), undefined],
    [null, undefined],
  ])('readFlag(%j) is %s', (value, expected) => {
    expect(readFlag({ success: value }, fieldNames('success'))).toBe(expected);
  });
});

describe('byte counts', () => {
  it.each<[unknown, number | undefined]>([
    [1024, 1024],
    ['2048', 2048],
    ['2.5 GB', 2.5e9],
    ['512MiB', 512 * 1024 ** 2],
    ['10 kb', 10_000],
    ['3TB', 3e12],
    ['7 B', 7],
    ['5 XB', undefined],
    ['GB', undefined],
    [-5, undefined],
    ['lots', undefined],
  ])('toBytes(%j) is %s', (value, expected) => {
    expect(toBytes(value)).toBe(expected);
  });

  it('readBytes takes the first usable field', () => {
    expect(readBytes({ bytes_out: 'lots', bytes: '1 MB' }, fieldNames('bytes_out', 'bytes'))).toBe(1e6);
  });
});

describe('logScale', () => {
  it.each<[number | undefined, number]>([
    [undefined, 0],
    [Number.NaN, 0],
    [-10, 0],
    [5, 0],
    [50, 0.5],
    [500, 1],
    [1e300, 1],
  ])('logScale(%s, 5, 500) is %s', (value, expected) => {
    expect(logScale(value, 5, 500)).toBeCloseTo(expected, 10);
  });

  it('grows with its input', () => {
    let previous = -1;
    for (const value of [6, 10, 40, 150, 499]) {
      const scaled = logScale(value, 5, 500);
      expect(scaled).toBeGreaterThan(previous);
      previous = scaled;
    }
  });
});

describe('noisyOr', () => {
  it.each<[number[], number]>([
    [[], 0],
    [[0], 0],
    [[0.5], 0.5],
    [[0.5, 0.5], 0.75],
    [[1, 0.2], 1],
    [[0.3, 0, 0], 0.3],
    [[2, -1], 1], // out-of-range inputs are clamped
  ])('noisyOr(%j) is %s', (strengths, expected) => {
    expect(noisyOr(...strengths)).toBeCloseTo(expected, 10);
  });
});

describe('formatting', () => {
  it.each<[number, string]>([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [1234567, '1,234,567'],
    [-1234, '-1,234'],
    [12.6, '13'],
    [1e300, '1.00e+300'],
  ])('formatCount(%s) is %s', (value, expected) => {
    expect(formatCount(value)).toBe(expected);
  });

  it.each<[number, string]>([
    [0, '0 B'],
    [999, '999 B'],
    [1500, '1.5 kB'],
    [2.5e9, '2.5 GB'],
    [1e6, '1 MB'],
    [123e9, '123 GB'],
    [1e300, '1.00e+288 TB'],
  ])('formatBytes(%s) is %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });

  it('countOf picks singular or plural', () => {
    expect(countOf(1, 'file')).toBe('1 file');
    expect(countOf(4200, 'file')).toBe('4,200 files');
    expect(countOf(2, 'query', 'queries')).toBe('2 queries');
  });

  it('displayText removes control characters and cuts long text', () => {
    expect(displayText('a\u0000b\r\nc\u001b[31m', 100)).toBe('a b c [31m');
    expect(displayText('abcdef', 4)).toBe('abc…');
  });
});
