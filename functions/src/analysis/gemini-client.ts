import {
  ApiError,
  FinishReason,
  GoogleGenAI,
  type GenerateContentResponse,
  type GoogleGenAIOptions,
  type ThinkingLevel,
} from '@google/genai';
import { MODEL_ANSWER_JSON_SCHEMA, parseModelAnswer, type ModelAnswer } from './answer';
import { CircuitBreaker } from './breaker';
import { keepAliveFetch } from './keep-alive-fetch';
import { batchPrompt, SYSTEM_INSTRUCTION, type ModelMessage } from './prompt';

// The model behind one small interface, so the analysis path can be run and tested with any
// implementation. The Gemini implementation bounds every call in time (a per-attempt timeout),
// in retries (one, on 429 and 5xx only, with a capped backoff) and in damage (a circuit breaker
// stops calls while the service is failing).

export type ModelFailureReason =
  | 'not_configured'
  | 'breaker_open'
  | 'timeout'
  | 'rate_limited'
  | 'server_error'
  | 'client_error'
  | 'network'
  | 'blocked'
  | 'empty_response'
  | 'malformed_json'
  | 'schema_violation';

export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly reason: ModelFailureReason,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ModelResult {
  answer: ModelAnswer;
  /** Technique ids the model named that are not in our ATT&CK table. */
  droppedTechniques: string[];
  /** Of the request that carried this event (possibly with others). */
  latencyMs: number;
  attempts: number;
  /** Events in that request. */
  batchSize: number;
  tokens?: number;
}

export type ModelHealth = 'configured' | 'not_configured' | 'degraded';

/** A model that analyses one event. Throws ModelError, never anything else. */
export interface ThreatModel {
  readonly name: string;
  analyse(message: ModelMessage): Promise<ModelResult>;
  health(): ModelHealth;
}

/** Per event of a batch: its result, or why it has none. */
export type BatchItemOutcome = { ok: true; result: ModelResult } | { ok: false; error: ModelError };

/** A model that analyses several events in one request. */
export interface BatchModel {
  readonly name: string;
  /** One outcome per message, in order; never rejects. */
  analyseBatch(messages: readonly ModelMessage[]): Promise<BatchItemOutcome[]>;
  /** False while the circuit breaker is open: a request now would be refused anyway. */
  acceptsCalls(): boolean;
  health(): ModelHealth;
}

export type GeminiBackend =
  | { kind: 'developer'; apiKey: string }
  | {
      kind: 'vertex';
      project: string;
      location: string;
      /** Defaults to the runtime's credentials (the function's service account). */
      googleAuthOptions?: GoogleGenAIOptions['googleAuthOptions'];
    };

export interface GeminiSettings {
  backend: GeminiBackend;
  model: string;
  /** Overrides the API endpoint (a proxy, or a local fake in tests). */
  baseUrl?: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Retries after the first attempt, on 429 and 5xx only. */
  maxRetries: number;
  retryBaseDelayMs: number;
  /** A 429 asking to wait longer than this is not retried. */
  retryMaxDelayMs: number;
  /** Per event in the request. */
  maxOutputTokens: number;
  /** Sent as the request's thinking level; undefined leaves it to the model. */
  thinkingLevel?: ThinkingLevel;
  breaker: CircuitBreaker;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const BLOCKED_FINISH_REASONS = new Set<string>([
  FinishReason.SAFETY,
  FinishReason.RECITATION,
  FinishReason.BLOCKLIST,
  FinishReason.PROHIBITED_CONTENT,
  FinishReason.SPII,
]);

/**
 * Gemini through @google/genai: the Developer API with a key, or Vertex AI with the runtime's
 * credentials. One request carries one or several events (see BatchingModel).
 */
export class GeminiModel implements ThreatModel, BatchModel {
  readonly name: string;
  private readonly client: GoogleGenAI;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly settings: GeminiSettings) {
    this.name = settings.model;
    this.sleep = settings.sleep ?? defaultSleep;
    this.random = settings.random ?? Math.random;
    const httpOptions = {
      ...(settings.baseUrl && { baseUrl: settings.baseUrl.replace(/\/+$/, '') }),
      timeout: settings.timeoutMs,
      fetch: keepAliveFetch,
    };
    const { backend } = settings;
    if (backend.kind === 'developer') {
      if (backend.apiKey.trim() === '') throw new Error('GeminiModel needs a non-empty API key');
      // vertexai: false explicitly, so that GOOGLE_GENAI_USE_VERTEXAI in the environment cannot
      // send the key elsewhere.
      this.client = new GoogleGenAI({ vertexai: false, apiKey: backend.apiKey, httpOptions });
    } else {
      this.client = new GoogleGenAI({
        vertexai: true,
        project: backend.project,
        location: backend.location,
        ...(backend.googleAuthOptions && { googleAuthOptions: backend.googleAuthOptions }),
        httpOptions,
      });
    }
  }

