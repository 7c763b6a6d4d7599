import { randomUUID } from 'node:crypto';
import { Timestamp, type Transaction } from 'firebase-admin/firestore';
import { isAlreadyExists } from '../firestore/errors';
import { stalledPlaybookRunsQuery } from '../firestore/queries';
import { alertRef, auditLogCollection, COLLECTIONS, playbookRunRef } from '../firestore/refs';
import type { AlertDoc, AuditActor, AuditLogDoc, PlaybookRunDoc, PlaybookRunStep } from '../firestore/schema';
import * as log from '../logs';
import { ACTION_HANDLERS, ActionError, type ActionContext, type ActionOutcome, type AuditNote, type RunInfo } from './actions';
import { PlaybookStepSchema, type Playbook } from './definition';
import type { PlaybookDeps } from './deps';
import {
  autoRunId,
  finalRunStatus,
  isRunDone,
  isStepDone,
  manualRunId,
  MAX_STEP_ATTEMPTS,
  nextStepIndex,
  playbooksToStart,
  type AlertFacts,
} from './plan';

// Runs playbooks: one playbookRuns/{id} document per run, advanced step by step in transactions.
//
// At-least-once delivery: an automatic run's id is hash(alert, playbook) and it is created with
// create(), so a redelivered or concurrent trigger finds the existing run instead of starting
// another. Whoever drives a run holds a lease (owner, expiry) renewed at every step; another
// delivery leaves a run with a live lease alone (and the trigger throws, to be retried later), and
// takes over one whose lease ran out: its invocation died. It resumes at the first unfinished
// step; a step found RUNNING was interrupted and is run again (every action is idempotent), at
// most MAX_STEP_ATTEMPTS times. resumeStalledRuns (scheduled) picks up runs nobody redelivers.
// A failing step is recorded as FAILED with its error and the run goes on (or stops, per the
// step's onFailure); the alert is never touched except by an escalate step.

/** Lease beyond a step's own timeout: time for the Firestore writes around it. */
export const LEASE_MARGIN_MS = 30_000;
/** A run nobody has claimed this long after its creation is stalled (see resumeStalledRuns). */
export const CLAIM_GRACE_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Run records are plain JSON; an over-long output is cut so a run stays far below 1 MiB. */
const MAX_OUTPUT_CHARS = 16_000;

export class PlaybookNotFoundError extends Error {
  override readonly name = 'PlaybookNotFoundError';
  constructor(readonly playbookId: string) {
    super(`playbook ${playbookId} does not exist`);
  }
}

export class AlertNotFoundError extends Error {
  override readonly name = 'AlertNotFoundError';
  constructor(readonly alertId: string) {
    super(`alert ${alertId} does not exist`);
  }
}

/** Another invocation holds a live lease on these runs: the trigger throws it to be retried later. */
export class RunBusyError extends Error {
  override readonly name = 'RunBusyError';
  constructor(readonly runIds: string[]) {
    super(`playbook run(s) ${runIds.join(', ')} are being executed by another invocation`);
  }
}

class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(
    readonly runId: string,
    readonly run: PlaybookRunDoc,
  ) {
    super(`lost the lease on run ${runId} to ${run.leaseOwner ?? 'nobody'}`);
  }
}

export interface RunResult {
  runId: string;
  run: PlaybookRunDoc;
  /**
   * finished: this call completed the run; already_finished: it was done before; busy: another
   * invocation holds its lease; lease_lost: another invocation took it over midway.
   */
  outcome: 'finished' | 'already_finished' | 'busy' | 'lease_lost';
}

function ts(millis: number): Timestamp {
  return Timestamp.fromMillis(millis);
}

/** Plain JSON for the run record: no undefined, no class instances, bounded size. */
function toPlain(value: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(value) ?? '{}';
  if (text.length > MAX_OUTPUT_CHARS) return { truncated: true, preview: text.slice(0, 2_000) };
  return JSON.parse(text) as Record<string, unknown>;
}

