import { ThinkingLevel } from '@google/genai';
import type { Firestore } from 'firebase-admin/firestore';
import { projectID } from 'firebase-functions/params';
import {
  DEFAULT_GEMINI_MODEL,
  GEMINI_THINKING_LEVELS,
  geminiApiKey,
  geminiBaseUrl,
  geminiBreakerCoolDownSeconds,
  geminiBreakerFailures,
  geminiBatchSize,
  geminiBatchWindowMs,
  geminiCacheTtlMinutes,
  geminiEventsPerMinute,
  geminiMinConfidencePercent,
  geminiMinSeverity,
  geminiModel,
  geminiRedactKeys,
  geminiSamplePercent,
  geminiThinkingLevel,
  geminiTimeoutMs,
  geminiUseVertex,
  geminiVertexLocation,
} from '../config';
import { SeveritySchema } from '../domain/event';
import * as log from '../logs';
import { CircuitBreaker } from './breaker';
import { BatchingModel } from './batcher';
import { MinuteBudget, perInstanceBudget } from './budget';
import { AnswerCache } from './cache';
import type { ConsultDeps } from './consult';
import { FirestoreAnswerStore } from './firestore-cache';
import { readGeminiHealth, recordBreakerChange } from './health';
import { GeminiModel, NOT_CONFIGURED_MODEL, type GeminiBackend, type ModelHealth, type ThreatModel } from './gemini-client';
import type { ModelPolicy } from './policy';
import { parseRedactKeys } from './redact';

// The model path's long-lived pieces, built once per instance from the params (params resolve at
// run time, so never at import): the client, its breaker, the cache and the budget.

/** Limits of the analysis function; the budget is shared out between its instances. */
export const ANALYSIS_MAX_INSTANCES = 5;
export const ANALYSIS_CONCURRENCY = 80;
export const ANALYSIS_TIMEOUT_SECONDS = 60;

/** Key values that mean "no key": deployments that must bind the secret but do not use Gemini. */
const NO_KEY_VALUES = new Set(['', 'none', 'disabled']);

/** Plain settings (no Firebase): what the params say, validated. */
export interface GeminiRuntimeSettings {
  backend: GeminiBackend | undefined;
  model: string;
  /** Undefined: the request names none, and the model uses its own default. */
  thinkingLevel: ThinkingLevel | undefined;
  baseUrl?: string;
  timeoutMs: number;
  eventsPerMinute: number;
  batchSize: number;
  batchWindowMs: number;
  policy: ModelPolicy;
  cacheTtlMs: number;
  redactKeys: string[];
  breakerFailures: number;
  breakerCoolDownMs: number;
}

export interface RawGeminiParams {
  apiKey: string;
  useVertex: boolean;
  project: string;
  vertexLocation: string;
  model: string;
  thinkingLevel: string;
  baseUrl: string;
  timeoutMs: number;
  eventsPerMinute: number;
  batchSize: number;
  batchWindowMs: number;
  minConfidencePercent: number;
  minSeverity: string;
  samplePercent: number;
  cacheTtlMinutes: number;
  redactKeys: string;
  breakerFailures: number;
  breakerCoolDownSeconds: number;
}

/** Turns param values into settings; a missing key means "not configured", not an error. */
export function geminiSettingsFrom(raw: RawGeminiParams): GeminiRuntimeSettings {
  const apiKey = raw.apiKey.trim();
  const backend: GeminiBackend | undefined = raw.useVertex
    ? { kind: 'vertex', project: raw.project, location: raw.vertexLocation.trim() || 'global' }
    : NO_KEY_VALUES.has(apiKey.toLowerCase())
      ? undefined
      : { kind: 'developer', apiKey };
  const severity = SeveritySchema.safeParse(raw.minSeverity.trim().toUpperCase());
  const thinkingLevel = raw.thinkingLevel.trim().toUpperCase();
  const namedLevel = GEMINI_THINKING_LEVELS.find((level) => level === thinkingLevel);
  return {
    backend,
    model: raw.model.trim() || DEFAULT_GEMINI_MODEL,
    thinkingLevel: thinkingLevel === 'MODEL_DEFAULT' ? undefined : ThinkingLevel[namedLevel ?? 'MINIMAL'],
    ...(raw.baseUrl.trim() && { baseUrl: raw.baseUrl.trim() }),
    timeoutMs: clamp(raw.timeoutMs, 500, 50_000),
    eventsPerMinute: Math.max(0, raw.eventsPerMinute),
    batchSize: clamp(raw.batchSize, 1, 32),
    batchWindowMs: clamp(raw.batchWindowMs, 0, 1_000),
    policy: {
      confidenceBelow: clamp(raw.minConfidencePercent, 0, 100) / 100,
      minSeverity: severity.success ? severity.data : 'MEDIUM',
      sampleRate: clamp(raw.samplePercent, 0, 100) / 100,
    },
    cacheTtlMs: clamp(raw.cacheTtlMinutes, 1, 7 * 24 * 60) * 60_000,
    redactKeys: parseRedactKeys(raw.redactKeys),
    breakerFailures: clamp(raw.breakerFailures, 1, 1_000),
    breakerCoolDownMs: clamp(raw.breakerCoolDownSeconds, 1, 3_600) * 1_000,
  };
}

export interface ModelRuntime {
  settings: GeminiRuntimeSettings;
  model: ThreatModel;
  consult: ConsultDeps;
}

