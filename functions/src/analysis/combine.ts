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
export const MODEL_FACTOR = 'model_assessment';

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
  const agrees = answer.category === rules.category || answer.category === eventType;
  const modelWins = !agrees && answer.confidence > rules.confidence;
  const confidence = agrees
    ? // Two independent sources agreeing: more sure than either alone.
      1 - (1 - rules.confidence) * (1 - answer.confidence)
    : // Disagreeing: the surer one's confidence, discounted by the other's.
      Math.max(rules.confidence, answer.confidence) * (1 - Math.min(rules.confidence, answer.confidence) / 2);
  return {
    engine: 'gemini',
    summary: truncate(answer.summary.trim(), MAX_SUMMARY),
    category: modelWins ? answer.category : rules.category,
    confidence: round(Math.min(0.99, confidence), 2),
    mitre: mergeTechniques(rules.mitre, answer.mitreTechniques),
    evidence: rules.evidence,
    evidenceStrength: rules.evidenceStrength,
    recommendedActions: mergeActions(answer.recommendedActions, rules.recommendedActions),
  };
}

/**
 * The rules' risk with a `model_assessment` factor added: the distance from the rules' score to
 * the model's severity anchor, weighted by the model's confidence and by the rules' doubt
 * (×(1 − rules confidence / 2)), within −15..+40, and never leaving 0..100.
 */
export function combineRisk(rulesRisk: Risk, rules: Analysis, opinion: ModelOpinion): Risk {
  const { answer } = opinion;
  const anchor = SEVERITY_ANCHORS[answer.severity];
  const weight = answer.confidence * (1 - rules.confidence / 2);
  const wanted = Math.round((anchor - rulesRisk.score) * weight);
  const bounded = Math.max(-MODEL_MAX_LOWER, Math.min(MODEL_MAX_RAISE, wanted));
  const score = Math.max(0, Math.min(100, rulesRisk.score + bounded));
  const contribution = score - rulesRisk.score;
  const factor: RiskFactor = {
    name: MODEL_FACTOR,
    contribution,
    detail:
      `${opinion.model}${opinion.cached ? ' (cached answer for this event signature)' : ''} rates it ` +
      `${answer.severity} as ${answer.category} with confidence ${answer.confidence.toFixed(2)}; ` +
      `the rules scored ${rulesRisk.score} with confidence ${rules.confidence.toFixed(2)}: ` +
      `${signed(contribution)}${contribution !== wanted ? ` (${signed(wanted)} bounded)` : ''}`,
  };
  const factors: RiskFactor[] = [];
  for (const existing of rulesRisk.factors) if (existing.name !== MODEL_FACTOR) factors.push(existing);
  factors.push(factor);
  return { score, severity: severityForScore(score), factors };
}

function signed(points: number): string {
  return points >= 0 ? `+${points}` : String(points);
}

// Both lists are a handful of entries: linear scans beat building maps for every threat.

function mergeTechniques(rules: readonly MitreTechnique[], modelIds: readonly string[]): MitreTechnique[] {
  const merged = rules.slice();
  for (const id of modelIds) {
    if (merged.some((technique) => technique.id === id)) continue;
    const technique = techniqueById(id);
    if (technique) merged.push(technique);
  }
  return merged;
}

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
