import { MODEL_FACTOR } from '../domain/alerting';
import type { EventType, Severity } from '../domain/event';
import { techniqueById } from '../domain/mitre';
import { severityForScore, SEVERITY_THRESHOLDS } from '../domain/scoring';
import type { Analysis, MitreTechnique, Risk, RiskFactor } from '../domain/threat';
import type { ModelAnswer } from './answer';

// How the model's opinion joins the rules engine's. The rules' score (scoreRisk's factors) stays
// as it is; one more factor, `model_assessment`, moves it towards the severity the model
// believes, weighted by how sure the model is and by how little the rules know, and bounded.
// The factors still sum to the score, and that factor says exactly what the model added.

/** A score in the middle of each severity's band (scoring.ts: CRITICAL 85-100, HIGH 65-84, ...). */
export const SEVERITY_ANCHORS: Readonly<Record<Severity, number>> = anchors();

/**
 * Most points the model may add or take away. Asymmetric on purpose: the payload the model reads
 * is attacker-controlled, so talking it into "benign" must not hide an attack (at most −15),
 * while talking it into "critical" at worst puts an alert in front of a person.
 */
export const MODEL_MAX_RAISE = 40;
export const MODEL_MAX_LOWER = 15;
export { MODEL_FACTOR } from '../domain/alerting';

const MAX_SUMMARY = 600;
const MAX_ACTIONS = 6;

export interface ModelOpinion {
  answer: ModelAnswer;
  /** The model's name, for the factor's detail. */
  model: string;
  /** True when the answer was reused from the cache (an earlier event of the same signature). */
  cached: boolean;
}

/**
 * The analysis the threat shows when the model contributed: the model's summary and (where it is
 * surer than the rules) category, both engines' ATT&CK techniques and actions, the rules'
 * evidence. Engine "gemini".
 */
export function combineAnalysis(rules: Analysis, eventType: EventType, opinion: ModelOpinion): Analysis {
  const { answer } = opinion;
  const prepared = prepare(answer);
  const agrees = answer.category === rules.category || answer.category === eventType;
  const modelWins = !agrees && answer.confidence > rules.confidence;
  const confidence = agrees
    ? // Two independent sources agreeing: more sure than either alone.
      1 - (1 - rules.confidence) * (1 - answer.confidence)
    : // Disagreeing: the surer one's confidence, discounted by the other's.
      Math.max(rules.confidence, answer.confidence) * (1 - Math.min(rules.confidence, answer.confidence) / 2);
  return {
    engine: 'gemini',
    summary: prepared.summary,
    category: modelWins ? answer.category : rules.category,
    confidence: round(Math.min(0.99, confidence), 2),
    mitre: prepared.techniquesWith(rules.mitre),
    evidence: rules.evidence,
    evidenceStrength: rules.evidenceStrength,
    recommendedActions: prepared.actionsWith(rules.recommendedActions),
  };
}

/**
 * The rules' risk with a `model_assessment` factor added: the distance from the rules' score to
 * the model's severity anchor, weighted by the model's confidence and by the rules' doubt
 * (×(1 − rules confidence / 2)), within −15..+40, and never leaving 0..100.
 */
export function combineRisk(rulesRisk: Risk, rules: Analysis, opinion: ModelOpinion): Risk {
  const factor = prepare(opinion.answer).factorFor(rulesRisk.score, rules.confidence, opinion);
  const factors: RiskFactor[] = [];
  for (const existing of rulesRisk.factors) if (existing.name !== MODEL_FACTOR) factors.push(existing);
  factors.push(factor);
  const score = rulesRisk.score + factor.contribution;
  return { score, severity: severityForScore(score), factors };
}

function modelFactor(rulesScore: number, rulesConfidence: number, opinion: ModelOpinion): RiskFactor {
  const { answer } = opinion;
  const anchor = SEVERITY_ANCHORS[answer.severity];
  const weight = answer.confidence * (1 - rulesConfidence / 2);
  const wanted = Math.round((anchor - rulesScore) * weight);
  const bounded = Math.max(-MODEL_MAX_LOWER, Math.min(MODEL_MAX_RAISE, wanted));
  const score = Math.max(0, Math.min(100, rulesScore + bounded));
  const contribution = score - rulesScore;
  return {
    name: MODEL_FACTOR,
    contribution,
    detail:
      `${opinion.model}${opinion.cached ? ' (cached answer for this event signature)' : ''} rates it ` +
      `${answer.severity} as ${answer.category} with confidence ${answer.confidence.toFixed(2)}; ` +
      `the rules scored ${rulesScore} with confidence ${rulesConfidence.toFixed(2)}: ` +
      `${signed(contribution)}${contribution !== wanted ? ` (${signed(wanted)} bounded)` : ''}`,
  };
}

function signed(points: number): string {
  return points >= 0 ? `+${points}` : String(points);
}