/** Builds the model path from settings; `db` enables the shared Firestore cache layer. */
export function createModelRuntime(settings: GeminiRuntimeSettings, db?: Firestore): ModelRuntime {
  const breaker = new CircuitBreaker({
    failureThreshold: settings.breakerFailures,
    coolDownMs: settings.breakerCoolDownMs,
    // Tell other functions (the API's health) when this instance stops or resumes calling Gemini.
    onChange: (state, until) => {
      log.modelBreaker(state, until);
      if (db) recordBreakerChange(db, state, until).catch((error: unknown) => log.modelCacheError('health', error));
    },
  });
  const model: ThreatModel = settings.backend
    ? new BatchingModel(new GeminiModel({
        backend: settings.backend,
        model: settings.model,
        ...(settings.thinkingLevel && { thinkingLevel: settings.thinkingLevel }),
        ...(settings.baseUrl && { baseUrl: settings.baseUrl }),
        timeoutMs: settings.timeoutMs,
        maxRetries: 1,
        retryBaseDelayMs: 500,
        retryMaxDelayMs: 5_000,
        maxOutputTokens: 1024,
        breaker,
      }), { maxBatch: settings.batchSize, windowMs: settings.batchWindowMs })
    : NOT_CONFIGURED_MODEL;
  // A lease outlasts the slowest call: two attempts at the timeout and the longest backoff.
  const leaseMs = 2 * settings.timeoutMs + 5_000 + 1_000;
  const cache = new AnswerCache({
    ttlMs: settings.cacheTtlMs,
    failureTtlMs: 60_000,
    maxEntries: 5_000,
    leaseMs,
    pollMs: 250,
    ...(db && { shared: new FirestoreAnswerStore(db) }),
    onSharedError: (operation, error) => log.modelCacheError(operation, error),
  });
  return {
    settings,
    model,
    consult: {
      model,
      configured: settings.backend !== undefined,
      cache,
      budget: new MinuteBudget(perInstanceBudget(settings.eventsPerMinute, ANALYSIS_MAX_INSTANCES)),
      policy: settings.policy,
      redaction: { extraKeys: settings.redactKeys },
    },
  };
}

let runtime: ModelRuntime | undefined;

/** The model path of this instance, built from the params on first use. */
export function modelRuntime(db: Firestore): ModelRuntime {
  if (!runtime) {
    const settings = geminiSettingsFrom({
      // Read only when Vertex is off: a function without the secret bound would log a warning.
      apiKey: geminiUseVertex.value() ? '' : (process.env[geminiApiKey.name] === undefined ? '' : geminiApiKey.value()),
      useVertex: geminiUseVertex.value(),
      project: projectID.value(),
      vertexLocation: geminiVertexLocation.value(),
      model: geminiModel.value(),
      thinkingLevel: geminiThinkingLevel.value(),
      baseUrl: geminiBaseUrl.value(),
      timeoutMs: geminiTimeoutMs.value(),
      eventsPerMinute: geminiEventsPerMinute.value(),
      batchSize: geminiBatchSize.value(),
      batchWindowMs: geminiBatchWindowMs.value(),
      minConfidencePercent: geminiMinConfidencePercent.value(),
      minSeverity: geminiMinSeverity.value(),
      samplePercent: geminiSamplePercent.value(),
      cacheTtlMinutes: geminiCacheTtlMinutes.value(),
      redactKeys: geminiRedactKeys.value(),
      breakerFailures: geminiBreakerFailures.value(),
      breakerCoolDownSeconds: geminiBreakerCoolDownSeconds.value(),
    });
    runtime = createModelRuntime(settings, db);
    log.modelConfigured(describeSettings(settings));
  }
  return runtime;
}

/** Whether this function can call Gemini: Vertex AI, or the GEMINI_API_KEY secret bound to it. */
export function geminiConfigured(): boolean {
  const key = process.env[geminiApiKey.name]?.trim().toLowerCase() ?? '';
  return geminiUseVertex.value() || !NO_KEY_VALUES.has(key);
}

/**
 * Gemini's state as this instance sees it: not_configured (no key and no Vertex), degraded (the
 * circuit breaker is open: calls are failing and are not being made), or configured.
 */
export function geminiHealth(): ModelHealth {
  if (runtime) return runtime.model.health();
  return geminiConfigured() ? 'configured' : 'not_configured';
}

/**
 * Gemini's state for another function (the API's /health): its breaker state comes from the
 * analysis instances through serviceHealth/gemini. The calling function must bind the
 * GEMINI_API_KEY secret (`secrets: [geminiApiKey]`) to see a key; Vertex AI needs none.
 */
export function sharedGeminiHealth(db: Firestore): Promise<ModelHealth> {
  return readGeminiHealth(db, geminiConfigured());
}

/** Settings as they may be logged: never the key. */
export function describeSettings(settings: GeminiRuntimeSettings): Record<string, unknown> {
  return {
    backend: settings.backend?.kind ?? 'none',
    model: settings.model,
    thinkingLevel: settings.thinkingLevel ?? 'model default',
    customEndpoint: settings.baseUrl !== undefined,
    timeoutMs: settings.timeoutMs,
    eventsPerMinute: settings.eventsPerMinute,
    batch: { size: settings.batchSize, windowMs: settings.batchWindowMs },
    policy: settings.policy,
    cacheTtlMinutes: settings.cacheTtlMs / 60_000,
    extraRedactedKeys: settings.redactKeys.length,
    breaker: { failures: settings.breakerFailures, coolDownSeconds: settings.breakerCoolDownMs / 1_000 },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}
