import { Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import type { AlertDoc } from '../firestore/schema';
import { AlertTransitionRefused, escalate, joinAlert, openAlert, transition, type AlertingThreat } from './alert';

const at = (minute: number) => Timestamp.fromMillis(Date.UTC(2026, 0, 1, 12, minute));
const threat = (overrides: Partial<AlertingThreat> = {}): AlertingThreat => ({
  event_id: 'e1',
  event_type: 'brute_force',
  source_ip: '203.0.113.9',
  protocol: 'TCP',
  payload: {},
  geo: { ip: '203.0.113.9', zone: 'public', country: 'NL' },
  analysis: { engine: 'rules', summary: '', category: 'brute_force', confidence: 0.9, mitre: [], evidence: {}, evidenceStrength: 0.5, recommendedActions: [] },
  risk: { score: 72, severity: 'HIGH', factors: [{ name: 'base', contribution: 72, detail: '' }] },
  occurredAt: at(0),
  ...overrides,
});

describe('the alert machine', () => {
  it('opens on the rules severity even when the model lowered the threat', () => {
    const lowered = threat({
      risk: { score: 57, severity: 'MEDIUM', factors: [{ name: 'base', contribution: 72, detail: '' }, { name: 'model_assessment', contribution: -15, detail: '' }] },
    });
    const alert = openAlert('k', 't1', lowered, at(1));
    expect(alert).toMatchObject({ severity: 'HIGH', status: 'OPEN', occurrences: 1, threatIds: ['t1'], approvalConditions: [] });
  });

  it('records what should make automation wait, and joins keep the union', () => {
    const raised = threat({
      event_id: 'e2',
      risk: { score: 67, severity: 'HIGH', factors: [{ name: 'base', contribution: 50, detail: '' }, { name: 'model_assessment', contribution: 17, detail: '' }] },
      occurredAt: at(2),
    });
    const opened = openAlert('k', 't1', threat(), at(1));
    const joined = joinAlert(opened, 't2', raised, at(3));
    expect(joined).toMatchObject({ occurrences: 2, threatIds: ['t1', 't2'], approvalConditions: ['model_raised'] });
    expect(joined.lastSeen.isEqual(at(2))).toBe(true);
    const udp = joinAlert(joined, 't3', threat({ event_id: 'e3', protocol: 'UDP' }), at(4));
    expect(udp.approvalConditions).toEqual(['model_raised', 'spoofable_source']);
  });

  it('acknowledge and resolve follow OPEN → ACKNOWLEDGED → RESOLVED', () => {
    const alert = openAlert('k', 't1', threat(), at(1));
    const acknowledged = { ...alert, ...transition(alert, 'acknowledge', 'u1', undefined, at(2)) } as AlertDoc;
    expect(acknowledged).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'u1', assignee: 'u1' });
    expect(() => transition(acknowledged, 'acknowledge', 'u2', undefined, at(3))).toThrow(AlertTransitionRefused);
    const resolved = { ...acknowledged, ...transition(acknowledged, 'resolve', 'u2', 'done', at(3)) } as AlertDoc;
    expect(resolved).toMatchObject({ status: 'RESOLVED', resolvedBy: 'u2', resolutionNote: 'done', assignee: 'u1' });
    expect(() => transition(resolved, 'resolve', 'u2', undefined, at(4))).toThrow(/cannot resolve an alert that is RESOLVED/);
  });

  it('escalate raises, never lowers, keeps an analyst\'s assignee and leaves a resolved alert alone', () => {
    const alert = { severity: 'HIGH' as const, assignee: 'analyst', status: 'OPEN' as const };
    expect(escalate(alert, { severity: 'CRITICAL', assignee: 'ir', overwriteAssignee: false })).toMatchObject({
      severity: { to: 'CRITICAL' },
      assignee: { to: 'analyst' },
      changed: true,
    });
    expect(escalate(alert, { severity: 'LOW', overwriteAssignee: false })).toMatchObject({ severity: { to: 'HIGH' }, changed: false });
    expect(escalate({ ...alert, status: 'RESOLVED' }, { severity: 'CRITICAL', overwriteAssignee: true, assignee: 'x' })).toMatchObject({ changed: false });
  });
});