function alertFacts(alert: AlertDoc): AlertFacts {
  return { severity: alert.severity, eventType: alert.eventType, occurrences: alert.occurrences, status: alert.status };
}

function newRun(
  playbook: Playbook,
  alertId: string,
  trigger: 'auto' | 'manual',
  actor: AuditActor,
  dryRun: boolean,
  now: Date,
  retentionDays: number,
): PlaybookRunDoc {
  const at = now.getTime();
  return {
    playbookId: playbook.id,
    playbookVersion: playbook.version,
    playbookName: playbook.name,
    alertId,
    trigger,
    actor,
    dryRun,
    status: 'PENDING',
    steps: playbook.steps.map((step, index) => ({
      index,
      name: step.name ?? step.action,
      action: step.action,
      params: toPlain(step.params),
      timeoutMs: step.timeoutMs,
      onFailure: step.onFailure,
      status: 'PENDING',
      attempts: 0,
      output: null,
      error: null,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
    })),
    leaseOwner: null,
    leaseExpiresAt: ts(at + CLAIM_GRACE_MS),
    createdAt: ts(at),
    startedAt: null,
    finishedAt: null,
    updatedAt: ts(at),
    durationMs: null,
    expireAt: ts(at + retentionDays * DAY_MS),
  };
}

function auditDoc(
  action: string,
  actor: AuditActor,
  target: { collection: string; id: string },
  changes: Record<string, unknown>,
  note: string | null,
  at: Date,
): AuditLogDoc {
  return { action, actor, target, changes: toPlain(changes), note, at: Timestamp.fromDate(at) };
}

/** Creates the run and its audit entry together; false when the run already exists. */
async function createRun(deps: PlaybookDeps, runId: string, run: PlaybookRunDoc): Promise<boolean> {
  const { db } = deps;
  const action = run.dryRun ? 'playbook.dry_run' : run.trigger === 'auto' ? 'playbook.auto_run' : 'playbook.execute';
  const batch = db.batch();
  batch.create(playbookRunRef(db, runId), run);
  batch.set(
    auditLogCollection(db).doc(`${runId}-run`),
    auditDoc(
      action,
      run.actor,
      { collection: COLLECTIONS.playbookRuns, id: runId },
      { playbookId: run.playbookId, playbookVersion: run.playbookVersion, alertId: run.alertId, dryRun: run.dryRun },
      null,
      run.createdAt.toDate(),
    ),
  );
  try {
    await batch.commit();
    log.playbookRunCreated(runId, run.playbookId, run.alertId, run.trigger, run.dryRun);
    return true;
  } catch (error) {
    if (isAlreadyExists(error)) return false;
    throw error;
  }
}

/**
 * Reads the run in a transaction, checks that `owner` still holds its lease, and lets `change`
 * return the run's next state (written back) and a result.
 */
async function updateLeased<T>(
  deps: PlaybookDeps,
  runId: string,
  owner: string,
  change: (run: PlaybookRunDoc, now: Date, tx: Transaction) => { run: PlaybookRunDoc; result: T },
): Promise<T> {
  const ref = playbookRunRef(deps.db, runId);
  return deps.db.runTransaction(async (tx) => {
    const run = (await tx.get(ref)).data();
    if (!run) throw new Error(`run ${runId} disappeared`);
    if (run.leaseOwner !== owner) throw new LeaseLostError(runId, run);
    const now = deps.now();
    const next = change(run, now, tx);
    tx.set(ref, { ...next.run, updatedAt: Timestamp.fromDate(now) });
    return next.result;
  });
}

