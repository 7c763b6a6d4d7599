import { describe, expect, it } from 'vitest';
import { escalatedToAlerting } from './escalation';

const doc = (severity: string | undefined, alertId?: string) => ({ risk: severity && { severity }, ...(alertId && { alertId }) });

describe('escalatedToAlerting', () => {
  const table: [string, unknown, unknown, boolean][] = [
    ['MEDIUM → HIGH', doc('MEDIUM'), doc('HIGH'), true],
    ['LOW → CRITICAL', doc('LOW'), doc('CRITICAL'), true],
    ['no previous document → HIGH', undefined, doc('HIGH'), true],
    ['HIGH → CRITICAL (already alerting)', doc('HIGH'), doc('CRITICAL'), false],
    ['HIGH → HIGH (another field changed)', doc('HIGH'), doc('HIGH'), false],
    ['MEDIUM → HIGH but already linked to an alert', doc('MEDIUM'), doc('HIGH', 'alert-1'), false],
    ['LOW → MEDIUM', doc('LOW'), doc('MEDIUM'), false],
    ['CRITICAL → LOW', doc('CRITICAL'), doc('LOW'), false],
    ['deleted', doc('LOW'), undefined, false],
    ['not a severity', doc('LOW'), doc('EXTREME'), false],
  ];
  it.each(table)('%s', (_name, before, after, expected) => {
    expect(escalatedToAlerting(before, after)).toBe(expected);
  });
});
