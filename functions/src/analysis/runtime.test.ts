import { describe, expect, it } from 'vitest';
import { DEFAULT_GEMINI_MODEL } from '../config';
import { createModelRuntime, describeSettings, geminiSettingsFrom, type RawGeminiParams } from './runtime';

const raw = (overrides: Partial<RawGeminiParams> = {}): RawGeminiParams => ({
  apiKey: '',
  useVertex: false,
  project: 'demo-threatstream',
  vertexLocation: 'global',
  model: 'gemini-3.5-flash-lite',
  thinkingLevel: 'MINIMAL',
  baseUrl: '',
  timeoutMs: 10_000,
  eventsPerMinute: 60,
  batchSize: 8,
  batchWindowMs: 20,
  minConfidencePercent: 60,
  minSeverity: 'MEDIUM',
  samplePercent: 100,
  cacheTtlMinutes: 60,
  redactKeys: '',
  breakerFailures: 5,
  breakerCoolDownSeconds: 30,
  ...overrides,
});

describe('geminiSettingsFrom', () => {
  it.each(['', '   ', 'none', 'NONE', 'disabled'])('treats the key %j as not configured', (apiKey) => {
    expect(geminiSettingsFrom(raw({ apiKey })).backend).toBeUndefined();
  });

  it('uses the Developer API with a key, trimmed', () => {
    expect(geminiSettingsFrom(raw({ apiKey: ' AIza-test \n' })).backend).toEqual({ kind: 'developer', apiKey: 'AIza-test' });
  });

  it('uses Vertex AI with the project and location when asked, without a key', () => {
    expect(geminiSettingsFrom(raw({ useVertex: true, vertexLocation: 'eu' })).backend).toEqual({
      kind: 'vertex',
      project: 'demo-threatstream',
      location: 'eu',
    });
    expect(geminiSettingsFrom(raw({ useVertex: true, vertexLocation: ' ' })).backend).toMatchObject({ location: 'global' });
  });

  it('reads the policy, the endpoint and the redaction keys', () => {
    const settings = geminiSettingsFrom(
      raw({ minConfidencePercent: 75, minSeverity: 'high', samplePercent: 10, baseUrl: ' http://127.0.0.1:9 ', redactKeys: 'ssn,iban' }),
    );
    expect(settings.policy).toEqual({ confidenceBelow: 0.75, minSeverity: 'HIGH', sampleRate: 0.1 });
    expect(settings.baseUrl).toBe('http://127.0.0.1:9');
    expect(settings.redactKeys).toEqual(['ssn', 'iban']);
  });

  it('falls back to safe values for nonsense', () => {
    const settings = geminiSettingsFrom(
      raw({ minSeverity: 'EXTREME', timeoutMs: 5, samplePercent: 900, model: ' ', thinkingLevel: 'ultra' }),
    );
    expect(settings.policy.minSeverity).toBe('MEDIUM');
    expect(settings.timeoutMs).toBe(500);
    expect(settings.policy.sampleRate).toBe(1);
    expect(settings.model).toBe(DEFAULT_GEMINI_MODEL);
    expect(settings.thinkingLevel).toBe('MINIMAL');
  });

  it.each([
    [' low ', 'LOW'],
    ['HIGH', 'HIGH'],
    ['model_default', undefined],
  ])('reads the thinking level %j as %j', (thinkingLevel, expected) => {
    expect(geminiSettingsFrom(raw({ thinkingLevel })).thinkingLevel).toBe(expected);
  });
});

describe('createModelRuntime', () => {
  it('reports not_configured and never calls anything without a key', () => {
    const runtime = createModelRuntime(geminiSettingsFrom(raw()));
    expect(runtime.consult.configured).toBe(false);
    expect(runtime.model.health()).toBe('not_configured');
  });

  it('reports configured with a key, and never logs it', () => {
    const settings = geminiSettingsFrom(raw({ apiKey: 'AIza-secret-value' }));
    const runtime = createModelRuntime(settings);
    expect(runtime.consult.configured).toBe(true);
    expect(runtime.model.health()).toBe('configured');
    expect(JSON.stringify(describeSettings(settings))).not.toContain('AIza-secret-value');
  });
});
