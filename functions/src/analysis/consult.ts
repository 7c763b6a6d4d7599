import type { AnswerCache, CacheLookup, CachedAnswer, CacheSource } from './cache';
import type { CallBudget } from './budget';
import { ModelError, type ModelFailureReason, type ThreatModel } from './gemini-client';
import { decide, type ModelPolicy, type PolicyDecision } from './policy';
import { buildMessage, type ModelContext } from './prompt';
import type { RedactionOptions } from './redact';
import { answerKey, type AnswerKey } from './signature';

// The model path without Firestore: policy → cache → budget → model. It never throws for a
// model problem; every way it can end is an outcome the caller records.

export interface ConsultDeps {
  model: ThreatModel;
  /** False when no model is configured: nothing is asked and nothing is recorded. */
  configured: boolean;
  cache: AnswerCache;
  budget: CallBudget;
  policy: ModelPolicy;
  redaction: RedactionOptions;
  now?: () => number;
}

export type ConsultOutcome =
  /** The model was not asked and the threat needs no record of it. */
  | { status: 'not_selected'; reason: 'not_eligible' | 'sampled_out' | 'not_configured' }
  /** The model's answer, fresh from a call (`analysed`) or from the cache (`cached`). */
  | {
      status: 'analysed' | 'cached';
      entry: CachedAnswer;
      source: CacheSource;
      latencyMs: number;
      signature: string;
    }
  /** Selected, but the per-minute budget was spent. */
  | { status: 'skipped'; reason: 'budget_exhausted'; model: string; latencyMs: number; signature: string }
  | { status: 'failed'; reason: ModelFailureReason; detail: string; model: string; latencyMs: number; signature: string };

export interface ConsultInput extends ModelContext {
  eventId: string;
}

class BudgetExhausted extends Error {}

export function policyDecision(input: ConsultInput, policy: ModelPolicy): PolicyDecision {
  return decide({ eventId: input.eventId, analysis: input.rules, risk: input.risk }, policy);
}

/** Asks the model about one threat, if the policy, the cache and the budget say so. */
export async function consultModel(input: ConsultInput, deps: ConsultDeps): Promise<ConsultOutcome> {
  if (!deps.configured) return { status: 'not_selected', reason: 'not_configured' };
  const decision = policyDecision(input, deps.policy);
  if (!decision.send) return { status: 'not_selected', reason: decision.reason };

  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const key = answerKey(input.event, deps.model.name);
  // The common case during a flood, without a promise in between.
  const remembered = deps.cache.peek(key);
  if (remembered) return outcomeOf(remembered, key, deps, elapsed());

  const now = deps.now ?? Date.now;
  try {
    const lookup = await deps.cache.getOrCompute(key, async () => {
      // Only a real call spends budget: cache hits are free.
      if (!deps.budget.tryTake()) throw new BudgetExhausted();
      try {
        const result = await deps.model.analyse(buildMessage(input, deps.redaction));
        return {
          ok: true,
          entry: {
            key: key.id,
            answer: result.answer,
            droppedTechniques: result.droppedTechniques,
            model: deps.model.name,
            answeredAt: now(),
          },
        };
      } catch (error) {
        const failure = error instanceof ModelError ? error : new ModelError('network', String(error));
        return {
          ok: false,
          failure: { reason: failure.reason, detail: failure.message },
          // The same event shape would get the same unusable answer: remember it briefly.
          remember: isDeterministic(failure.reason),
        };
      }
    });
    return outcomeOf(lookup, key, deps, elapsed());
  } catch (error) {
    if (error instanceof BudgetExhausted) {
      return { status: 'skipped', reason: 'budget_exhausted', model: deps.model.name, latencyMs: elapsed(), signature: key.id };
    }
    throw error;
  }
}

function outcomeOf(lookup: CacheLookup, key: AnswerKey, deps: ConsultDeps, latencyMs: number): ConsultOutcome {
  if (!lookup.ok) {
    const detail = lookup.source === 'computed' ? lookup.failure.detail : `${lookup.failure.detail} (remembered)`;
    return { status: 'failed', reason: lookup.failure.reason, detail, model: deps.model.name, latencyMs, signature: key.id };
  }
  return {
    status: lookup.source === 'computed' ? 'analysed' : 'cached',
    entry: lookup.entry,
    source: lookup.source,
    latencyMs,
    signature: lookup.entry.key,
  };
}

function isDeterministic(reason: ModelFailureReason): boolean {
  return (
    reason === 'malformed_json' ||
    reason === 'schema_violation' ||
    reason === 'blocked' ||
    reason === 'empty_response' ||
    reason === 'client_error'
  );
}
