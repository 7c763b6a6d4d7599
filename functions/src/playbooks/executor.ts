import { randomUUID } from 'node:crypto';
import { approvalReasons, PlaybookStepSchema, type ApprovalCondition } from '../domain/playbook';
import { plainJson } from '../firestore/audit';
import { expiredApprovalsQuery, stalledPlaybookRunsQuery } from '../firestore/queries';
import { alertRef, COLLECTIONS } from '../firestore/refs';
import type { AlertDoc, AuditActor, PlaybookRunDoc, PlaybookRunStep } from '../firestore/schema';
import * as log from '../logs';
import { ACTION_HANDLERS, ActionError, type ActionContext, type ActionOutcome, type RunInfo } from './actions';
import type { PlaybookDeps } from './deps';
import { AlertNotFoundError, LeaseLostError, PlaybookNotFoundError, RunBusyError } from './errors';
import { autoRunId, manualRunId, playbooksToStart, type AlertFacts } from './plan';
import { approvalIdFor, ApprovalRefused, beginStep, finishRun, finishStep, startRun, type Decision, type StepResult } from './run';
import { claim, clockOf, createRun, decide, pauseForApproval, stageStepAudit, updateLeased, type AuditNote } from './run-store';

export { AlertNotFoundError, ApprovalNotFoundError, PlaybookNotFoundError, RunBusyError } from './errors';
export { CLAIM_GRACE_MS, LEASE_MARGIN_MS } from './run';

// Runs playbooks: one playbookRuns/{id} document per run, advanced step by step through its
// owner (run-store.ts over the machine in run.ts).
//
// At-least-once delivery: an automatic run's id is hash(alert, playbook) and it is created with
// create(), so a redelivered or concurrent trigger finds the existing run instead of starting
// another. Whoever drives a run holds a lease (owner, expiry) renewed at every step; another
// delivery leaves a run with a live lease alone (and the trigger throws, to be retried later), and
// takes over one whose lease ran out: its invocation died. It resumes at the first unfinished
// step; a step found RUNNING was interrupted and is run again (every action is idempotent), at
// most MAX_STEP_ATTEMPTS times. resumeStalledRuns (scheduled) picks up runs nobody redelivers,
// and expires approvals nobody decided. A step that needs a person's approval pauses the run
// (AWAITING_APPROVAL, no lease); the decision makes it PENDING again and drives it on.

export interface RunResult {
  runId: string;
  run: PlaybookRunDoc;
  /**
   * finished: this call completed the run; already_finished: it was done before; busy: another
   * invocation holds its lease; lease_lost: another invocation took it over midway;
   * awaiting_approval: it waits for a responder at a step.
   */
  outcome: 'finished' | 'already_finished' | 'busy' | 'lease_lost' | 'awaiting_approval';
}

function alertFacts(alert: AlertDoc): AlertFacts {
  return { severity: alert.severity, eventType: alert.eventType, occurrences: alert.occurrences, status: alert.status };
}

type ExecutionResult = StepResult & { audit?: AuditNote };

/** gRPC codes of Firestore errors worth a redelivery rather than a failed step. */
const TRANSIENT_CODES = new Set([4, 8, 10, 13, 14]);
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && TRANSIENT_CODES.has(code);
}

