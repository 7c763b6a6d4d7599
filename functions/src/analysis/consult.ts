import type { AnswerCache, CacheLookup, CachedAnswer, CacheSource } from './cache';
import type { CallBudget } from './budget';
import { ModelError, type ModelFailureReason, type ThreatModel } from './gemini-client';
import { decide, type ModelPolicy, type PolicyDecision } from './policy';
import { buildMessage, type ModelContext } from './prompt';
import type { RedactionOptions } from './redact';
import { answerKey, type AnswerKey } from './signature';

// The model path without Firestore: policy → cache → budget → model. It never throws for a
// model problem; every way it can end is an outcome the caller records.
//
// Most threats never reach the model: the policy leaves them to the rules, or the answer for
// their signature is in memory, or another threat of the same attack is asking the model right
// now. Those paths are synchronous and hand out an outcome shared by every threat in the same
// situation (one per cached entry, one per call under way): during a flood thousands of threats
// wait at once, and anything each of them allocated or kept alive would be work for the garbage
// collector. Outcomes are therefore frozen, and carry nothing about the threat that asked — how
// long a threat waited is for its caller to measure.

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

export type NotSelectedReason = 'not_eligible' | 'sampled_out' | 'not_configured';

export type ConsultOutcome = Readonly<
  /** The model was not asked and the threat needs no record of it. */
  | { status: 'not_selected'; reason: NotSelectedReason }
  /** The model's answer, fresh from a call (`analysed`) or from the cache (`cached`). */
  | { status: 'analysed' | 'cached'; entry: CachedAnswer; source: CacheSource; signature: string }
  /** Selected, but the per-minute budget was spent. */
  | { status: 'skipped'; reason: 'budget_exhausted'; model: string; signature: string }
  | { status: 'failed'; reason: ModelFailureReason; detail: string; model: string; signature: string }
>;

export interface ConsultInput extends ModelContext {
  eventId: string;
}

/** Thrown inside the cache's compute when the budget is spent, so every joined caller skips too. */
class BudgetExhausted extends Error {
  constructor(readonly signature: string) {
    super('the per-minute model budget is spent');
  }
}

const NOT_SELECTED: Readonly<Record<NotSelectedReason, Promise<ConsultOutcome>>> = {
  not_eligible: Promise.resolve(Object.freeze({ status: 'not_selected', reason: 'not_eligible' })),
  sampled_out: Promise.resolve(Object.freeze({ status: 'not_selected', reason: 'sampled_out' })),
  not_configured: Promise.resolve(Object.freeze({ status: 'not_selected', reason: 'not_configured' })),
};

/** The outcome of each in-memory cache entry, made on its first hit (the cache keeps the entry). */
const rememberedOutcomes = new WeakMap<CacheLookup, Promise<ConsultOutcome>>();
/** The outcome for the threats that join a call under way, one per call. */
const joinedOutcomes = new WeakMap<Promise<CacheLookup>, Promise<ConsultOutcome>>();

export function policyDecision(input: ConsultInput, policy: ModelPolicy): PolicyDecision {
  return decide({ eventId: input.eventId, analysis: input.rules, risk: input.risk }, policy);
}

/**
 * Asks the model about one threat, if the policy, the cache and the budget say so. Not an async
 * function on purpose: only the first threat of a signature goes through one (see above).
 */
export function consultModel(input: ConsultInput, deps: ConsultDeps): Promise<ConsultOutcome> {
  try {
    if (!deps.configured) return NOT_SELECTED.not_configured;
    const decision = policyDecision(input, deps.policy);
    if (!decision.send) return NOT_SELECTED[decision.reason];

    const model = deps.model.name;
    const key = answerKey(input.event, model);
    const remembered = deps.cache.peek(key);
    if (remembered) {
      let outcome = rememberedOutcomes.get(remembered);
      if (!outcome) rememberedOutcomes.set(remembered, (outcome = Promise.resolve(outcomeOf(remembered, model))));
      return outcome;
    }
    const running = deps.cache.pending(key);
    if (running) {
      let outcome = joinedOutcomes.get(running);
      if (!outcome) {
        outcome = running.then(
          (lookup) => outcomeOf({ ...lookup, source: 'joined' }, model),
          (error: unknown) => skippedOrThrow(error, model),
        );
        joinedOutcomes.set(running, outcome);
      }
      return outcome;
    }
    return askModel(input, key, deps);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The first threat of a signature this instance has no answer for: the shared cache, then the model. */
async function askModel(input: ConsultInput, key: AnswerKey, deps: ConsultDeps): Promise<ConsultOutcome> {
  const now = deps.now ?? Date.now;
  const model = deps.model.name;
  try {
    const lookup = await deps.cache.getOrCompute(key, async () => {
      // Only a real call spends budget: cache hits are free.
      if (!deps.budget.tryTake()) throw new BudgetExhausted(key.id);
      try {
        const result = await deps.model.analyse(buildMessage(input, deps.redaction));
        return {
          ok: true,
          entry: {
            key: key.id,
            answer: result.answer,
            droppedTechniques: result.droppedTechniques,
            model,
            answeredAt: now(),
          },
        };
      } catch (error) {
        const failure = error instanceof ModelError ? error : new ModelError('network', String(error));
        return {
          ok: false,
          failure: { key: key.id, reason: failure.reason, detail: failure.message },
          // The same event shape would get the same unusable answer: remember it briefly.
          remember: isDeterministic(failure.reason),
        };
      }
    });
    return outcomeOf(lookup, model);
  } catch (error) {
    return skippedOrThrow(error, model);
  }
}

function outcomeOf(lookup: CacheLookup, model: string): ConsultOutcome {
  if (!lookup.ok) {
    const { failure } = lookup;
    const detail = lookup.source === 'computed' ? failure.detail : `${failure.detail} (remembered)`;
    return Object.freeze({ status: 'failed', reason: failure.reason, detail, model, signature: failure.key });
  }
  return Object.freeze({
    status: lookup.source === 'computed' ? 'analysed' : 'cached',
    entry: lookup.entry,
    source: lookup.source,
    signature: lookup.entry.key,
  });
}

function skippedOrThrow(error: unknown, model: string): ConsultOutcome {
  if (!(error instanceof BudgetExhausted)) throw error;
  return Object.freeze({ status: 'skipped', reason: 'budget_exhausted', model, signature: error.signature });
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
