import { describe, expect, it } from 'vitest';
import { Counter, createBridgeMetrics, Gauge, Histogram, Registry } from './metrics.js';

describe('Prometheus text', () => {
  it('renders counters with HELP, TYPE, labels and escaping', () => {
    const registry = new Registry();
    const counter = registry.register(new Counter('x_total', 'Things.\nMany.'));
    counter.inc();
    counter.inc({ reason: 'a"b\\c' }, 2);
    expect(registry.render()).toBe(
      ['# HELP x_total Things.\\nMany.', '# TYPE x_total counter', 'x_total 1', 'x_total{reason="a\\"b\\\\c"} 2', ''].join('\n'),
    );
    expect(() => counter.inc(undefined, -1)).toThrow();
  });

  it('renders an untouched counter as 0 and sorts label names', () => {
    const registry = new Registry();
    registry.register(new Counter('y_total', 'Y.'));
    const gauge = registry.register(new Gauge('g', 'G.'));
    gauge.set(3, { topic: 't', partition: 1 });
    const text = registry.render();
    expect(text).toContain('y_total 0\n');
    expect(text).toContain('g{partition="1",topic="t"} 3\n');
  });

  it('renders cumulative histogram buckets, +Inf, sum and count', () => {
    const registry = new Registry();
    const histogram = registry.register(new Histogram('lat_seconds', 'Latency.', [0.1, 1]));
    histogram.observe(0.05);
    histogram.observe(0.5);
    histogram.observe(3);
    const text = registry.render();
    expect(text).toContain('lat_seconds_bucket{le="0.1"} 1\n');
    expect(text).toContain('lat_seconds_bucket{le="1"} 2\n');
    expect(text).toContain('lat_seconds_bucket{le="+Inf"} 3\n');
    expect(text).toContain('lat_seconds_sum 3.55\n');
    expect(text).toContain('lat_seconds_count 3\n');
  });

  it('refuses bad names and duplicates', () => {
    const registry = new Registry();
    expect(() => new Counter('bad-name', 'x')).toThrow();
    registry.register(new Counter('dup_total', 'x'));
    expect(() => registry.register(new Counter('dup_total', 'x'))).toThrow();
  });

  it('exposes every metric the bridge promises', () => {
    const text = createBridgeMetrics().registry.render();
    for (const name of [
      'bridge_messages_consumed_total',
      'bridge_messages_published_total',
      'bridge_messages_dead_lettered_total',
      'bridge_publish_errors_total',
      'bridge_in_flight_messages',
      'bridge_consumer_lag',
      'bridge_publish_latency_seconds',
      'process_resident_memory_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    // Every sample line is "name{labels} value".
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? \S+$/);
    }
  });
});
