import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ObservationBatcher, type BatchLimits, type ObservationBatch } from './batcher.js';

const observation = (id: string, pad = 0) => Buffer.from(JSON.stringify({ event: { id }, pad: 'x'.repeat(pad) }));
const ids = (batch: ObservationBatch) => (JSON.parse(batch.data.toString()) as { observations: { event: { id: string } }[] }).observations.map((o) => o.event.id);

function batcher(limits: Partial<BatchLimits> = {}) {
  const sent: ObservationBatch[] = [];
  const b = new ObservationBatcher({ maxMessages: 500, maxBytes: 512 * 1024, lingerMs: 25, ...limits }, (batch) => sent.push(batch));
  return { b, sent };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ObservationBatcher', () => {
  it('sends a batch at maxMessages, in order, as {"observations":[…]} with one done per observation', () => {
    const { b, sent } = batcher({ maxMessages: 3 });
    const dones = [vi.fn(), vi.fn(), vi.fn(), vi.fn()];
    for (const [i, done] of dones.entries()) b.add(observation(`o${i}`), done);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.trigger).toBe('count');
    expect(sent[0]!.count).toBe(3);
    expect(ids(sent[0]!)).toEqual(['o0', 'o1', 'o2']);
    expect(sent[0]!.done).toEqual(dones.slice(0, 3));
    expect(b.pending).toBe(1);
  });

  it('sends what it holds before an observation would take the message past maxBytes', () => {
    const one = observation('o0', 100).length;
    const envelope = '{"observations":[]}'.length;
    // Room for exactly two observations and their comma.
    const { b, sent } = batcher({ maxBytes: envelope + 2 * one + 1 });
    b.add(observation('o0', 100), vi.fn());
    b.add(observation('o1', 100), vi.fn());
    expect(sent).toHaveLength(1); // full to the byte: sent at once
    expect(sent[0]!.data.length).toBe(envelope + 2 * one + 1);
    b.add(observation('o2', 100), vi.fn());
    b.add(observation('o3', 101), vi.fn()); // one byte too many for o2's batch
    expect(sent.map((s) => [s.trigger, ids(s)])).toEqual([
      ['bytes', ['o0', 'o1']],
      ['bytes', ['o2']],
    ]);
    expect(b.pending).toBe(1);
  });

  it('sends an observation larger than maxBytes alone rather than holding it', () => {
    const { b, sent } = batcher({ maxBytes: 1024 });
    b.add(observation('small'), vi.fn());
    b.add(observation('huge', 4096), vi.fn());
    expect(sent.map((s) => ids(s))).toEqual([['small'], ['huge']]);
    expect(b.pending).toBe(0);
  });

  it('sends a batch lingerMs after its first observation, however many came since', () => {
    vi.useFakeTimers();
    const { b, sent } = batcher({ lingerMs: 25 });
    b.add(observation('o0'), vi.fn());
    vi.advanceTimersByTime(20);
    b.add(observation('o1'), vi.fn());
    vi.advanceTimersByTime(4);
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sent.map((s) => [s.trigger, ids(s)])).toEqual([['linger', ['o0', 'o1']]]);
    // The next batch's clock starts at its own first observation.
    b.add(observation('o2'), vi.fn());
    vi.advanceTimersByTime(24);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent.map((s) => ids(s))).toEqual([['o0', 'o1'], ['o2']]);
  });

  it('flush() sends the open batch now and stops its linger timer; with nothing open it sends nothing', () => {
    vi.useFakeTimers();
    const { b, sent } = batcher();
    b.flush();
    expect(sent).toHaveLength(0);
    b.add(observation('o0'), vi.fn());
    b.flush();
    expect(sent.map((s) => [s.trigger, ids(s)])).toEqual([['flush', ['o0']]]);
    vi.advanceTimersByTime(1_000);
    expect(sent).toHaveLength(1);
  });

  it('keeps every observation once, in order, each batch within both limits (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 300 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 100, max: 2_000 }),
        (sizes, maxMessages, maxBytes) => {
          const { b, sent } = batcher({ maxMessages, maxBytes });
          sizes.forEach((size, i) => b.add(observation(`o${i}`, size), () => {}));
          b.flush();
          expect(sent.flatMap(ids)).toEqual(sizes.map((_, i) => `o${i}`));
          for (const batch of sent) {
            expect(batch.count).toBeLessThanOrEqual(maxMessages);
            expect(batch.done).toHaveLength(batch.count);
            if (batch.count > 1) expect(batch.data.length).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });
});