  health(): ModelHealth {
    return this.settings.breaker.currentState === 'open' ? 'degraded' : 'configured';
  }

  acceptsCalls(): boolean {
    return this.settings.breaker.currentState !== 'open';
  }

  /** One event in a request of its own. */
  async analyse(message: ModelMessage): Promise<ModelResult> {
    const [outcome] = await this.analyseBatch([message]);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.result;
  }

  async analyseBatch(messages: readonly ModelMessage[]): Promise<BatchItemOutcome[]> {
    const failAll = (error: ModelError) => messages.map(() => ({ ok: false, error }) as const);
    const { breaker } = this.settings;
    if (!breaker.tryAcquire()) return failAll(new ModelError('breaker_open', 'circuit breaker open: the model is failing'));
    const started = performance.now();
    let attempts = 0;
    let response: GenerateContentResponse;
    try {
      response = await this.callWithRetry(batchPrompt(messages), messages.length, () => (attempts += 1));
    } catch (error) {
      const failure = toModelError(error);
      // Only failures that say the service is unavailable count towards opening the breaker.
      if (countsAgainstService(failure.reason)) breaker.recordFailure();
      else breaker.release();
      return failAll(failure);
    }
    breaker.recordSuccess();
    const latencyMs = Math.round(performance.now() - started);

    const candidate = response.candidates?.[0];
    const blockReason = response.promptFeedback?.blockReason;
    if (blockReason || (candidate?.finishReason && BLOCKED_FINISH_REASONS.has(candidate.finishReason))) {
      return failAll(new ModelError('blocked', `the model refused: ${blockReason ?? candidate?.finishReason}`));
    }
    const text = candidate?.content?.parts
      ?.map((part) => part.text ?? '')
      .join('')
      .trim();
    if (!text) return failAll(new ModelError('empty_response', `no text in the answer (finishReason ${candidate?.finishReason})`));
    const parsed = parseModelAnswer(text, messages.length);
    if (!parsed.ok) return failAll(new ModelError(parsed.reason, parsed.detail));
    const tokens = response.usageMetadata?.totalTokenCount;
    return parsed.items.map((item) =>
      item.ok
        ? {
            ok: true,
            result: {
              answer: item.answer,
              droppedTechniques: item.droppedTechniques,
              latencyMs,
              attempts,
              batchSize: messages.length,
              ...(tokens !== undefined && { tokens }),
            },
          }
        : { ok: false, error: new ModelError(item.reason, item.detail) },
    );
  }

