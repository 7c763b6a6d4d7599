import { describe, expect, it, vi } from 'vitest';
import { BatchingModel } from './batcher';
import { ModelError, type BatchItemOutcome, type BatchModel } from './gemini-client';
import type { ModelMessage } from './prompt';

const answer = { summary: 's', category: 'brute_force' as const, severity: 'HIGH' as const, confidence: 0.9, mitreTechniques: [], recommendedActions: [] };

function inner(overrides: Partial<BatchModel> = {}) {
  const batches: ModelMessage[][] = [];
  const model: BatchModel = {
    name: 'stub',
    acceptsCalls: () => true,
    health: () => 'configured',
    analyseBatch: async (messages) => {
      batches.push([...messages]);
      return messages.map((message): BatchItemOutcome =>
        message.bad
          ? { ok: false, error: new ModelError('schema_violation', 'bad') }
          : { ok: true, result: { answer: { ...answer, summary: String(message.n) }, droppedTechniques: [], latencyMs: 1, attempts: 1, batchSize: messages.length } },
      );
    },
    ...overrides,
  };
  return { model, batches };
}

describe('BatchingModel', () => {
  it('sends events that arrive together in one request and routes each answer back', async () => {
    const { model, batches } = inner();
    const batching = new BatchingModel(model, { maxBatch: 8, windowMs: 5 });
    const results = await Promise.all([1, 2, 3].map((n) => batching.analyse({ n })));
    expect(batches).toEqual([[{ n: 1 }, { n: 2 }, { n: 3 }]]);
    expect(results.map((result) => result.answer.summary)).toEqual(['1', '2', '3']);
    expect(batching.stats).toEqual({ requests: 1, events: 3 });
  });

  it('sends a full batch at once and starts the next', async () => {
    vi.useFakeTimers();
    try {
      const { model, batches } = inner();
      const batching = new BatchingModel(model, { maxBatch: 2, windowMs: 1_000 });
      const pending = [1, 2, 3].map((n) => batching.analyse({ n }));
      expect(batches).toEqual([[{ n: 1 }, { n: 2 }]]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(batches).toEqual([[{ n: 1 }, { n: 2 }], [{ n: 3 }]]);
      await Promise.all(pending);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a lone event waits at most the window', async () => {
    const { model } = inner();
    const batching = new BatchingModel(model, { maxBatch: 8, windowMs: 20 });
    const started = performance.now();
    await batching.analyse({ n: 1 });
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('fails only the event whose analysis failed', async () => {
    const { model } = inner();
    const batching = new BatchingModel(model, { maxBatch: 8, windowMs: 1 });
    const [good, bad] = await Promise.allSettled([batching.analyse({ n: 1 }), batching.analyse({ n: 2, bad: true })]);
    expect(good.status).toBe('fulfilled');
    expect(bad).toMatchObject({ status: 'rejected', reason: { reason: 'schema_violation' } });
  });

  it('refuses at once, without queueing, while the breaker is open', async () => {
    const { model, batches } = inner({ acceptsCalls: () => false });
    const batching = new BatchingModel(model, { maxBatch: 8, windowMs: 1_000 });
    await expect(batching.analyse({ n: 1 })).rejects.toMatchObject({ reason: 'breaker_open' });
    expect(batches).toHaveLength(0);
  });

  it('with a batch size of 1 sends every event alone', async () => {
    const { model, batches } = inner();
    const batching = new BatchingModel(model, { maxBatch: 1, windowMs: 1_000 });
    await Promise.all([1, 2].map((n) => batching.analyse({ n })));
    expect(batches).toEqual([[{ n: 1 }], [{ n: 2 }]]);
  });
});