function stepAudit(
  deps: PlaybookDeps,
  tx: Transaction,
  runId: string,
  run: PlaybookRunDoc,
  step: PlaybookRunStep,
  note: AuditNote | undefined,
  now: Date,
): void {
  if (run.dryRun) return;
  const entry = note
    ? auditDoc(`playbook.${step.action}`, run.actor, note.target, { ...note.changes, action: note.action }, null, now)
    : auditDoc(
        `playbook.${step.action}`,
        run.actor,
        { collection: COLLECTIONS.alerts, id: run.alertId },
        { status: step.status, error: step.error },
        step.error?.message ?? null,
        now,
      );
  entry.changes = { ...entry.changes, runId, step: step.index, playbookId: run.playbookId, status: step.status };
  // One entry per executed step, whatever the number of re-runs: a deterministic id.
  tx.set(auditLogCollection(deps.db).doc(`${runId}-step-${step.index}`), entry);
}

/** Marks the steps after `index` SKIPPED when the failed step's policy is "stop". */
function applyFailurePolicy(steps: PlaybookRunStep[], index: number, now: Date): void {
  const failed = steps[index]!;
  if (failed.status !== 'FAILED' || failed.onFailure !== 'stop') return;
  for (let next = index + 1; next < steps.length; next++) {
    const step = steps[next]!;
    if (isStepDone(step.status)) continue;
    steps[next] = {
      ...step,
      status: 'SKIPPED',
      error: { code: 'skipped', message: `step ${index + 1} (${failed.name}) failed and its onFailure is "stop"` },
      finishedAt: Timestamp.fromDate(now),
    };
  }
}

