import { z } from 'zod';
import { EVENT_TYPES, SeveritySchema } from '../domain/event';
import { isKnownTechnique } from '../domain/mitre';

// The model's answer: one zod schema gives the JSON schema the model is constrained by
// (`responseJsonSchema`) and the validation of what comes back — the constraint is a request to
// the model, the validation is what we rely on.

/** Categories the model may choose: our event types, plus "benign" for a false positive. */
export const MODEL_CATEGORIES = [...EVENT_TYPES, 'benign'] as const;

export const ModelAnswerSchema = z.object({
  summary: z
    .string()
    .min(1)
    .max(1000)
    .describe('Two or three sentences for a SOC analyst: what happened, why it matters, what is uncertain.'),
  category: z
    .enum(MODEL_CATEGORIES)
    .describe('The kind of activity the evidence shows; "benign" if it is most likely not an attack.'),
  severity: SeveritySchema.describe(
    'Your opinion of the severity: CRITICAL active compromise or impact; HIGH likely attack on a valuable target; MEDIUM attack attempt worth review; LOW noise or failed attempt; INFO not malicious.',
  ),
  confidence: z.number().min(0).max(1).describe('How sure you are of the category, from 0 to 1.'),
  mitreTechniques: z
    .array(z.string().max(16))
    .max(10)
    .describe('MITRE ATT&CK Enterprise technique ids the evidence supports, e.g. "T1110" or "T1110.001".'),
  recommendedActions: z
    .array(z.string().min(1).max(300))
    .max(8)
    .describe('Up to five concrete next steps for the responder, most urgent first.'),
});
export type ModelAnswer = z.infer<typeof ModelAnswerSchema>;

// Keywords of JSON Schema that the Gemini API documents for responseJsonSchema; others (such as
// "$schema" or string lengths) are left out rather than risk a 400 from a stricter endpoint.
const GEMINI_SCHEMA_KEYWORDS = new Set([
  'type',
  'description',
  'properties',
  'required',
  'items',
  'enum',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'additionalProperties',
]);

function keepGeminiKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(keepGeminiKeywords);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!GEMINI_SCHEMA_KEYWORDS.has(key)) continue;
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as object).map(([name, schema]) => [name, keepGeminiKeywords(schema)]))
        : keepGeminiKeywords(value);
  }
  return out;
}

/** One analysis in a batch answer: an answer with the id of the event it is about. */
export const ModelBatchItemSchema = ModelAnswerSchema.extend({
  id: z.string().describe('The "id" of the event this analysis is about.'),
});

/** The whole answer: one analysis per event sent. */
export const ModelBatchAnswerSchema = z.object({ analyses: z.array(ModelBatchItemSchema) });

/** The JSON schema sent as `responseJsonSchema`. */
export const MODEL_ANSWER_JSON_SCHEMA = keepGeminiKeywords(
  z.toJSONSchema(ModelBatchAnswerSchema, { target: 'draft-2020-12', io: 'output' }),
) as Record<string, unknown>;

export type ItemParseResult =
  | { ok: true; answer: ModelAnswer; droppedTechniques: string[] }
  | { ok: false; reason: 'schema_violation'; detail: string };

export type AnswerParseResult =
  | { ok: true; items: ItemParseResult[] }
  | { ok: false; reason: 'malformed_json' | 'schema_violation'; detail: string };

/**
 * Reads the model's text as the answers for `count` events (ids "1".."count"). Unreadable text
 * fails them all; each analysis is then validated on its own, so one bad entry fails only its
 * event. Technique ids outside our ATT&CK table are dropped (and reported), not a violation.
 */
export function parseModelAnswer(text: string, count = 1): AnswerParseResult {
  let json: unknown;
  try {
    json = JSON.parse(stripCodeFence(text));
  } catch (error) {
    return { ok: false, reason: 'malformed_json', detail: (error as Error).message };
  }
  const analyses = (json as { analyses?: unknown } | null)?.analyses;
  if (!Array.isArray(analyses)) {
    return { ok: false, reason: 'schema_violation', detail: 'analyses: expected an array' };
  }
  const byId = new Map<string, unknown>();
  for (const entry of analyses) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && !byId.has(id)) byId.set(id, entry);
  }
  const items: ItemParseResult[] = [];
  for (let index = 1; index <= count; index++) {
    const entry = byId.get(String(index));
    items.push(entry === undefined ? { ok: false, reason: 'schema_violation', detail: `no analysis for event ${index}` } : parseItem(entry));
  }
  return { ok: true, items };
}

function parseItem(entry: unknown): ItemParseResult {
  const result = ModelAnswerSchema.safeParse(entry);
  if (!result.success) {
    return {
      ok: false,
      reason: 'schema_violation',
      detail: result.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; '),
    };
  }
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const raw of result.data.mitreTechniques) {
    const id = raw.trim().toUpperCase();
    if (isKnownTechnique(id)) {
      if (!kept.includes(id)) kept.push(id);
    } else {
      dropped.push(raw);
    }
  }
  return { ok: true, answer: { ...result.data, mitreTechniques: kept }, droppedTechniques: dropped };
}

/** Models sometimes wrap JSON in a Markdown fence even when asked for JSON. */
function stripCodeFence(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n?([\s\S]*?)\n?```\s*$/i.exec(text);
  return fenced ? fenced[1]! : text;
}
