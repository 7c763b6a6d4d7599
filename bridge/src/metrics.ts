import { readFileSync } from 'node:fs';

/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format (version 0.0.4). Enough for /metrics without a dependency.
 */
type Labels = Record<string, string | number>;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelKey(labels: Labels | undefined): string {
  if (!labels) return '';
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabelValue(String(labels[k]))}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
  }
  abstract samples(): string[];
  render(): string {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`, ...this.samples()].join('\n');
  }
}

export class Counter extends Metric {
  /** The unlabelled value apart from the labelled ones: some counters go up for every message. */
  private unlabelled: number | undefined;
  private readonly values = new Map<string, number>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels?: Labels, by = 1): void {
    if (by < 0) throw new RangeError('a counter only goes up');
    if (labels === undefined) {
      this.unlabelled = (this.unlabelled ?? 0) + by;
      return;
    }
    const key = labelKey(labels);
    if (key === '') this.unlabelled = (this.unlabelled ?? 0) + by;
    else this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels?: Labels): number {
    const key = labelKey(labels);
    return (key === '' ? this.unlabelled : this.values.get(key)) ?? 0;
  }
  samples(): string[] {
    const lines = [...this.values].map(([key, value]) => `${this.name}${key} ${formatValue(value)}`);
    if (this.unlabelled !== undefined || lines.length === 0) lines.unshift(`${this.name} ${formatValue(this.unlabelled ?? 0)}`);
    return lines;
  }
}

export class Gauge extends Metric {
  private readonly values = new Map<string, number>();
  private collector: (() => void) | undefined;
  constructor(name: string, help: string, collect?: (gauge: Gauge) => void) {
    super(name, help, 'gauge');
    if (collect) this.collectWith(collect);
  }
  /** Computes the gauge when it is rendered (replacing earlier values), instead of on every change. */
  collectWith(collect: (gauge: Gauge) => void): void {
    this.collector = () => {
      this.values.clear();
      collect(this);
    };
  }
  set(value: number, labels?: Labels): void {
    this.values.set(labelKey(labels), value);
  }
  get(labels?: Labels): number | undefined {
    return this.values.get(labelKey(labels));
  }
  reset(): void {
    this.values.clear();
  }
  samples(): string[] {
    this.collector?.();
    if (this.values.size === 0) return [];
    return [...this.values].map(([key, value]) => `${this.name}${key} ${formatValue(value)}`);
  }
}

export class Histogram extends Metric {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    name: string,
    help: string,
    readonly buckets: number[],
  ) {
    super(name, help, 'histogram');
    if (buckets.some((b, i) => i > 0 && b <= buckets[i - 1]!)) throw new Error('buckets must increase');
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]!) {
        this.counts[i]! += 1;
        break;
      }
    }
  }
  get observations(): number {
    return this.count;
  }
  samples(): string[] {
    let cumulative = 0;
    const lines = this.buckets.map((bound, i) => {
      cumulative += this.counts[i]!;
      return `${this.name}_bucket{le="${formatValue(bound)}"} ${cumulative}`;
    });
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`);
    lines.push(`${this.name}_sum ${formatValue(this.sum)}`);
    lines.push(`${this.name}_count ${this.count}`);
    return lines;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  register<M extends Metric>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.push(metric);
    return metric;
  }
  render(): string {
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The process's peak resident set size from /proc (Linux only). */
export function peakRssBytes(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The bridge's metrics. */
export function createBridgeMetrics() {
  const registry = new Registry();
  const metrics = {
    registry,
    consumed: registry.register(new Counter('bridge_messages_consumed_total', 'Messages read from the Kafka topic.')),
    published: registry.register(
      new Counter('bridge_messages_published_total', 'Messages acknowledged by Pub/Sub.'),
    ),
    deadLettered: registry.register(
      new Counter('bridge_messages_dead_lettered_total', 'Messages sent to the Kafka dead-letter topic, by reason.'),
    ),
    records: registry.register(
      new Counter(
        'bridge_records_total',
        'Parsed records by Kafka topic, format and route (alert, observation, dead_letter); our own JSON passed through unchanged is not counted here.',
      ),
    ),
    observationBatches: registry.register(
      new Counter(
        'bridge_observation_batches_total',
        'Batch messages of observations published to the observations topic, by what sent them (count, bytes, linger, flush); observations per batch = bridge_records_total{route="observation"} / this.',
      ),
    ),
    publishErrors: registry.register(
      new Counter('bridge_publish_errors_total', 'Failed publish attempts (each is retried), by destination.'),
    ),
    commits: registry.register(new Counter('bridge_offset_commits_total', 'Offset commits, by result.')),
    rebalances: registry.register(new Counter('bridge_group_joins_total', 'Times the consumer (re)joined its group.')),
    inFlightMessages: registry.register(
      new Gauge('bridge_in_flight_messages', 'Messages read from Kafka and not yet acknowledged by Pub/Sub or the DLQ.'),
    ),
    inFlightBytes: registry.register(new Gauge('bridge_in_flight_bytes', 'Bytes of the in-flight messages.')),
    lag: registry.register(
      new Gauge('bridge_consumer_lag', 'Messages in the partition after the committed offset (high watermark - committed).'),
    ),
    oldestInFlight: registry.register(
      new Gauge('bridge_oldest_in_flight_seconds', 'Age of the oldest message not yet acknowledged by Pub/Sub or the DLQ.'),
    ),
    committedOffset: registry.register(new Gauge('bridge_committed_offset', 'Last offset committed, by partition.')),
    publishLatency: registry.register(
      new Histogram(
        'bridge_publish_latency_seconds',
        'Time from reading a message from Kafka to its acknowledgement by Pub/Sub (retries included).',
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      ),
    ),
    ready: registry.register(new Gauge('bridge_ready', '1 when the consumer is in its group and the publisher is healthy.')),
    rss: registry.register(
      new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', (g) => g.set(process.memoryUsage.rss())),
    ),
    peakRss: registry.register(
      new Gauge('process_resident_memory_peak_bytes', 'Peak resident memory size in bytes (VmHWM, Linux).', (g) => {
        const peak = peakRssBytes();
        if (peak !== undefined) g.set(peak);
      }),
    ),
    heap: registry.register(
      new Gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.', (g) => g.set(process.memoryUsage().heapUsed)),
    ),
  };
  return metrics;
}

export type BridgeMetrics = ReturnType<typeof createBridgeMetrics>;