type StepResult =
  | { ok: true; output: Record<string, unknown>; audit?: AuditNote; durationMs: number }
  | { ok: false; code: string; message: string; details: Record<string, unknown>; durationMs: number };

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
): Promise<StepResult> {
  const started = Date.now();
  const stored = run.steps[index]!;
  const fail = (code: string, message: string, details: Record<string, unknown> = {}): StepResult => ({
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
    return {
      ok: true,
      output: toPlain(outcome.output),
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

type BeginResult = { kind: 'no_more_steps' } | { kind: 'gave_up' } | { kind: 'step'; index: number; run: PlaybookRunDoc };

async function driveRun(deps: PlaybookDeps, runId: string, owner: string): Promise<RunResult> {
  const ref = playbookRunRef(deps.db, runId);
  const claim = await deps.db.runTransaction(async (tx) => {
    const run = (await tx.get(ref)).data();
    if (!run) throw new Error(`run ${runId} does not exist`);
    if (isRunDone(run.status)) return { kind: 'done' as const, run };
    const now = deps.now().getTime();
    const leaseLive = run.leaseOwner !== null && run.leaseExpiresAt !== null && run.leaseExpiresAt.toMillis() > now;
    if (leaseLive && run.leaseOwner !== owner) return { kind: 'busy' as const, run };
    const next = run.steps[nextStepIndex(run.steps) ?? 0];
    const claimed: PlaybookRunDoc = {
      ...run,
      status: 'RUNNING',
      leaseOwner: owner,
      leaseExpiresAt: ts(now + (next?.timeoutMs ?? 0) + LEASE_MARGIN_MS),
      startedAt: run.startedAt ?? ts(now),
      updatedAt: ts(now),
    };
    tx.set(ref, claimed);
    return { kind: 'claimed' as const, run: claimed, resumed: run.leaseOwner !== null };
  });
  if (claim.kind === 'done') return { runId, run: claim.run, outcome: 'already_finished' };
  if (claim.kind === 'busy') {
    log.playbookRunBusy(runId, claim.run.leaseOwner ?? '');
    return { runId, run: claim.run, outcome: 'busy' };
  }
  if (claim.resumed) log.playbookRunResumed(runId, claim.run.playbookId, claim.run.alertId);

  let destinationLoaded: Promise<string | undefined> | undefined;
  const destination = () => {
    destinationLoaded ??= (async () => {
      const alert = (await alertRef(deps.db, claim.run.alertId).get()).data();
      return alert ? latestDestination(deps, alert) : undefined;
    })();
    return destinationLoaded;
  };

  try {
    for (;;) {
      const begun = await updateLeased<BeginResult>(deps, runId, owner, (run, now, tx) => {
        const index = nextStepIndex(run.steps);
        if (index === undefined) return { run, result: { kind: 'no_more_steps' } };
        const steps = [...run.steps];
        const step = steps[index]!;
        if (step.status === 'RUNNING' && step.attempts >= MAX_STEP_ATTEMPTS) {
          steps[index] = {
            ...step,
            status: 'FAILED',
            error: {
              code: 'interrupted',
              message: `the step was interrupted ${step.attempts} times (instance crash or timeout) and is not run again`,
            },
            finishedAt: Timestamp.fromDate(now),
          };
          applyFailurePolicy(steps, index, now);
          stepAudit(deps, tx, runId, run, steps[index]!, undefined, now);
          return { run: { ...run, steps }, result: { kind: 'gave_up' } };
        }
        steps[index] = {
          ...step,
          status: 'RUNNING',
          attempts: step.attempts + 1,
          output: null,
          error: null,
          startedAt: step.startedAt ?? Timestamp.fromDate(now),
          finishedAt: null,
        };
        const running = { ...run, steps, leaseExpiresAt: ts(now.getTime() + step.timeoutMs + LEASE_MARGIN_MS) };
        return { run: running, result: { kind: 'step', index, run: running } };
      });
      if (begun.kind === 'no_more_steps') break;
      if (begun.kind === 'gave_up') continue;

      const result = await executeStep(deps, runId, begun.run, begun.index, destination);
      await updateLeased(deps, runId, owner, (run, now, tx) => {
        const steps = [...run.steps];
        const step = steps[begun.index]!;
        steps[begun.index] = result.ok
          ? { ...step, status: 'SUCCEEDED', output: result.output, error: null, finishedAt: Timestamp.fromDate(now), durationMs: result.durationMs }
          : {
              ...step,
              status: 'FAILED',
              output: Object.keys(result.details).length > 0 ? toPlain(result.details) : null,
              error: { code: result.code, message: result.message },
              finishedAt: Timestamp.fromDate(now),
              durationMs: result.durationMs,
            };
        applyFailurePolicy(steps, begun.index, now);
        stepAudit(deps, tx, runId, run, steps[begun.index]!, result.ok ? result.audit : undefined, now);
        const following = steps[nextStepIndex(steps) ?? -1];
        return {
          run: { ...run, steps, leaseExpiresAt: ts(now.getTime() + (following?.timeoutMs ?? 0) + LEASE_MARGIN_MS) },
          result: undefined,
        };
      });
      const action = begun.run.steps[begun.index]!.action;
      if (result.ok) log.playbookStepSucceeded(runId, begun.index, action, result.durationMs);
      else log.playbookStepFailed(runId, begun.index, action, result.code, result.message);
    }

    const finished = await updateLeased(deps, runId, owner, (run, now) => {
      const done: PlaybookRunDoc = {
        ...run,
        status: finalRunStatus(run.steps),
        leaseOwner: null,
        leaseExpiresAt: null,
        finishedAt: Timestamp.fromDate(now),
        durationMs: now.getTime() - (run.startedAt ?? run.createdAt).toMillis(),
      };
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
  const now = deps.now();
  const playbooks = await deps.catalog.list(deps.db, now);
  const toStart = playbooksToStart(playbooks, before && alertFacts(before), alertFacts(after));
  if (toStart.length === 0) return [];
  const owner = leaseOwner(deps);
  const results = await Promise.all(
    toStart.map(async (playbook) => {
      const runId = autoRunId(alertId, playbook.id);
      const actor: AuditActor = { type: 'playbook', id: playbook.id };
      await createRun(deps, runId, newRun(playbook, alertId, 'auto', actor, false, now, deps.settings.runRetentionDays));
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
  await createRun(
    deps,
    runId,
    newRun(playbook, request.alertId, 'manual', request.actor, request.dryRun, now, deps.settings.runRetentionDays),
  );
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
