import type { Timestamp } from 'firebase-admin/firestore';
import type { ApprovalStatus, Playbook, RunStatus, StepStatus } from '../domain/playbook';
import { plainJson } from '../firestore/audit';
import type { ApprovalDoc, AuditActor, PlaybookRunDoc, PlaybookRunStep } from '../firestore/schema';

// A playbook run, as a state machine over plain data (Firestore types are imported for their
// shape only): start, claim, begin a step, wait for approval, approve / reject / expire, step
// done or failed, finish. run-store.ts reads, calls these and writes, in transactions, under
// the run's lease, with the audit entries.
//
//   PENDING ─claim─► RUNNING ─(step needs approval)─► AWAITING_APPROVAL ─decide─► PENDING ─claim─► …
//                       └───────────── every step done ─────────────► SUCCEEDED | PARTIAL | FAILED

/** Lease beyond a step's own timeout: time for the Firestore writes around it. */
export const LEASE_MARGIN_MS = 30_000;
/** A run nobody has claimed this long after its creation is stalled (see resumeStalledRuns). */
export const CLAIM_GRACE_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A step found RUNNING when a delivery resumes the run was interrupted (the instance crashed or
 * timed out while it ran). It is run again, since every action is idempotent, at most this many
 * times in all; then it is failed, so one poisonous step cannot hold a run for ever.
 */
export const MAX_STEP_ATTEMPTS = 3;

/** The time of a transition, and how to make stored times from milliseconds. */
export interface Clock {
  now: Date;
  ts(millis: number): Timestamp;
}

export function isStepDone(status: StepStatus): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'SKIPPED';
}
export function isRunDone(status: RunStatus): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'PARTIAL';
}

/**
 * A finished run's status, from what took effect: SUCCEEDED when every step did, PARTIAL when
 * some did and some failed (or were skipped: after a failure, or not approved), FAILED when none did.
 */
export function finalRunStatus(steps: readonly { status: StepStatus }[]): Extract<RunStatus, 'SUCCEEDED' | 'FAILED' | 'PARTIAL'> {
  const succeeded = steps.filter((step) => step.status === 'SUCCEEDED').length;
  if (succeeded === steps.length) return 'SUCCEEDED';
  return succeeded > 0 ? 'PARTIAL' : 'FAILED';
}

/** Index of the next step to work on, or undefined when every step is done. */
export function nextStepIndex(steps: readonly { status: StepStatus }[]): number | undefined {
  const index = steps.findIndex((step) => !isStepDone(step.status));
  return index < 0 ? undefined : index;
}

export interface StartRequest {
  playbook: Playbook;
  alertId: string;
  trigger: 'auto' | 'manual';
  actor: AuditActor;
  dryRun: boolean;
  retentionDays: number;
}

export function startRun(request: StartRequest, clock: Clock): PlaybookRunDoc {
  const at = clock.now.getTime();
  const { playbook } = request;
  return {
    playbookId: playbook.id,
    playbookVersion: playbook.version,
    playbookName: playbook.name,
    alertId: request.alertId,
    trigger: request.trigger,
    actor: request.actor,
    dryRun: request.dryRun,
    status: 'PENDING',
    steps: playbook.steps.map((step, index) => ({
      index,
      name: step.name ?? step.action,
      action: step.action,
      params: plainJson(step.params),
      timeoutMs: step.timeoutMs,
      onFailure: step.onFailure,
      requiresApproval: step.requiresApproval,
      approvalWhen: step.approvalWhen,
      approval: null,
      status: 'PENDING',
      attempts: 0,
      output: null,
      error: null,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
    })),
    leaseOwner: null,
    leaseExpiresAt: clock.ts(at + CLAIM_GRACE_MS),
    createdAt: clock.ts(at),
    startedAt: null,
    finishedAt: null,
    updatedAt: clock.ts(at),
    durationMs: null,
    expireAt: clock.ts(at + request.retentionDays * DAY_MS),
  };
}

export type Claim =
  | { kind: 'done'; run: PlaybookRunDoc }
  | { kind: 'busy'; run: PlaybookRunDoc }
  | { kind: 'awaiting_approval'; run: PlaybookRunDoc }
  | { kind: 'claimed'; run: PlaybookRunDoc; resumed: boolean };

/** Takes the run's lease for `owner`, unless it is finished, waiting for a person, or leased live to another. */
export function claimRun(run: PlaybookRunDoc, owner: string, clock: Clock): Claim {
  if (isRunDone(run.status)) return { kind: 'done', run };
  if (run.status === 'AWAITING_APPROVAL') return { kind: 'awaiting_approval', run };
  const now = clock.now.getTime();
  const leaseLive = run.leaseOwner !== null && run.leaseExpiresAt !== null && run.leaseExpiresAt.toMillis() > now;
  if (leaseLive && run.leaseOwner !== owner) return { kind: 'busy', run };
  const next = run.steps[nextStepIndex(run.steps) ?? 0];
  return {
    kind: 'claimed',
    resumed: run.leaseOwner !== null,
    run: {
      ...run,
      status: 'RUNNING',
      leaseOwner: owner,
      leaseExpiresAt: clock.ts(now + (next?.timeoutMs ?? 0) + LEASE_MARGIN_MS),
      startedAt: run.startedAt ?? clock.ts(now),
      updatedAt: clock.ts(now),
    },
  };
}

