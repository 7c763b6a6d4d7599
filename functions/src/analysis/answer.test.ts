import { describe, expect, it } from 'vitest';
import { MODEL_ANSWER_JSON_SCHEMA, parseModelAnswer } from './answer';

const good = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  summary: 'SSH password guessing',
  category: 'brute_force',
  severity: 'HIGH',
  confidence: 0.8,
  mitreTechniques: ['T1110.001'],
  recommendedActions: ['Block the source'],
  ...overrides,
});

describe('parseModelAnswer', () => {
  it.each(['exploit', 'path_traversal', 'command_injection', 'reconnaissance', 'policy_violation', 'protocol_anomaly'])(
    'accepts the sensor alert category %s, in the JSON schema sent to the model too',
    (category) => {
      const parsed = parseModelAnswer(JSON.stringify({ analyses: [good('1', { category })] }));
      expect(parsed).toMatchObject({ ok: true, items: [{ ok: true, answer: { category } }] });
      expect(JSON.stringify(MODEL_ANSWER_JSON_SCHEMA)).toContain(`"${category}"`);
    },
  );

  it('reads one analysis per event, in the order of the ids', () => {
    const parsed = parseModelAnswer(JSON.stringify({ analyses: [good('2', { severity: 'LOW' }), good('1')] }), 2);
    expect(parsed).toMatchObject({ ok: true, items: [{ ok: true, answer: { severity: 'HIGH' } }, { ok: true, answer: { severity: 'LOW' } }] });
  });

  it('drops technique ids outside the ATT&CK table and normalises the rest', () => {
    const parsed = parseModelAnswer(JSON.stringify({ analyses: [good('1', { mitreTechniques: ['t1110.001', 'T1110.001', 'T9999', 'nonsense'] })] }));
    expect(parsed).toMatchObject({ ok: true, items: [{ ok: true, answer: { mitreTechniques: ['T1110.001'] }, droppedTechniques: ['T9999', 'nonsense'] }] });
  });

  it('fails only the events whose analysis is missing or invalid', () => {
    const parsed = parseModelAnswer(JSON.stringify({ analyses: [good('1'), good('2', { confidence: 1.5 })] }), 3);
    if (!parsed.ok) throw new Error('expected items');
    expect(parsed.items[0]!.ok).toBe(true);
    expect(parsed.items[1]).toMatchObject({ ok: false, reason: 'schema_violation', detail: expect.stringMatching(/confidence/) });
    expect(parsed.items[2]).toMatchObject({ ok: false, reason: 'schema_violation', detail: 'no analysis for event 3' });
  });

  it.each([
    ['text that is not JSON', 'Sure! Here is the analysis:', 'malformed_json'],
    ['truncated JSON', '{"analyses": [{"id": "1", "summ', 'malformed_json'],
    ['JSON without analyses', '{"summary": "x"}', 'schema_violation'],
    ['null', 'null', 'schema_violation'],
  ])('fails every event on %s', (_name, text, reason) => {
    expect(parseModelAnswer(text, 2)).toMatchObject({ ok: false, reason });
  });

  it('accepts JSON wrapped in a Markdown code fence', () => {
    expect(parseModelAnswer('```json\n' + JSON.stringify({ analyses: [good('1')] }) + '\n```')).toMatchObject({ ok: true });
  });

  it('rejects categories and severities outside the lists', () => {
    const parsed = parseModelAnswer(JSON.stringify({ analyses: [good('1', { category: 'alien_invasion', severity: 'EXTREME' })] }));
    expect(parsed).toMatchObject({ ok: true, items: [{ ok: false, reason: 'schema_violation' }] });
  });
});

describe('the response schema sent to Gemini', () => {
  it('uses only JSON Schema keywords the Gemini API documents', () => {
    const allowed = new Set(['type', 'description', 'properties', 'required', 'items', 'enum', 'minimum', 'maximum', 'minItems', 'maxItems', 'additionalProperties']);
    const visit = (node: unknown, inProperties = false): void => {
      if (Array.isArray(node)) return node.forEach((child) => visit(child));
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (!inProperties) expect(allowed, key).toContain(key);
        visit(value, key === 'properties' && !inProperties);
      }
    };
    visit(MODEL_ANSWER_JSON_SCHEMA);
    expect(JSON.stringify(MODEL_ANSWER_JSON_SCHEMA)).not.toContain('$schema');
  });
});