/** Resolves or rejects with the action, or rejects when the step's budget runs out first. */
function withinBudget<T>(work: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ActionError('timeout', `the step exceeded its ${timeoutMs} ms budget`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** What a run's steps read about its alert's latest threat, loaded once per drive. */
async function latestDestination(deps: PlaybookDeps, alert: AlertDoc): Promise<string | undefined> {
  const threatId = alert.threatIds.at(-1);
  if (threatId === undefined) return undefined;
  // Read without the converter: only one field is needed, whatever else the document holds.
  const value = (await deps.db.collection(COLLECTIONS.threats).doc(threatId).get()).get('destination_ip');
  return typeof value === 'string' ? value : undefined;
}

async function executeStep(
  deps: PlaybookDeps,
  runId: string,
  run: PlaybookRunDoc,
  index: number,
  destination: () => Promise<string | undefined>,
  wouldWait: (step: PlaybookRunStep) => string[],
): Promise<ExecutionResult> {
  const started = Date.now();
  const stored = run.steps[index]!;
  const fail = (code: string, message: string, details: Record<string, unknown> = {}): ExecutionResult => ({
    ok: false,
    code,
    message,
    details,
    durationMs: Date.now() - started,
  });
  const parsed = PlaybookStepSchema.safeParse({
    action: stored.action,
    params: stored.params,
    timeoutMs: stored.timeoutMs,
    onFailure: stored.onFailure,
  });
  if (!parsed.success) {
    return fail('invalid_step', parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  const step = parsed.data;
  const signal = AbortSignal.timeout(step.timeoutMs);
  try {
    const alert = (await alertRef(deps.db, run.alertId).get()).data();
    if (!alert) return fail('not_found', `alert ${run.alertId} does not exist`);
    const destinationIp = await destination();
    const info: RunInfo = {
      id: runId,
      playbookId: run.playbookId,
      playbookVersion: run.playbookVersion,
      playbookName: run.playbookName,
      trigger: run.trigger,
      actor: run.actor,
      dryRun: run.dryRun,
    };
    const context: ActionContext = {
      deps,
      run: info,
      stepIndex: index,
      alertId: run.alertId,
      alert,
      ...(destinationIp !== undefined && { destinationIp }),
      signal,
    };
    // The step was parsed by its own action's schema, so its params fit its handler.
    const handler = ACTION_HANDLERS[step.action] as (ctx: ActionContext, params: unknown) => Promise<ActionOutcome>;
    const outcome = await withinBudget(handler(context, step.params), signal, step.timeoutMs);
    // A dry run says which steps would wait for a person in a real run.
    const waits = run.dryRun ? wouldWait(stored) : [];
    return {
      ok: true,
      output: plainJson(waits.length > 0 ? { ...outcome.output, wouldWaitForApproval: waits } : outcome.output),
      ...(outcome.audit && { audit: outcome.audit }),
      durationMs: Date.now() - started,
    };
  } catch (error) {
    if (error instanceof ActionError) return fail(error.code, error.message, error.details);
    // Firestore unavailable or overloaded: let the delivery be retried; the step is run again.
    if (isTransient(error)) throw error;
    return fail('failed', (error as Error).message ?? String(error));
  }
}

/** Why a step waits for a person: an auto run watches the alert's conditions; any run honours requiresApproval. */
function approvalGate(run: PlaybookRunDoc, conditions: readonly ApprovalCondition[]) {
  return (step: PlaybookRunStep): string[] =>
    approvalReasons(step, run.trigger === 'auto' ? conditions : []);
}

async function driveRun(deps: PlaybookDeps, runId: string, owner: string): Promise<RunResult> {
  const claimed = await claim(deps, runId, owner);
  if (claimed.kind === 'done') return { runId, run: claimed.run, outcome: 'already_finished' };
  if (claimed.kind === 'awaiting_approval') return { runId, run: claimed.run, outcome: 'awaiting_approval' };
  if (claimed.kind === 'busy') {
    log.playbookRunBusy(runId, claimed.run.leaseOwner ?? '');
    return { runId, run: claimed.run, outcome: 'busy' };
  }
  if (claimed.resumed) log.playbookRunResumed(runId, claimed.run.playbookId, claimed.run.alertId);

  // The alert as the run starts: its conditions decide which steps wait, its latest threat's
  // destination is what "destination" targets mean.
  const alert = (await alertRef(deps.db, claimed.run.alertId).get()).data();
  const conditions = alert?.approvalConditions ?? [];
  const gate = approvalGate(claimed.run, conditions);
  // A dry run shows what would wait in an automatic run on this alert.
  const wouldWait = (step: PlaybookRunStep) => approvalReasons(step, conditions);
  let destinationLoaded: Promise<string | undefined> | undefined;
  const destination = () => (destinationLoaded ??= alert ? latestDestination(deps, alert) : Promise.resolve(undefined));

  try {
    for (;;) {
      const begun = await updateLeased(deps, runId, owner, (run, clock, tx) => {
        const next = beginStep(run, clock, gate);
        if (next.kind === 'gave_up') stageStepAudit(deps, tx, runId, next.run, next.run.steps[next.index]!, undefined, clock.now);
        return { run: next.run, result: next };
      });
      if (begun.kind === 'no_more_steps') break;
      if (begun.kind === 'gave_up') continue;
      if (begun.kind === 'needs_approval') return await requestApproval(deps, runId, owner, begun, alert, destination);

      const result = await executeStep(deps, runId, begun.run, begun.index, destination, wouldWait);
      await updateLeased(deps, runId, owner, (run, clock, tx) => {
        const next = finishStep(run, begun.index, result, clock);
        stageStepAudit(deps, tx, runId, next, next.steps[begun.index]!, result.ok ? result.audit : undefined, clock.now);
        return { run: next, result: undefined };
      });
      const action = begun.run.steps[begun.index]!.action;
      if (result.ok) log.playbookStepSucceeded(runId, begun.index, action, result.durationMs);
      else log.playbookStepFailed(runId, begun.index, action, result.code, result.message);
    }

    const finished = await updateLeased(deps, runId, owner, (run, clock) => {
      const done = finishRun(run, clock);
      return { run: done, result: done };
    });
    log.playbookRunFinished(runId, finished.playbookId, finished.alertId, finished.status, finished.durationMs ?? 0);
    return { runId, run: finished, outcome: 'finished' };
  } catch (error) {
    if (error instanceof LeaseLostError) {
      log.playbookLeaseLost(runId, error.run.leaseOwner ?? '');
      return { runId, run: error.run, outcome: 'lease_lost' };
    }
    throw error;
  }
}

/** Works out what the step would do (a dry run of it), then pauses the run for a person. */
async function requestApproval(
  deps: PlaybookDeps,
  runId: string,
  owner: string,
  begun: { run: PlaybookRunDoc; index: number; reasons: string[] },
  alert: AlertDoc | undefined,
  destination: () => Promise<string | undefined>,
): Promise<RunResult> {
  const preview = await executeStep(deps, runId, { ...begun.run, dryRun: true }, begun.index, destination, () => []);
  const approvalId = approvalIdFor(runId, begun.index);
  const paused = await pauseForApproval(
    deps,
    owner,
    {
      runId,
      index: begun.index,
      alertTitle: alert?.title ?? begun.run.alertId,
      reasons: begun.reasons,
      preview: preview.ok ? preview.output : { error: { code: preview.code, message: preview.message }, ...preview.details },
      expiresInMs: deps.settings.approvalTimeoutMinutes * 60_000,
    },
    approvalId,
  );
  log.approvalRequested(approvalId, runId, paused.approval.action, begun.reasons);
  return { runId, run: paused.run, outcome: 'awaiting_approval' };
}

export interface DecideRequest {
  approvalId: string;
  decision: Exclude<Decision, 'expire'>;
  actor: AuditActor;
  note?: string;
}

/**
 * A responder's decision on a pending approval; the run then goes on (the approved step runs, a
 * rejected one is skipped) and the answer carries the approval and the run as they stand after.
 * Throws ApprovalNotFoundError, or ApprovalRefused (decided already).
 */
export async function decideApprovalAndResume(
  request: DecideRequest,
  deps: PlaybookDeps,
): Promise<{ approval: Awaited<ReturnType<typeof decide>>['approval']; decided: Decision; run: RunResult | undefined }> {
  const decided = await decide(deps, request.approvalId, request.decision, request.actor, request.note ?? null);
  const run = decided.run ? await driveRun(deps, decided.approval.runId, leaseOwner(deps)) : undefined;
  return { approval: decided.approval, decided: decided.decided, run };
}

function leaseOwner(deps: PlaybookDeps): string {
  return deps.newLeaseOwner?.() ?? randomUUID();
}

/**
 * Starts (or resumes) every auto playbook an alert change calls for: `before` undefined when the
 * alert was just created. Throws RunBusyError when another invocation is running one of them, so
 * the trigger is retried and finds it finished (or its lease run out, and resumes it).
 */
export async function runAutoPlaybooks(
  alertId: string,
  before: AlertDoc | undefined,
  after: AlertDoc,
  deps: PlaybookDeps,
): Promise<RunResult[]> {
  const playbooks = await deps.catalog.list(deps.db, deps.now());
  const toStart = playbooksToStart(playbooks, before && alertFacts(before), alertFacts(after));
  if (toStart.length === 0) return [];
  const owner = leaseOwner(deps);
  const results = await Promise.all(
    toStart.map(async (playbook) => {
      const runId = autoRunId(alertId, playbook.id);
      const actor: AuditActor = { type: 'playbook', id: playbook.id };
      const run = startRun({ playbook, alertId, trigger: 'auto', actor, dryRun: false, retentionDays: deps.settings.runRetentionDays }, clockOf(deps));
      await createRun(deps, runId, run);
      return driveRun(deps, runId, owner);
    }),
  );
  const busy = results.filter((result) => result.outcome === 'busy').map((result) => result.runId);
  if (busy.length > 0) throw new RunBusyError(busy);
  return results;
}

export interface ExecutePlaybookRequest {
  playbookId: string;
  alertId: string;
  /** The responder (type "user") who asked for the run. */
  actor: AuditActor;
  /** Record what each step would do, with no side effect. */
  dryRun: boolean;
  /** An idempotency key (e.g. the HTTP Idempotency-Key): the same key from the same actor returns the same run. */
  requestKey?: string;
}

/**
 * Runs a playbook on an alert now, for a person, whether or not the playbook is `auto` or its
 * trigger matches; waits for the run to finish and returns its record. Throws
 * PlaybookNotFoundError or AlertNotFoundError (the API's 404). With a requestKey whose run is still
 * being executed by another request, returns it with outcome "busy".
 */
export async function executePlaybook(request: ExecutePlaybookRequest, deps: PlaybookDeps): Promise<RunResult> {
  const now = deps.now();
  const playbook = await deps.catalog.get(deps.db, request.playbookId, now);
  if (!playbook) throw new PlaybookNotFoundError(request.playbookId);
  if (!(await alertRef(deps.db, request.alertId).get()).exists) throw new AlertNotFoundError(request.alertId);
  const runId = manualRunId(
    request.requestKey !== undefined ? JSON.stringify([request.actor.type, request.actor.id, request.requestKey]) : randomUUID(),
  );
  const run = startRun(
    { playbook, alertId: request.alertId, trigger: 'manual', actor: request.actor, dryRun: request.dryRun, retentionDays: deps.settings.runRetentionDays },
    clockOf(deps),
  );
  await createRun(deps, runId, run);
  return driveRun(deps, runId, leaseOwner(deps));
}

/**
 * Finishes runs whose invocation died and that no redelivery took over (lease expired, still
 * PENDING or RUNNING). Scheduled every few minutes; tests call it directly.
 */
export async function resumeStalledRuns(deps: PlaybookDeps, limit = 20): Promise<RunResult[]> {
  const stalled = await stalledPlaybookRunsQuery(deps.db, deps.now(), limit).get();
  const results: RunResult[] = [];
  for (const doc of stalled.docs) results.push(await driveRun(deps, doc.id, leaseOwner(deps)));
  if (results.length > 0) log.stalledRunsResumed(results.map((result) => result.runId));
  return results;
}

/**
 * Approvals nobody decided in time expire: the step is recorded as not done, and the run goes on.
 * A run whose drive fails here is left PENDING with its lease run out: resumeStalledRuns, which
 * the same schedule calls next, takes it.
 */
export async function expireApprovals(deps: PlaybookDeps, limit = 20): Promise<string[]> {
  const expired = await expiredApprovalsQuery(deps.db, deps.now(), limit).get();
  const system: AuditActor = { type: 'system', id: 'playbooks-resumeStalled' };
  const ids: string[] = [];
  for (const doc of expired.docs) {
    let result;
    try {
      result = await decide(deps, doc.id, 'expire', system, null);
    } catch (error) {
      // Decided by a person between the query and the transaction: nothing to expire.
      if (error instanceof ApprovalRefused) continue;
      throw error;
    }
    ids.push(doc.id);
    try {
      if (result.run) await driveRun(deps, result.approval.runId, leaseOwner(deps));
    } catch (error) {
      log.expiredRunNotDriven(result.approval.runId, (error as Error).message);
    }
  }
  return ids;
}