  private async callWithRetry(prompt: string, events: number, onAttempt: () => void): Promise<GenerateContentResponse> {
    const { settings } = this;
    for (let attempt = 0; ; attempt++) {
      onAttempt();
      try {
        return await this.client.models.generateContent({
          model: settings.model,
          contents: [{ role: 'user', parts: [{ text: prompt }] }],
          config: {
            systemInstruction: SYSTEM_INSTRUCTION,
            responseMimeType: 'application/json',
            responseJsonSchema: MODEL_ANSWER_JSON_SCHEMA,
            maxOutputTokens: Math.min(8_192, settings.maxOutputTokens * events),
            // Classification needs little reasoning: minimal thinking keeps latency and cost down.
            // No temperature: Gemini 3 models are meant to run at their default, and Flash-Lite
            // ignores any other. No thinking budget: Gemini 3 refuses one next to a level.
            ...(settings.thinkingLevel && { thinkingConfig: { thinkingLevel: settings.thinkingLevel } }),
            // A fresh deadline per attempt (also sent as X-Server-Timeout by the SDK).
            abortSignal: AbortSignal.timeout(settings.timeoutMs),
          },
        });
      } catch (error) {
        const failure = toModelError(error);
        const delay = this.retryDelay(failure, error, attempt);
        if (delay === undefined) throw failure;
        await this.sleep(delay);
      }
    }
  }

  /** Milliseconds to wait before retrying, or undefined when the failure is final. */
  private retryDelay(failure: ModelError, error: unknown, attempt: number): number | undefined {
    const { settings } = this;
    if (attempt >= settings.maxRetries) return undefined;
    if (failure.reason !== 'rate_limited' && failure.reason !== 'server_error') return undefined;
    const backoff = settings.retryBaseDelayMs * 2 ** attempt * (0.5 + this.random() / 2);
    const asked = failure.reason === 'rate_limited' ? retryDelayFromError(error) : undefined;
    if (asked !== undefined && asked > settings.retryMaxDelayMs) return undefined;
    return Math.min(settings.retryMaxDelayMs, Math.max(backoff, asked ?? 0));
  }
}

function countsAgainstService(reason: ModelFailureReason): boolean {
  return reason === 'timeout' || reason === 'rate_limited' || reason === 'server_error' || reason === 'network';
}

/** Classifies whatever the SDK threw. */
export function toModelError(error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  if (error instanceof ApiError) {
    const brief = errorMessage(error.message);
    if (error.status === 429) return new ModelError('rate_limited', `429 from the model: ${brief}`, 429);
    if (error.status === 408 || error.status === 504) return new ModelError('timeout', `${error.status} from the model: ${brief}`, error.status);
    if (error.status >= 500) return new ModelError('server_error', `${error.status} from the model: ${brief}`, error.status);
    return new ModelError('client_error', `${error.status} from the model: ${brief}`, error.status);
  }
  if (isAbort(error)) return new ModelError('timeout', 'the model did not answer in time');
  const message = error instanceof Error ? error.message : String(error);
  return new ModelError('network', `could not reach the model: ${message}`);
}

function isAbort(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error && (cause.name === 'AbortError' || cause.name === 'TimeoutError');
}

/** The `message` of a Google API error body, which ApiError carries as JSON text. */
function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string; status?: string } };
    const message = [body.error?.status, body.error?.message].filter(Boolean).join(': ');
    return (message || text).slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}

/** google.rpc.RetryInfo's retryDelay ("30s", "1.5s") in a 429 body, in milliseconds. */
export function retryDelayFromError(error: unknown): number | undefined {
  if (!(error instanceof ApiError)) return undefined;
  try {
    const body = JSON.parse(error.message) as { error?: { details?: { retryDelay?: string }[] } };
    for (const detail of body.error?.details ?? []) {
      const match = /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay ?? '');
      if (match) return Math.round(Number(match[1]) * 1000);
    }
  } catch {
    // not JSON: no hint
  }
  return undefined;
}

/** Stands in when no model is configured: never called by the analysis path, reports health. */
export const NOT_CONFIGURED_MODEL: ThreatModel = {
  name: 'none',
  analyse: () => Promise.reject(new ModelError('not_configured', 'no model is configured')),
  health: () => 'not_configured',
};
