import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_LABEL, eventTypeLabel, humanise, loadFigure, plainText, signed } from './format';

describe('plainText', () => {
  it('keeps markup as characters (React renders them as text)', () => {
    expect(plainText('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });

  it('shows objects as indented JSON and cuts very long values', () => {
    expect(plainText({ a: 1 })).toBe('{\n  "a": 1\n}');
    const long = plainText('x'.repeat(5_000));
    expect(long.startsWith('x'.repeat(4_000))).toBe(true);
    expect(long).toMatch(/… \(1000 more characters\)$/);
  });

  it('survives values JSON cannot represent', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(plainText(cyclic)).toBe('[object Object]');
    expect(plainText(undefined)).toBe('');
  });
});

describe('labels', () => {
  it('names every event type, and falls back to a readable form for unknown ones', () => {
    expect(Object.values(EVENT_TYPE_LABEL).every((label) => label.length > 0)).toBe(true);
    expect(eventTypeLabel('sql_injection')).toBe('SQL injection');
    expect(eventTypeLabel('quantum_tunnelling')).toBe('Quantum tunnelling');
    expect(humanise('ports_scanned')).toBe('Ports scanned');
  });

  it('signs factor contributions', () => {
    expect(signed(12.34)).toBe('+12.3');
    expect(signed(-5)).toBe('-5');
    expect(signed(0)).toBe('0');
  });
});

describe('loadFigure', () => {
  it.each([
    [541.685, '542'],
    [10, '10'],
    [9.96, '10'],
    [2.345, '2.3'],
    [0.04, '0'],
    [0, '0'],
    [1234.5, '1,235'],
  ])('%d → %s', (value, shown) => {
    expect(loadFigure(value)).toBe(shown);
  });
});
