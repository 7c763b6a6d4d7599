import { EVENT_TYPES } from '@threatstream/events';
import { describe, expect, it } from 'vitest';
import { ThreatStatsSchema } from './schemas';

describe('ThreatStatsSchema.byEventType', () => {
  it('has a count for every event type the events package emits, and no other', () => {
    expect(Object.keys(ThreatStatsSchema.shape.byEventType.shape).sort()).toEqual([...EVENT_TYPES].sort());
    expect(Object.keys(ThreatStatsSchema.shape.byEventType.shape)).toEqual(expect.arrayContaining(['exploit', 'protocol_anomaly']));
  });
});
