import { EVENT_TYPES } from '@threatstream/events';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AlertDocSchema, ThreatDocSchema } from '../firestore/schema';
import { ApprovalSchema, IsoDateTime, PlaybookRunViewSchema, ThreatSchema, ThreatStatsSchema } from './schemas';

describe('ThreatStatsSchema.byEventType', () => {
  it('has a count for every event type the events package emits, and no other', () => {
    expect(Object.keys(ThreatStatsSchema.shape.byEventType.shape).sort()).toEqual([...EVENT_TYPES].sort());
    expect(Object.keys(ThreatStatsSchema.shape.byEventType.shape)).toEqual(expect.arrayContaining(['exploit', 'protocol_anomaly']));
  });
});

// The documents the dashboard reads are defined in @threatstream/events. Their schemas must be
// made by the same zod the functions extend for OpenAPI and walk in onTheWire (one copy in
// node_modules): with a second copy, `instanceof z.ZodObject` fails and nested timestamps would
// go out as Timestamp objects instead of ISO strings.
describe('the shared document schemas on the wire', () => {
  it('are made by the functions\' zod', () => {
    expect(ThreatDocSchema).toBeInstanceOf(z.ZodObject);
    expect(AlertDocSchema.shape.acknowledgedAt).toBeInstanceOf(z.ZodNullable);
    expect(ThreatDocSchema.shape.normalized).toBeInstanceOf(z.ZodOptional);
  });

  it('turn nested timestamps into ISO date-times', () => {
    const model = ThreatSchema.shape.model as z.ZodOptional<z.ZodObject>;
    expect(model).toBeInstanceOf(z.ZodOptional);
    expect(model.unwrap().shape.at).toBe(IsoDateTime);
    const step = (PlaybookRunViewSchema.shape.steps as z.ZodArray<z.ZodObject>).element;
    expect((step.shape.startedAt as z.ZodNullable).unwrap()).toBe(IsoDateTime);
    expect(ApprovalSchema.safeParse({ ...approval, requestedAt: new Date(0) }).success).toBe(false);
    expect(ApprovalSchema.safeParse(approval).success).toBe(true);
  });
});

const approval = {
  id: 'run-1-0',
  runId: 'run-1',
  stepIndex: 0,
  stepName: 'block',
  action: 'block_ip',
  alertId: 'a1',
  alertTitle: 'Brute force from 203.0.113.9',
  playbookId: 'block-brute-force',
  playbookName: 'Block brute force',
  reasons: ['spoofable_source'],
  preview: { ip: '203.0.113.9' },
  status: 'PENDING',
  requestedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-01T01:00:00.000Z',
  decidedBy: null,
  decidedAt: null,
  note: null,
};
