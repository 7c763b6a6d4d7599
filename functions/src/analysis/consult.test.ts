// The model path end to end in memory: policy → cache → budget → the real @google/genai SDK →
// a fake Gemini API on localhost → the update written to the threat.
import { Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGemini, type FakeGeminiMode } from '../../../test/support/fake-gemini';
import { consultInputFor, event } from '../../../test/support/threat-fixtures';
import { CircuitBreaker } from './breaker';
import { MinuteBudget, UNLIMITED_BUDGET, type CallBudget } from './budget';
import { AnswerCache } from './cache';
import { threatUpdate } from './analyse-threat';
import { consultModel, type ConsultDeps, type ConsultOutcome } from './consult';
import { BatchingModel } from './batcher';
import { GeminiModel, NOT_CONFIGURED_MODEL } from './gemini-client';
import { DEFAULT_MODEL_POLICY } from './policy';

let fake: FakeGemini;
beforeAll(async () => {
  fake = await FakeGemini.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

function deps(overrides: Partial<ConsultDeps> & { breaker?: CircuitBreaker; budget?: CallBudget } = {}): ConsultDeps {
  const breaker = overrides.breaker ?? new CircuitBreaker({ failureThreshold: 3, coolDownMs: 60_000 });
  return {
    model: new GeminiModel({
      backend: { kind: 'developer', apiKey: 'test-key' },
      model: 'gemini-3.5-flash-lite',
      baseUrl: fake.url,
      timeoutMs: 400,
      maxRetries: 1,
      retryBaseDelayMs: 5,
      retryMaxDelayMs: 50,
      maxOutputTokens: 512,
      breaker,
    }),
    configured: true,
    cache: new AnswerCache({ ttlMs: 60_000, failureTtlMs: 60_000, maxEntries: 100, leaseMs: 1_000, pollMs: 10 }),
    budget: UNLIMITED_BUDGET,
    policy: DEFAULT_MODEL_POLICY,
    redaction: {},
    ...overrides,
  };
}

/** The seed attack: a HIGH brute force on the critical SSH server (always selected). */
const bruteForce = (payload: Record<string, unknown> = { attempts: 150 }, sourceIp = '185.234.72.91') =>
  consultInputFor(
    event({ event_type: 'brute_force', source_ip: sourceIp, destination_ip: '10.0.0.100', destination_port: 22, protocol: 'TCP', payload }),
  );

function update(input: ReturnType<typeof bruteForce>, outcome: ConsultOutcome) {
  if (outcome.status === 'not_selected') throw new Error('not selected');
  return threatUpdate({ analysis: input.rules, risk: input.risk, event_type: input.event.event_type }, outcome, Timestamp.now(), 5);
}

describe('consultModel', () => {
  it('asks the model, and the threat gets the combined analysis, the rules analysis and a re-scored risk', async () => {
    const input = bruteForce();
    expect(input.risk.severity).toMatch(/HIGH|CRITICAL/);
    const outcome = await consultModel(input, deps());
    expect(outcome).toMatchObject({ status: 'analysed', source: 'computed' });
    expect(fake.requests).toHaveLength(1);

    const written = update(input, outcome);
    expect(written.analysis).toMatchObject({ engine: 'gemini', category: 'brute_force' });
    expect(written.analysis!.mitre.map((technique) => technique.id)).toContain('T1110.001');
    expect(written.rulesAnalysis).toEqual(input.rules);
    expect(written.risk!.factors.at(-1)!.name).toBe('model_assessment');
    expect(written.risk!.factors.reduce((sum, factor) => sum + factor.contribution, 0)).toBe(written.risk!.score);
    expect(written.model).toMatchObject({ status: 'analysed', name: 'gemini-3.5-flash-lite', droppedTechniques: ['T9999'] });
  });

  it('answers a flood of one attack with one model call', async () => {
    const shared = deps();
    fake.latencyMs = 100;
    const flood = Array.from({ length: 200 }, (_, i) => bruteForce({ attempts: 100 + i }));
    const outcomes = await Promise.all(flood.map((input) => consultModel(input, shared)));
    expect(fake.requests).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === 'analysed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === 'cached')).toHaveLength(199);
    // And later events of the same attack come from memory.
    expect(await consultModel(bruteForce({ attempts: 999 }), shared)).toMatchObject({ status: 'cached', source: 'memory' });
    expect(fake.requests).toHaveLength(1);
  });

  it('hands the threats of a flood shared, frozen outcomes: one per call joined, one per cached entry', async () => {
    const shared = deps();
    fake.latencyMs = 50;
    const first = consultModel(bruteForce({ attempts: 1 }), shared);
    const joined = [consultModel(bruteForce({ attempts: 2 }), shared), consultModel(bruteForce({ attempts: 3 }), shared)];
    expect(joined[0]).toBe(joined[1]);
    const [analysed, ...others] = await Promise.all([first, ...joined]);
    expect(analysed).toMatchObject({ status: 'analysed', source: 'computed' });
    expect(others[0]).toMatchObject({ status: 'cached', source: 'joined', signature: (analysed as { signature: string }).signature });
    expect(Object.isFrozen(others[0])).toBe(true);
    const later = [await consultModel(bruteForce({ attempts: 4 }), shared), await consultModel(bruteForce({ attempts: 5 }), shared)];
    expect(later[0]).toMatchObject({ status: 'cached', source: 'memory' });
    expect(later[0]).toBe(later[1]);
    expect(fake.requests).toHaveLength(1);
  });

  it('skips every threat that joined a call the budget refused', async () => {
    const shared = deps({ budget: new MinuteBudget(0) });
    const outcomes = await Promise.all([1, 2, 3].map((attempts) => consultModel(bruteForce({ attempts }), shared)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(new Set(outcomes.map((outcome) => 'signature' in outcome && outcome.signature)).size).toBe(1);
    expect(fake.requests).toHaveLength(0);
  });

  it('records a remembered failure against the signature of the event', async () => {
    const shared = deps();
    fake.mode = 'schema_violation';
    const first = await consultModel(bruteForce({ attempts: 1 }), shared);
    const again = await consultModel(bruteForce({ attempts: 2 }), shared);
    expect(first).toMatchObject({ status: 'failed', reason: 'schema_violation' });
    expect(again).toMatchObject({ status: 'failed', reason: 'schema_violation', signature: (first as { signature: string }).signature });
    expect((again as { detail: string }).detail).toMatch(/\(remembered\)$/);
    expect(fake.requests).toHaveLength(1);
  });

  it('sends distinct events that arrive together in shared requests, each with its own answer', async () => {
    const shared = deps();
    const batching = new BatchingModel(shared.model as GeminiModel, { maxBatch: 8, windowMs: 20 });
    const inputs = Array.from({ length: 20 }, (_, i) => bruteForce({ attempts: 10 }, `185.234.80.${i + 1}`));
    fake.rule({ match: '185.234.80.7"', mode: 'good', answer: { severity: 'CRITICAL' } });
    const outcomes = await Promise.all(inputs.map((input) => consultModel(input, { ...shared, model: batching })));
    expect(outcomes.every((outcome) => outcome.status === 'analysed')).toBe(true);
    expect(fake.requests).toHaveLength(3);
    expect(batching.stats).toEqual({ requests: 3, events: 20 });
    const severities = outcomes.map((outcome) => (outcome.status === 'analysed' ? outcome.entry.answer.severity : undefined));
    expect(severities[6]).toBe('CRITICAL');
    expect(severities.filter((severity) => severity === 'HIGH')).toHaveLength(19);
  });

  it('asks again for a different payload shape or source', async () => {
    const shared = deps();
    await consultModel(bruteForce(), shared);
    await consultModel(bruteForce({ attempts: 5, user: 'root' }), shared);
    await consultModel(bruteForce({ attempts: 5 }, '185.234.72.92'), shared);
    expect(fake.requests).toHaveLength(3);
  });

  const failures: [FakeGeminiMode, string][] = [
    ['malformed', 'malformed_json'],
    ['schema_violation', 'schema_violation'],
    ['rate_limited', 'rate_limited'],
    ['server_error', 'server_error'],
    ['hang', 'timeout'],
  ];
  it.each(failures)('a %s answer ends as failed (%s): the rules analysis stands', async (mode, reason) => {
    fake.mode = mode;
    const input = bruteForce();
    const outcome = await consultModel(input, deps());
    expect(outcome).toMatchObject({ status: 'failed', reason, model: 'gemini-3.5-flash-lite' });
    const written = update(input, outcome);
    expect(written).toEqual({ model: expect.objectContaining({ status: 'failed', reason }) });
    expect(written.analysis).toBeUndefined();
    expect(written.risk).toBeUndefined();
  });

  it('does not call the model while the breaker is open, and says so', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 60_000 });
    const shared = deps({ breaker });
    fake.mode = 'server_error';
    await consultModel(bruteForce({ a: 1 }), shared);
    await consultModel(bruteForce({ b: 1 }), shared);
    const sent = fake.requests.length;
    expect(await consultModel(bruteForce({ c: 1 }), shared)).toMatchObject({ status: 'failed', reason: 'breaker_open' });
    expect(fake.requests).toHaveLength(sent);
  });

  it('skips when the minute\'s budget is spent, but still serves cached answers', async () => {
    const shared = deps({ budget: new MinuteBudget(1) });
    expect(await consultModel(bruteForce(), shared)).toMatchObject({ status: 'analysed' });
    expect(await consultModel(bruteForce({ attempts: 3, user: 'x' }), shared)).toMatchObject({ status: 'skipped', reason: 'budget_exhausted' });
    expect(await consultModel(bruteForce({ attempts: 7 }), shared)).toMatchObject({ status: 'cached' });
    expect(fake.requests).toHaveLength(1);
  });

  it('asks nothing and records nothing when no model is configured', async () => {
    const outcome = await consultModel(bruteForce(), deps({ model: NOT_CONFIGURED_MODEL, configured: false }));
    expect(outcome).toEqual({ status: 'not_selected', reason: 'not_configured' });
    expect(fake.requests).toHaveLength(0);
  });

  it('leaves threats the policy does not select to the rules', async () => {
    // A port scan of one port on an internal host: LOW, and the rules are sure enough.
    const input = consultInputFor(
      event({ event_type: 'port_scan', source_ip: '10.1.2.3', destination_ip: '10.0.0.20', payload: { ports: 3, scan_type: 'syn' } }),
    );
    const outcome = await consultModel(input, deps({ policy: { ...DEFAULT_MODEL_POLICY, confidenceBelow: 0 } }));
    expect(outcome).toEqual({ status: 'not_selected', reason: 'not_eligible' });
    expect(fake.requests).toHaveLength(0);
  });

  it('sends the event redacted: no password, token or email local part leaves', async () => {
    await consultModel(
      bruteForce({ attempts: 40, user: 'alice@corp.example', password: 'Winter2025!', request: 'POST /login?token=s3cr3t' }),
      deps(),
    );
    const [request] = fake.requests;
    expect(request!.text).not.toContain('Winter2025!');
    expect(request!.text).not.toContain('s3cr3t');
    expect(request!.text).not.toContain('alice@');
    expect(request!.text).toContain('[email]@corp.example');
  });
});
