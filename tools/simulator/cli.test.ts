import { describe, expect, it } from 'vitest';
import { formatSummary, parseCli, run, UsageError } from './cli';

describe('simulator CLI options', () => {
  it('has sensible defaults', () => {
    const options = parseCli([]);
    expect(options).toMatchObject({ scenario: 'mixed', rate: 10, sink: 'kafka', poisonRatio: 0, quiet: false });
    expect(options.count).toBeUndefined();
    expect(Number.isInteger(options.seed)).toBe(true);
  });

  it('reads every option', () => {
    const options = parseCli(['--scenario', 'ddos', '--rate', '2.5', '--count', '40', '--seed', '42', '--benign', '0', '--pubsub', '--quiet']);
    expect(options).toMatchObject({ scenario: 'ddos', rate: 2.5, count: 40, seed: 42, benignRatio: 0, sink: 'pubsub', quiet: true });
    expect(parseCli(['--seed', 'demo']).seed).toBe(parseCli(['--seed', 'demo']).seed);
    expect(parseCli(['--duration', '3']).durationSeconds).toBe(3);
  });

  it.each([
    [['--scenario', 'apocalypse']],
    [['--rate', '0']],
    [['--rate', 'fast']],
    [['--count', '1.5']],
    [['--benign', '2']],
    [['--pubsub', '--stdout']],
    [['--poison', '0.1', '--pubsub']],
    [['--epoch', 'yesterday']],
    [['--unknown']],
  ])('rejects %j', (argv) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
  });
});

describe('simulator run', () => {
  it('sends exactly --count events at about --rate, and summarises them', async () => {
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (chunks.push(String(chunk)), true)) as typeof process.stdout.write;
    let summary;
    const started = Date.now();
    try {
      summary = await run({ ...parseCli(['--stdout', '--count', '60', '--rate', '200', '--seed', '5']), quiet: true });
    } finally {
      process.stdout.write = write;
    }
    const elapsed = Date.now() - started;
    const lines = chunks.join('').trim().split('\n');
    expect(lines).toHaveLength(60);
    expect(summary.sent).toBe(60);
    expect(summary.attacks + summary.benign).toBe(60);
    // 60 events at 200/s take about 0.3 s, not an instant and not forever.
    expect(elapsed).toBeGreaterThan(150);
    expect(elapsed).toBeLessThan(3000);
    const text = formatSummary(parseCli(['--seed', '5']), 'stdout', summary);
    expect(text).toContain('Simulated 60 events');
    expect(text).toContain('--seed 5');
  });
});
