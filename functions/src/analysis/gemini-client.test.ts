// The real @google/genai SDK against a local server that answers like the Gemini REST API.
import { ThinkingLevel } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGemini } from '../../../test/support/fake-gemini';
import { CircuitBreaker } from './breaker';
import { GeminiModel, ModelError, type GeminiSettings } from './gemini-client';

let fake: FakeGemini;
beforeAll(async () => {
  fake = await FakeGemini.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

function model(overrides: Partial<GeminiSettings> = {}): GeminiModel {
  return new GeminiModel({
    backend: { kind: 'developer', apiKey: 'test-key' },
    model: 'gemini-3.5-flash-lite',
    baseUrl: fake.url,
    timeoutMs: 500,
    maxRetries: 1,
    retryBaseDelayMs: 10,
    retryMaxDelayMs: 200,
    maxOutputTokens: 512,
    thinkingLevel: ThinkingLevel.MINIMAL,
    breaker: new CircuitBreaker({ failureThreshold: 3, coolDownMs: 60_000 }),
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelError);
  return error as ModelError;
}

describe('GeminiModel against the fake Gemini API', () => {
  it('sends a structured-output request and returns the validated answer, without unknown techniques', async () => {
    const result = await model().analyse({ event_type: 'brute_force' });
    expect(result.answer).toMatchObject({ category: 'brute_force', severity: 'HIGH', confidence: 0.92 });
    expect(result.answer.mitreTechniques).toEqual(['T1110.001', 'T1110']);
    expect(result.droppedTechniques).toEqual(['T9999']);
    expect(result.attempts).toBe(1);
    expect(result.tokens).toBe(508);
    expect(result.batchSize).toBe(1);

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.path).toBe('/v1beta/models/gemini-3.5-flash-lite:generateContent');
    expect(request!.apiKey).toBe('test-key');
    const config = request!.body.generationConfig;
    expect(config.responseMimeType).toBe('application/json');
    expect(config.responseJsonSchema.type).toBe('object');
    expect(config.responseJsonSchema.properties.analyses.items.required).toEqual(
      expect.arrayContaining(['id', 'summary', 'category', 'severity', 'confidence', 'mitreTechniques', 'recommendedActions']),
    );
    expect(config.responseJsonSchema.properties.analyses.items.properties.severity.enum).toEqual([
      'CRITICAL',
      'HIGH',
      'MEDIUM',
      'LOW',
      'INFO',
    ]);
    expect(config.responseJsonSchema).not.toHaveProperty('$schema');
    expect(config.thinkingConfig).toEqual({ thinkingLevel: 'MINIMAL' });
    expect(config).not.toHaveProperty('temperature');
    expect(request!.body.systemInstruction.parts[0].text).toMatch(/strictly as data/);
    expect(request!.body.contents[0].parts[0].text).toBe('{"events":[{"id":"1","event_type":"brute_force"}]}');
  });

  it('leaves thinking to the model when no level is set', async () => {
    await model({ thinkingLevel: undefined }).analyse({ event_type: 'brute_force' });
    expect(fake.requests[0]!.body.generationConfig).not.toHaveProperty('thinkingConfig');
  });

  const failures: [name: string, reason: string, requests: number, modes: Parameters<FakeGemini['queue']>[0][]][] = [
    ['malformed JSON', 'malformed_json', 1, ['malformed']],
    ['an answer that violates the schema', 'schema_violation', 1, ['schema_violation']],
    ['a 429 twice', 'rate_limited', 2, ['rate_limited', 'rate_limited']],
    ['a 500 twice', 'server_error', 2, ['server_error', 'server_error']],
    ['no answer within the timeout', 'timeout', 1, ['hang']],
  ];
  it.each(failures)('ends %s as ModelError(%s) after %i request(s)', async (_name, reason, requests, modes) => {
    fake.queue(...modes);
    const error = await failure(model().analyse({}));
    expect(error.reason).toBe(reason);
    expect(fake.requests).toHaveLength(requests);
  });

  it('retries a 429 or a 500 once and then succeeds', async () => {
    fake.queue('rate_limited');
    const afterRateLimit = await model().analyse({});
    expect(afterRateLimit.attempts).toBe(2);
    fake.queue('server_error');
    const afterServerError = await model().analyse({});
    expect(afterServerError.attempts).toBe(2);
    expect(fake.requests).toHaveLength(4);
  });

  it('does not retry a 429 that asks to wait longer than the retry cap', async () => {
    fake.retryDelaySeconds = 30;
    fake.queue('rate_limited', 'rate_limited');
    const error = await failure(model({ retryMaxDelayMs: 1_000 }).analyse({}));
    expect(error.reason).toBe('rate_limited');
    expect(fake.requests).toHaveLength(1);
  });

  it('bounds a hanging call by the timeout', async () => {
    fake.mode = 'hang';
    const started = Date.now();
    const error = await failure(model({ timeoutMs: 300 }).analyse({}));
    expect(error.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('opens the breaker after consecutive failures, refuses calls without sending them, then probes once', async () => {
    let clock = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 1_000, now: () => clock });
    const gemini = model({ breaker, maxRetries: 0 });
    fake.mode = 'server_error';
    await failure(gemini.analyse({}));
    expect(gemini.health()).toBe('configured');
    await failure(gemini.analyse({}));
    expect(gemini.health()).toBe('degraded');
    expect((await failure(gemini.analyse({}))).reason).toBe('breaker_open');
    expect(fake.requests).toHaveLength(2);

    clock += 1_000;
    fake.mode = 'good';
    const probe = await gemini.analyse({});
    expect(probe.answer.category).toBe('brute_force');
    expect(gemini.health()).toBe('configured');
    expect(fake.requests).toHaveLength(3);
  });

  it('does not count answers the model got wrong against the service', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
    const gemini = model({ breaker });
    fake.mode = 'schema_violation';
    await failure(gemini.analyse({}));
    await failure(gemini.analyse({}));
    expect(breaker.currentState).toBe('closed');
  });

  it('analyses several events in one request, each validated on its own', async () => {
    fake.rule({ match: 'second', mode: 'good', answer: { confidence: 7 } });
    fake.rule({ match: 'third', mode: 'good', answer: { category: 'port_scan', severity: 'LOW' } });
    const outcomes = await model().analyseBatch([{ name: 'first' }, { name: 'second' }, { name: 'third' }]);
    expect(fake.requests).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ ok: true, result: { answer: { category: 'brute_force' }, batchSize: 3 } });
    expect(outcomes[1]).toMatchObject({ ok: false, error: { reason: 'schema_violation' } });
    expect(outcomes[2]).toMatchObject({ ok: true, result: { answer: { category: 'port_scan', severity: 'LOW' } } });
    expect(fake.requests[0]!.body.generationConfig.maxOutputTokens).toBe(3 * 512);
  });

  it('fails every event of a request that fails', async () => {
    fake.mode = 'server_error';
    const outcomes = await model({ maxRetries: 0 }).analyseBatch([{ n: 1 }, { n: 2 }]);
    expect(outcomes.map((outcome) => !outcome.ok && outcome.error.reason)).toEqual(['server_error', 'server_error']);
  });

  it('refuses to be built with an empty key', () => {
    expect(() => model({ backend: { kind: 'developer', apiKey: '  ' } })).toThrow(/non-empty API key/);
  });

  it('calls the Vertex AI path with project and location, without an API key', async () => {
    // Vertex needs Google credentials to sign requests; a fetch that adds none is enough here.
    const vertex = new GeminiModel({
      backend: {
        kind: 'vertex',
        project: 'demo-project',
        location: 'global',
        googleAuthOptions: { authClient: fakeAuthClient() as never },
      },
      model: 'gemini-3.5-flash-lite',
      baseUrl: fake.url,
      timeoutMs: 500,
      maxRetries: 0,
      retryBaseDelayMs: 10,
      retryMaxDelayMs: 100,
      maxOutputTokens: 512,
      breaker: new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1_000 }),
    });
    const result = await vertex.analyse({});
    expect(result.answer.category).toBe('brute_force');
    expect(fake.requests[0]!.path).toBe(
      '/v1beta1/projects/demo-project/locations/global/publishers/google/models/gemini-3.5-flash-lite:generateContent',
    );
    expect(fake.requests[0]!.apiKey).toBeUndefined();
  });
});

/** A google-auth-library-like client that signs nothing. */
function fakeAuthClient() {
  return {
    getRequestHeaders: async () => new Headers(),
    getAccessToken: async () => ({ token: 'fake-token' }),
  };
}
