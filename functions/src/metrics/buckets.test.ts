import { describe, expect, it } from 'vitest';
import {
  bucketId,
  bucketStart,
  countryKey,
  observationKey,
  deltaCounters,
  METRIC_SHARDS,
  minuteKey,
  parseBucketId,
  ShardCursor,
} from './buckets';

describe('buckets', () => {
  const at = new Date('2026-03-04T05:06:07.890Z');

  it('start at the minute and the hour, in UTC', () => {
    expect(bucketStart('minute', at).toISOString()).toBe('2026-03-04T05:06:00.000Z');
    expect(bucketStart('hour', at).toISOString()).toBe('2026-03-04T05:00:00.000Z');
  });

  it('are named {granularity}_{start}, and the name parses back', () => {
    expect(bucketId('minute', bucketStart('minute', at))).toBe('minute_2026-03-04T05:06Z');
    expect(bucketId('hour', bucketStart('hour', at))).toBe('hour_2026-03-04T05:00Z');
    expect(minuteKey(bucketStart('minute', at))).toBe('2026-03-04T05:06Z');
    expect(parseBucketId('hour_2026-03-04T05:00Z')).toEqual({ granularity: 'hour', start: new Date('2026-03-04T05:00:00Z') });
    expect(parseBucketId('day_2026-03-04T05:00Z')).toBeUndefined();
  });
});

describe('shard count', () => {
  it('is 1,000: 1,000 events/s at one write per second per shard', () => {
    expect(METRIC_SHARDS).toBe(1_000);
  });
});

describe('ShardCursor', () => {
  it('starts at a random shard and then walks them all round-robin', () => {
    const cursor = new ShardCursor(10, () => 0.75);
    expect(Array.from({ length: 12 }, () => cursor.take())).toEqual([7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('gives one instance a different shard for each of N consecutive events (no shard twice in a row)', () => {
    const cursor = new ShardCursor(METRIC_SHARDS, Math.random);
    const taken = Array.from({ length: METRIC_SHARDS }, () => cursor.take());
    expect(new Set(taken).size).toBe(METRIC_SHARDS);
  });

  it('never returns a shard out of range, even with random() at its edge', () => {
    expect(new ShardCursor(1_000, () => 0.9999999999).take()).toBe(999);
    expect(new ShardCursor(1_000, () => 0).take()).toBe(0);
  });
});

describe('deltaCounters', () => {
  it('a threat counts an event, its severity, type and country, and one write', () => {
    expect(deltaCounters({ events: 1, severity: 'HIGH', eventType: 'brute_force', country: 'NL' })).toEqual({
      top: { writes: 1, events: 1 },
      bySeverity: { CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 0, INFO: 0 },
      byType: { brute_force: 1 },
      byCountry: { NL: 1 },
    });
  });

  it('an alert opened counts only that, and still writes every summed field (dense for the aggregation)', () => {
    expect(deltaCounters({ alertsOpened: 1 })).toEqual({
      top: { writes: 1, events: 0, alertsOpened: 1 },
      bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 },
      byType: {},
      byCountry: {},
    });
  });

  it('a re-scored threat moves one count between severities and adds no event', () => {
    expect(deltaCounters({ severityChange: { from: 'MEDIUM', to: 'CRITICAL' } })).toEqual({
      top: { writes: 1, events: 0 },
      bySeverity: { CRITICAL: 1, HIGH: 0, MEDIUM: -1, LOW: 0, INFO: 0 },
      byType: {},
      byCountry: {},
    });
  });

  it.each([
    ['NL', 'NL'],
    [undefined, 'unknown'],
    ['nl', 'unknown'],
    ['a.b', 'unknown'],
    ['unknown', 'unknown'],
  ])('country %s → key %s', (country, key) => {
    expect(countryKey(country)).toBe(key);
  });
});

describe('observations in the buckets', () => {
  it('counts an observation by format and source, and nothing else', () => {
    const counters = deltaCounters({
      observations: [
        { format: 'suricata-eve', source: 'Suricata' },
        { format: 'suricata-eve', source: 'Suricata' },
        { format: 'syslog', source: 'sshd' },
      ],
    });
    expect(counters.top).toEqual({ writes: 1, events: 0, observations: 3 });
    expect(counters.observationsBy).toEqual({ 'suricata-eve': { suricata: 2 }, syslog: { sshd: 1 } });
    expect(deltaCounters({ observations: [] }).observationsBy).toBeUndefined();
    expect(Object.values(counters.bySeverity).every((n) => n === 0)).toBe(true);
    expect(deltaCounters({ events: 1 }).observationsBy).toBeUndefined();
  });

  it('makes names safe as map keys', () => {
    expect(observationKey('sshd')).toBe('sshd');
    expect(observationKey('Google Cloud / IAM.v1')).toBe('google_cloud_iam_v1');
    expect(observationKey('...')).toBe('unknown');
    expect(observationKey('x'.repeat(100))).toHaveLength(40);
  });
});
