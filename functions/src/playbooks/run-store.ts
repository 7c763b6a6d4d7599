import { Timestamp, type Transaction } from 'firebase-admin/firestore';
import { auditEntry } from '../firestore/audit';
import { isAlreadyExists } from '../firestore/errors';
import { approvalRef, auditLogCollection, COLLECTIONS, playbookRunRef } from '../firestore/refs';
import type { ApprovalDoc, AuditActor, PlaybookRunDoc, PlaybookRunStep } from '../firestore/schema';
import * as log from '../logs';
import type { AuditNote } from './actions';
import type { PlaybookDeps } from './deps';
import { ApprovalNotFoundError, LeaseLostError } from './errors';
import {
  applyDecision,
  awaitApproval,
  claimRun,
  decideApproval,
  newApproval,
  type ApprovalRequest,
  type Claim,
  type Clock,
  type Decision,
} from './run';

// playbookRuns/{id} and approvals/{id}: the one module that writes them. Every change is a
// transaction that reads the document, asks run.ts for the next state, and writes it with its
// audit entry; steps are written only by the lease's owner.

export type { AuditNote } from './actions';

export function clockOf(deps: Pick<PlaybookDeps, 'now'>): Clock {
  return { now: deps.now(), ts: (millis) => Timestamp.fromMillis(millis) };
}

/** Creates the run and its audit entry together; false when the run already exists. */
export async function createRun(deps: PlaybookDeps, runId: string, run: PlaybookRunDoc): Promise<boolean> {
  const { db } = deps;
  const batch = db.batch();
  batch.create(playbookRunRef(db, runId), run);
  batch.set(
    auditLogCollection(db).doc(`${runId}-run`),
    auditEntry({
      action: run.dryRun ? 'playbook.dry_run' : run.trigger === 'auto' ? 'playbook.auto_run' : 'playbook.execute',
      actor: run.actor,
      target: { collection: COLLECTIONS.playbookRuns, id: runId },
      changes: { playbookId: run.playbookId, playbookVersion: run.playbookVersion, alertId: run.alertId, dryRun: run.dryRun },
      at: run.createdAt.toDate(),
    }),
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

/** Takes the run's lease (see claimRun). */
export async function claim(deps: PlaybookDeps, runId: string, owner: string): Promise<Claim> {
  const ref = playbookRunRef(deps.db, runId);
  return deps.db.runTransaction(async (tx) => {
    const run = (await tx.get(ref)).data();
    if (!run) throw new Error(`run ${runId} does not exist`);
    const claimed = claimRun(run, owner, clockOf(deps));
    if (claimed.kind === 'claimed') tx.set(ref, claimed.run);
    return claimed;
  });
}

/**
 * Reads the run in a transaction, checks that `owner` still holds its lease, and lets `change`
 * return the run's next state (written back) and a result.
 */
export async function updateLeased<T>(
  deps: PlaybookDeps,
  runId: string,
  owner: string,
  change: (run: PlaybookRunDoc, clock: Clock, tx: Transaction) => { run: PlaybookRunDoc; result: T },
): Promise<T> {
  const ref = playbookRunRef(deps.db, runId);
  return deps.db.runTransaction(async (tx) => {
    const run = (await tx.get(ref)).data();
    if (!run) throw new Error(`run ${runId} disappeared`);
    if (run.leaseOwner !== owner) throw new LeaseLostError(runId, run);
    const clock = clockOf(deps);
    const next = change(run, clock, tx);
    tx.set(ref, { ...next.run, updatedAt: Timestamp.fromDate(clock.now) });
    return next.result;
  });
}

/** One audit entry per executed step, whatever the number of re-runs: a deterministic id. */
export function stageStepAudit(
  deps: PlaybookDeps,
  tx: Transaction,
  runId: string,
  run: PlaybookRunDoc,
  step: PlaybookRunStep,
  note: AuditNote | undefined,
  now: Date,
): void {
  if (run.dryRun) return;
  const common = { runId, step: step.index, playbookId: run.playbookId, status: step.status };
  const entry = note
    ? auditEntry({
        action: `playbook.${step.action}`,
        actor: run.actor,
        target: note.target,
        changes: { ...note.changes, action: note.action, ...common },
        at: now,
      })
    : auditEntry({
        action: `playbook.${step.action}`,
        actor: run.actor,
        target: { collection: COLLECTIONS.alerts, id: run.alertId },
        changes: { error: step.error, ...common },
        note: step.error?.message ?? null,
        at: now,
      });
  tx.set(auditLogCollection(deps.db).doc(`${runId}-step-${step.index}`), entry);
}

/**
 * Pauses the run at the step: writes the approval (what will happen, why it waits, until when),
 * the run's paused state and the audit entry, under the lease, which it lets go.
 */
export async function pauseForApproval(
  deps: PlaybookDeps,
  owner: string,
  request: Omit<ApprovalRequest, 'run'>,
  approvalId: string,
): Promise<{ run: PlaybookRunDoc; approval: ApprovalDoc }> {
  return updateLeased(deps, request.runId, owner, (run, clock, tx) => {
    const approval = newApproval({ ...request, run }, clock);
    tx.set(approvalRef(deps.db, approvalId), approval);
    tx.set(
      auditLogCollection(deps.db).doc(`${approvalId}-requested`),
      auditEntry({
        action: 'approval.request',
        actor: run.actor,
        target: { collection: COLLECTIONS.approvals, id: approvalId },
        changes: { runId: request.runId, step: request.index, action: approval.action, reasons: approval.reasons, preview: approval.preview },
        at: clock.now,
      }),
    );
    const paused = awaitApproval(run, request.index, approvalId, request.reasons);
    return { run: paused, result: { run: paused, approval } };
  });
}

/**
 * Decides an approval (a responder's approve or reject, or the schedule's expiry) and applies it
 * to its run in the same transaction, with the audit entry. Throws ApprovalNotFoundError, or
 * ApprovalRefused when it is no longer PENDING.
 */
export async function decide(
  deps: PlaybookDeps,
  approvalId: string,
  decision: Decision,
  actor: AuditActor,
  note: string | null,
): Promise<{ approval: ApprovalDoc; decided: Decision; run: PlaybookRunDoc | undefined }> {
  const { db } = deps;
  const ref = approvalRef(db, approvalId);
  const result = await db.runTransaction(async (tx) => {
    const current = (await tx.get(ref)).data();
    if (!current) throw new ApprovalNotFoundError(approvalId);
    const runRef = playbookRunRef(db, current.runId);
    const run = (await tx.get(runRef)).data();
    const clock = clockOf(deps);
    const decided = decideApproval(approvalId, current, decision, actor, note, clock);
    tx.set(ref, decided.approval);
    const next = run ? applyDecision(run, current.stepIndex, decided.approval, clock) : undefined;
    if (next) tx.set(runRef, next);
    tx.set(
      auditLogCollection(db).doc(`${approvalId}-decided`),
      auditEntry({
        action: `approval.${decided.decided}`,
        actor,
        target: { collection: COLLECTIONS.approvals, id: approvalId },
        changes: { status: decided.approval.status, runId: current.runId, step: current.stepIndex, action: current.action, alertId: current.alertId },
        note: decided.approval.note,
        at: clock.now,
      }),
    );
    return { approval: decided.approval, decided: decided.decided, run: next };
  });
  log.approvalDecided(approvalId, result.approval.status, actor.id);
  return result;
}