/** Marks the steps after `index` SKIPPED when the failed step's policy is "stop". */
function applyFailurePolicy(steps: PlaybookRunStep[], index: number, clock: Clock): void {
  const failed = steps[index]!;
  if (failed.status !== 'FAILED' || failed.onFailure !== 'stop') return;
  for (let next = index + 1; next < steps.length; next++) {
    const step = steps[next]!;
    if (isStepDone(step.status)) continue;
    steps[next] = {
      ...step,
      status: 'SKIPPED',
      error: { code: 'skipped', message: `step ${index + 1} (${failed.name}) failed and its onFailure is "stop"` },
      finishedAt: clock.ts(clock.now.getTime()),
    };
  }
}

export type Begin =
  | { kind: 'no_more_steps'; run: PlaybookRunDoc }
  /** The step was interrupted too often and is failed without running. */
  | { kind: 'gave_up'; run: PlaybookRunDoc; index: number }
  /** The step must wait for a person: nothing changed yet (see awaitApproval). */
  | { kind: 'needs_approval'; run: PlaybookRunDoc; index: number; reasons: string[] }
  | { kind: 'step'; run: PlaybookRunDoc; index: number };

/**
 * The next step's fate. `gate` says why a step must wait for approval (empty: it need not); a
 * step already approved, and every step of a dry run, goes ahead.
 */
export function beginStep(run: PlaybookRunDoc, clock: Clock, gate: (step: PlaybookRunStep) => string[]): Begin {
  const index = nextStepIndex(run.steps);
  if (index === undefined) return { kind: 'no_more_steps', run };
  const steps = [...run.steps];
  const step = steps[index]!;
  const at = clock.ts(clock.now.getTime());
  if (step.status === 'RUNNING' && step.attempts >= MAX_STEP_ATTEMPTS) {
    steps[index] = {
      ...step,
      status: 'FAILED',
      error: {
        code: 'interrupted',
        message: `the step was interrupted ${step.attempts} times (instance crash or timeout) and is not run again`,
      },
      finishedAt: at,
    };
    applyFailurePolicy(steps, index, clock);
    return { kind: 'gave_up', run: { ...run, steps }, index };
  }
  if (!run.dryRun && step.approval?.status !== 'APPROVED') {
    const reasons = gate(step);
    if (reasons.length > 0) return { kind: 'needs_approval', run, index, reasons };
  }
  steps[index] = {
    ...step,
    status: 'RUNNING',
    attempts: step.attempts + 1,
    output: null,
    error: null,
    startedAt: step.startedAt ?? at,
    finishedAt: null,
  };
  const running = { ...run, steps, leaseExpiresAt: clock.ts(clock.now.getTime() + step.timeoutMs + LEASE_MARGIN_MS) };
  return { kind: 'step', run: running, index };
}

export type StepResult =
  | { ok: true; output: Record<string, unknown>; durationMs: number }
  | { ok: false; code: string; message: string; details: Record<string, unknown>; durationMs: number };

/** Records a step's result (and a "stop" policy's skips), and renews the lease for the next. */
export function finishStep(run: PlaybookRunDoc, index: number, result: StepResult, clock: Clock): PlaybookRunDoc {
  const steps = [...run.steps];
  const step = steps[index]!;
  const at = clock.ts(clock.now.getTime());
  steps[index] = result.ok
    ? { ...step, status: 'SUCCEEDED', output: plainJson(result.output), error: null, finishedAt: at, durationMs: result.durationMs }
    : {
        ...step,
        status: 'FAILED',
        output: Object.keys(result.details).length > 0 ? plainJson(result.details) : null,
        error: { code: result.code, message: result.message },
        finishedAt: at,
        durationMs: result.durationMs,
      };
  applyFailurePolicy(steps, index, clock);
  const following = steps[nextStepIndex(steps) ?? -1];
  return { ...run, steps, leaseExpiresAt: clock.ts(clock.now.getTime() + (following?.timeoutMs ?? 0) + LEASE_MARGIN_MS) };
}

export function finishRun(run: PlaybookRunDoc, clock: Clock): PlaybookRunDoc {
  const at = clock.now.getTime();
  return {
    ...run,
    status: finalRunStatus(run.steps),
    leaseOwner: null,
    leaseExpiresAt: null,
    finishedAt: clock.ts(at),
    durationMs: at - (run.startedAt ?? run.createdAt).toMillis(),
  };
}

