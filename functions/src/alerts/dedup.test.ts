import { describe, expect, it } from 'vitest';
import { higherSeverity, opensAlert } from '../domain/alerting';
import { alertTitle, dedupKeyFor, joinsAlert } from './dedup';

const minute = 60_000;
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, 0) + minutes * minute);

describe('opensAlert', () => {
  it.each([
    ['CRITICAL', true],
    ['HIGH', true],
    ['MEDIUM', false],
    ['LOW', false],
    ['INFO', false],
  ] as const)('%s → %s', (severity, expected) => {
    expect(opensAlert(severity)).toBe(expected);
  });
});

describe('dedupKeyFor', () => {
  it('is the same for the same source and type, and differs otherwise', () => {
    expect(dedupKeyFor('1.2.3.4', 'brute_force')).toBe(dedupKeyFor('1.2.3.4', 'brute_force'));
    expect(dedupKeyFor('1.2.3.4', 'brute_force')).not.toBe(dedupKeyFor('1.2.3.5', 'brute_force'));
    expect(dedupKeyFor('1.2.3.4', 'brute_force')).not.toBe(dedupKeyFor('1.2.3.4', 'port_scan'));
    expect(dedupKeyFor('1.2.3.4', 'ddos')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('joinsAlert', () => {
  const window = 15 * minute;
  const open = { status: 'OPEN' as const, firstSeen: at(0), lastSeen: at(10) };
  it.each([
    ['inside the seen range', open, at(5), true],
    ['just after last seen, within the window', open, at(25), true],
    ['past the window after last seen', open, at(26), false],
    ['before first seen, within the window (out of order)', open, at(-15), true],
    ['long before first seen', open, at(-16), false],
    ['acknowledged alerts still collect', { ...open, status: 'ACKNOWLEDGED' as const }, at(11), true],
    ['resolved alerts never collect', { ...open, status: 'RESOLVED' as const }, at(11), false],
  ])('%s', (_name, alert, time, expected) => {
    expect(joinsAlert(alert, time, window)).toBe(expected);
  });
});

describe('higherSeverity', () => {
  it.each([
    ['HIGH', 'CRITICAL', 'CRITICAL'],
    ['CRITICAL', 'HIGH', 'CRITICAL'],
    ['LOW', 'MEDIUM', 'MEDIUM'],
    ['INFO', 'INFO', 'INFO'],
  ] as const)('%s vs %s → %s', (a, b, expected) => {
    expect(higherSeverity(a, b)).toBe(expected);
  });
});

describe('alertTitle', () => {
  it('names the attack, the source and its country', () => {
    expect(alertTitle('brute_force', '185.234.72.91', 'NL')).toBe('Brute force from 185.234.72.91 (NL)');
    expect(alertTitle('c2_beacon', '10.0.0.5')).toBe('C2 beaconing from 10.0.0.5');
  });
});
