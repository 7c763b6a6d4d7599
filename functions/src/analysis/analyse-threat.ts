import { Timestamp, type Firestore, type UpdateData } from 'firebase-admin/firestore';
import type { Severity } from '../domain/event';
import { threatRef } from '../firestore/refs';
import type { ModelRecord, ThreatDoc } from '../firestore/schema';
import * as log from '../logs';
import { alertingSeverity, opensAlert } from '../domain/alerting';
import { openOrJoinAlert, type AlertDeps, type AlertOutcome } from '../alerts/store';
import { stageSeverityChange } from '../metrics/counters';
import { escalatedToAlerting } from './escalation';
import { combineAnalysis, combineRisk } from './combine';
import { consultModel, type ConsultDeps, type ConsultInput, type ConsultOutcome } from './consult';

// threats/{id} created → the model's opinion, off the ingest path. The threat already exists with
// the rules analysis; this adds the model's analysis and re-scores, or records why it could not.
// A new severity has two consequences, and this writer sees to both, so that no trigger has to
// watch every threat update for them: the threat's count moves between severities (in the same
// transaction as the new score), and a threat raised into HIGH or CRITICAL opens or joins its
// alert (right after; a redelivery that finds the score written finishes that).

export interface ThreatAnalysisDeps {
  db: Firestore;
  consult: ConsultDeps;
  now: () => Date;
  /** For the alert of a threat raised into HIGH or CRITICAL, and (its metrics) the count's move. */
  alerts: AlertDeps;
}

export type ThreatAnalysisOutcome =
  | { outcome: 'missing' }
  /** An earlier delivery of this trigger already recorded the model's part. */
  | { outcome: 'already_done'; status: ModelRecord['status'] }
  | { outcome: 'not_selected'; reason: 'not_eligible' | 'sampled_out' | 'not_configured' }
  | { outcome: 'recorded'; status: ModelRecord['status']; severity: Severity; previousSeverity: Severity };

/**
 * Adds the model's opinion to one threat, from the threat as the trigger delivered it (as ingest
 * created it: the analysis needs no read of its own, which on a firehose is one read per event).
 * Safe to run again for the same threat: the write is made in a transaction that re-reads the
 * threat and leaves one that already has a `model` record alone, and a redelivery or a concurrent
 * delivery asks the model nothing new while its signature's answer is cached (joined in one
 * instance, leased and stored across instances). Model failures never throw: the rules analysis
 * stands and the threat says why. Firestore errors throw, for the trigger's retry.
 */
export async function analyseThreat(threatId: string, threat: ThreatDoc, deps: ThreatAnalysisDeps): Promise<ThreatAnalysisOutcome> {
  const rules = threat.rulesAnalysis ?? threat.analysis;
  const input: ConsultInput = {
    eventId: threat.event_id,
    event: threat,
    source: threat.geo,
    ...(threat.destinationGeo && { destination: threat.destinationGeo }),
    rules,
    risk: threat.risk,
    recentActivity: threat.recentActivity,
  };
  const started = performance.now();
  const outcome = await consultModel(input, deps.consult);
  if (outcome.status === 'not_selected') return { outcome: 'not_selected', reason: outcome.reason };
  const latencyMs = Math.round(performance.now() - started);

  const update = threatUpdate(threat, outcome, Timestamp.fromDate(deps.now()), latencyMs);
  const severity = update.risk?.severity ?? threat.risk.severity;
  const ref = threatRef(deps.db, threatId);
  // The threat as it stood if this delivery lost the race to another, else whether it was written.
  const write = await deps.db.runTransaction(async (tx): Promise<'written' | 'missing' | ThreatDoc> => {
    const current = (await tx.get(ref)).data();
    if (!current) return 'missing';
    if (current.model) return current;
    // update() writes the fields as given (no converter); the shapes come from ThreatDoc's types.
    tx.update(ref, update as unknown as UpdateData<ThreatDoc>);
    stageSeverityChange(tx, { id: threatId, createdAt: current.createdAt.toDate(), from: current.risk.severity, to: severity }, deps.alerts.metrics);
    return 'written';
  });
  if (write === 'missing') return { outcome: 'missing' };
  if (write !== 'written') return alreadyDone(threatId, write, deps);

  log.modelOutcome(threatId, {
    status: outcome.status,
    ...('reason' in outcome && { reason: outcome.reason }),
    latencyMs,
    signature: outcome.signature,
    score: update.risk?.score ?? threat.risk.score,
    threatSeverity: severity,
  });
  if (escalatedToAlerting(threat.risk.severity, severity)) {
    log.threatEscalated(threatId, threat.risk.severity, severity);
    await alertOn(threatId, threat, deps);
  }
  return { outcome: 'recorded', status: outcome.status, severity, previousSeverity: threat.risk.severity };
}

/**
 * A threat whose model record is already written (a redelivery, or a concurrent delivery that
 * won): nothing to add, but if that delivery stopped between the new score and the alert it
 * called for, the alert is opened here (openOrJoinAlert does nothing for a linked threat).
 */
async function alreadyDone(threatId: string, threat: ThreatDoc, deps: ThreatAnalysisDeps): Promise<ThreatAnalysisOutcome> {
  if (opensAlert(alertingSeverity(threat.risk)) && !threat.alertId) await alertOn(threatId, threat, deps);
  return { outcome: 'already_done', status: threat.model!.status };
}

/** Opens or joins the alert of the attack the threat belongs to (its source and type). */
function alertOn(threatId: string, threat: ThreatDoc, deps: ThreatAnalysisDeps): Promise<AlertOutcome> {
  return openOrJoinAlert({ id: threatId, source_ip: threat.source_ip, event_type: threat.event_type }, deps.alerts);
}

export interface ThreatModelUpdate {
  model: ModelRecord;
  analysis?: ThreatDoc['analysis'];
  rulesAnalysis?: ThreatDoc['rulesAnalysis'];
  risk?: ThreatDoc['risk'];
}

/**
 * The fields to write for an outcome: a model record, and with an answer the combined analysis
 * and risk. `latencyMs` is how long this threat waited for the model (a cached answer: next to
 * nothing; a call joined halfway: the rest of that call).
 */
export function threatUpdate(
  threat: Pick<ThreatDoc, 'analysis' | 'rulesAnalysis' | 'risk' | 'event_type'>,
  outcome: Exclude<ConsultOutcome, { status: 'not_selected' }>,
  at: Timestamp,
  latencyMs: number,
): ThreatModelUpdate {
  const rules = threat.rulesAnalysis ?? threat.analysis;
  if ('entry' in outcome) {
    const { entry } = outcome;
    const opinion = { answer: entry.answer, model: entry.model, cached: outcome.status === 'cached' };
    return {
      analysis: combineAnalysis(rules, threat.event_type, opinion),
      rulesAnalysis: rules,
      risk: combineRisk(threat.risk, rules, opinion),
      model: {
        status: outcome.status,
        name: entry.model,
        latencyMs,
        signature: outcome.signature,
        ...(entry.droppedTechniques.length > 0 && { droppedTechniques: entry.droppedTechniques }),
        at,
      },
    };
  }
  return {
    model: {
      status: outcome.status,
      reason: outcome.reason,
      ...('detail' in outcome && { detail: outcome.detail.slice(0, 500) }),
      name: outcome.model,
      latencyMs,
      signature: outcome.signature,
      at,
    },
  };
}