// A flood of one attack shares one cached answer: thousands of threats combine with the same
// opinion, and with rules output that differs in its counters, rarely in its techniques, actions,
// score or confidence. What depends only on the answer is worked out once per answer; what also
// depends on the rules is kept for the last rules seen (techniques, actions) or per score and
// confidence (the model factor), and handed out frozen: the same arrays and factor objects go
// into many threat updates, so none of them may be changed in place.

const MAX_FACTORS_PER_ANSWER = 512;

class PreparedAnswer {
  readonly summary: string;
  /** The answer's techniques that are in our table, once each. */
  private readonly techniques: readonly MitreTechnique[];
  /** The answer's actions, trimmed, without blanks and repeats. */
  private readonly actions: readonly string[];
  private lastTechniques?: { rules: readonly MitreTechnique[]; merged: MitreTechnique[] };
  private lastActions?: { rules: readonly string[]; merged: string[] };
  /** Factors for the answer served from the cache and fresh (their details differ). */
  private readonly factors = { cached: new FactorsByModel(), fresh: new FactorsByModel() };
  private factorCount = 0;

  constructor(answer: ModelAnswer) {
    this.summary = truncate(answer.summary.trim(), MAX_SUMMARY);
    const techniques: MitreTechnique[] = [];
    for (const id of answer.mitreTechniques) {
      const technique = techniqueById(id);
      if (technique && !techniques.some((known) => known.id === technique.id)) techniques.push(technique);
    }
    this.techniques = techniques;
    this.actions = mergeActions(answer.recommendedActions, []);
  }

  /** The rules' techniques, then the model's others. */
  techniquesWith(rules: readonly MitreTechnique[]): MitreTechnique[] {
    const last = this.lastTechniques;
    if (last && sameList(last.rules, rules, sameTechnique)) return last.merged;
    const merged = rules.slice();
    for (const technique of this.techniques) if (!merged.some((known) => known.id === technique.id)) merged.push(technique);
    this.lastTechniques = { rules: rules.slice(), merged: Object.freeze(merged) as MitreTechnique[] };
    return this.lastTechniques.merged;
  }

  /** The model's actions, then the rules' others, at most MAX_ACTIONS. */
  actionsWith(rules: readonly string[]): string[] {
    const last = this.lastActions;
    if (last && sameList(last.rules, rules, (a, b) => a === b)) return last.merged;
    const merged = mergeActions(this.actions, rules);
    this.lastActions = { rules: rules.slice(), merged: Object.freeze(merged) as string[] };
    return this.lastActions.merged;
  }

  factorFor(rulesScore: number, rulesConfidence: number, opinion: ModelOpinion): RiskFactor {
    const byModel = opinion.cached ? this.factors.cached : this.factors.fresh;
    let byConfidence = byModel.get(opinion.model);
    if (!byConfidence) byModel.set(opinion.model, (byConfidence = new Map()));
    let byScore = byConfidence.get(rulesConfidence);
    if (!byScore) byConfidence.set(rulesConfidence, (byScore = new Map()));
    let factor = byScore.get(rulesScore);
    if (!factor) {
      factor = Object.freeze(modelFactor(rulesScore, rulesConfidence, opinion));
      // Counters can make every threat's score differ: beyond a bound, stop keeping them.
      if (this.factorCount < MAX_FACTORS_PER_ANSWER) {
        byScore.set(rulesScore, factor);
        this.factorCount++;
      }
    }
    return factor;
  }
}

/** Factors by model name, then by the rules' confidence, then by their score. */
class FactorsByModel extends Map<string, Map<number, Map<number, RiskFactor>>> {}

const preparedAnswers = new WeakMap<ModelAnswer, PreparedAnswer>();

function prepare(answer: ModelAnswer): PreparedAnswer {
  let prepared = preparedAnswers.get(answer);
  if (!prepared) preparedAnswers.set(answer, (prepared = new PreparedAnswer(answer)));
  return prepared;
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (!same(a[index]!, b[index]!)) return false;
  return true;
}

function sameTechnique(a: MitreTechnique, b: MitreTechnique): boolean {
  return a === b || (a.id === b.id && a.name === b.name && a.tactic === b.tactic);
}

// Both lists are a handful of entries: linear scans beat building maps.
function mergeActions(model: readonly string[], rules: readonly string[]): string[] {
  const merged: string[] = [];
  for (const list of [model, rules]) {
    for (const action of list) {
      const text = action.trim();
      if (text === '' || merged.includes(text)) continue;
      merged.push(text);
      if (merged.length === MAX_ACTIONS) return merged;
    }
  }
  return merged;
}

function anchors(): Record<Severity, number> {
  const result = {} as Record<Severity, number>;
  let upper = 100;
  for (const { severity, minScore } of SEVERITY_THRESHOLDS) {
    result[severity] = Math.round((minScore + upper) / 2);
    upper = minScore - 1;
  }
  return result;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