/** The approval's id: one per run step. */
export function approvalIdFor(runId: string, index: number): string {
  return `${runId}-${index}`;
}

/** Pauses the run at `index`: the step waits, the lease is let go (nobody works on it until a decision). */
export function awaitApproval(run: PlaybookRunDoc, index: number, approvalId: string, reasons: string[]): PlaybookRunDoc {
  const steps = [...run.steps];
  steps[index] = {
    ...steps[index]!,
    status: 'AWAITING_APPROVAL',
    approval: { id: approvalId, status: 'PENDING', reasons, decidedBy: null, decidedAt: null },
  };
  return { ...run, steps, status: 'AWAITING_APPROVAL', leaseOwner: null, leaseExpiresAt: null };
}

export interface ApprovalRequest {
  runId: string;
  run: PlaybookRunDoc;
  index: number;
  alertTitle: string;
  reasons: string[];
  /** What the step will do: its dry-run output (or why that could not be worked out). */
  preview: Record<string, unknown>;
  expiresInMs: number;
}

export function newApproval(request: ApprovalRequest, clock: Clock): ApprovalDoc {
  const { run, index } = request;
  const step = run.steps[index]!;
  const at = clock.now.getTime();
  return {
    runId: request.runId,
    stepIndex: index,
    stepName: step.name,
    action: step.action,
    alertId: run.alertId,
    alertTitle: request.alertTitle,
    playbookId: run.playbookId,
    playbookName: run.playbookName,
    reasons: request.reasons,
    preview: plainJson(request.preview),
    status: 'PENDING',
    requestedAt: clock.ts(at),
    expiresAt: clock.ts(at + request.expiresInMs),
    decidedBy: null,
    decidedAt: null,
    note: null,
    expireAt: run.expireAt,
  };
}

export type Decision = 'approve' | 'reject' | 'expire';
const DECIDED: Record<Decision, Exclude<ApprovalStatus, 'PENDING'>> = { approve: 'APPROVED', reject: 'REJECTED', expire: 'EXPIRED' };

/** A decision the approval's state does not allow (the API's 409). */
export class ApprovalRefused extends Error {
  override readonly name = 'ApprovalRefused';
  constructor(
    readonly approvalId: string,
    readonly status: ApprovalStatus,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The approval's decided state. Only a PENDING approval is decided; one whose time ran out can
 * only expire (an approve or reject arriving late becomes "expire", and the caller is told).
 */
export function decideApproval(
  approvalId: string,
  approval: ApprovalDoc,
  decision: Decision,
  actor: AuditActor,
  note: string | null,
  clock: Clock,
): { approval: ApprovalDoc; decided: Decision } {
  if (approval.status !== 'PENDING') {
    throw new ApprovalRefused(approvalId, approval.status, `approval ${approvalId} is already ${approval.status}`);
  }
  const late = approval.expiresAt.toMillis() <= clock.now.getTime();
  const decided: Decision = late ? 'expire' : decision;
  return {
    decided,
    approval: {
      ...approval,
      status: DECIDED[decided],
      decidedBy: actor,
      decidedAt: clock.ts(clock.now.getTime()),
      note: decided === decision ? note : `expired at ${approval.expiresAt.toDate().toISOString()} before this ${decision}`,
    },
  };
}

/**
 * Applies a decision to the waiting step: approved, it runs when the run is next driven;
 * rejected or expired, it is SKIPPED ("not done") and the run goes on. The run becomes PENDING
 * with a lease already expired, so the next driver (or the stalled-run sweep) takes it.
 */
export function applyDecision(run: PlaybookRunDoc, index: number, approval: ApprovalDoc, clock: Clock): PlaybookRunDoc {
  const steps = [...run.steps];
  const step = steps[index]!;
  if (step.status !== 'AWAITING_APPROVAL') return run;
  const at = clock.ts(clock.now.getTime());
  const record = {
    id: step.approval?.id ?? '',
    status: approval.status,
    reasons: approval.reasons,
    decidedBy: approval.decidedBy,
    decidedAt: approval.decidedAt,
  };
  steps[index] =
    approval.status === 'APPROVED'
      ? { ...step, status: 'PENDING', approval: record }
      : {
          ...step,
          status: 'SKIPPED',
          approval: record,
          error: {
            code: approval.status === 'REJECTED' ? 'approval_rejected' : 'approval_expired',
            message:
              approval.status === 'REJECTED'
                ? `rejected by ${approval.decidedBy?.email ?? approval.decidedBy?.id ?? 'a responder'}`
                : 'nobody approved it in time: not done',
          },
          finishedAt: at,
        };
  return { ...run, steps, status: 'PENDING', leaseOwner: null, leaseExpiresAt: at, updatedAt: at };
}
