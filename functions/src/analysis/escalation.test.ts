import { describe, expect, it } from 'vitest';
import type { Severity } from '../domain/event';
import { escalatedToAlerting, severityOf } from './escalation';

describe('escalatedToAlerting', () => {
  const table: [Severity, Severity, boolean][] = [
    ['MEDIUM', 'HIGH', true],
    ['LOW', 'CRITICAL', true],
    ['INFO', 'HIGH', true],
    ['HIGH', 'CRITICAL', false],
    ['HIGH', 'HIGH', false],
    ['CRITICAL', 'HIGH', false],
    ['LOW', 'MEDIUM', false],
    ['MEDIUM', 'MEDIUM', false],
    ['CRITICAL', 'LOW', false],
  ];
  it.each(table)('%s → %s: %s', (before, after, expected) => {
    expect(escalatedToAlerting(before, after)).toBe(expected);
  });
});

describe('severityOf', () => {
  it.each([
    [{ risk: { severity: 'HIGH' } }, 'HIGH'],
    [{ risk: { severity: 'EXTREME' } }, undefined],
    [{ risk: {} }, undefined],
    [{}, undefined],
    [undefined, undefined],
  ])('%j → %s', (data, expected) => {
    expect(severityOf(data)).toBe(expected);
  });
});
