import { Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { PlaybookSchema } from '../domain/playbook';
import type { AuditActor, PlaybookRunDoc } from '../firestore/schema';
import {
  applyDecision,
  ApprovalRefused,
  awaitApproval,
  beginStep,
  claimRun,
  decideApproval,
  finishRun,
  finishStep,
  MAX_STEP_ATTEMPTS,
  newApproval,
  startRun,
  type Clock,
} from './run';

const T0 = Date.UTC(2026, 0, 1, 12);
const clockAt = (millis: number): Clock => ({ now: new Date(millis), ts: (ms) => Timestamp.fromMillis(ms) });
const playbook = PlaybookSchema.parse({
  id: 'pb',
  version: 1,
  name: 'P',
  description: '',
  auto: true,
  trigger: { severities: ['HIGH'] },
  steps: [
    { action: 'block_ip', params: { target: 'source' }, timeoutMs: 1_000 },
    { action: 'notify_webhook', timeoutMs: 1_000, onFailure: 'stop' },
    { action: 'notify_email', timeoutMs: 1_000 },
  ],
});
const actor: AuditActor = { type: 'playbook', id: 'p' };
const responder: AuditActor = { type: 'user', id: 'u1', email: 'r@x.test' };
const fresh = (dryRun = false) =>
  startRun({ playbook, alertId: 'a1', trigger: 'auto', actor, dryRun, retentionDays: 1 }, clockAt(T0));
const claimed = (run: PlaybookRunDoc) => {
  const result = claimRun(run, 'owner-1', clockAt(T0));
  if (result.kind !== 'claimed') throw new Error(result.kind);
  return result.run;
};
const noGate = () => [];
const gateBlocks = (step: { action: string }) => (step.action === 'block_ip' ? ['model_raised'] : []);

describe('the run machine', () => {
  it('start → claim → steps → finish', () => {
    let run = claimed(fresh());
    expect(run).toMatchObject({ status: 'RUNNING', leaseOwner: 'owner-1' });
    for (let index = 0; index < 3; index++) {
      const begun = beginStep(run, clockAt(T0), noGate);
      expect(begun).toMatchObject({ kind: 'step', index });
      run = finishStep(begun.run, index, { ok: true, output: { i: index }, durationMs: 1 }, clockAt(T0 + 10));
    }
    expect(beginStep(run, clockAt(T0), noGate).kind).toBe('no_more_steps');
    const done = finishRun(run, clockAt(T0 + 20));
    expect(done).toMatchObject({ status: 'SUCCEEDED', leaseOwner: null, leaseExpiresAt: null, durationMs: 20 });
    expect(claimRun(done, 'owner-2', clockAt(T0)).kind).toBe('done');
  });

  it('a live lease held by another is busy; an expired one is taken over', () => {
    const run = claimed(fresh());
    expect(claimRun(run, 'owner-2', clockAt(T0 + 1)).kind).toBe('busy');
    const later = claimRun(run, 'owner-2', clockAt(T0 + 10 * 60_000));
    expect(later).toMatchObject({ kind: 'claimed', resumed: true, run: { leaseOwner: 'owner-2' } });
  });

  it('a failed step with onFailure "stop" skips the rest', () => {
    let run = claimed(fresh());
    run = finishStep(beginStep(run, clockAt(T0), noGate).run, 0, { ok: true, output: {}, durationMs: 1 }, clockAt(T0));
    run = finishStep(beginStep(run, clockAt(T0), noGate).run, 1, { ok: false, code: 'timeout', message: 'slow', details: {}, durationMs: 1 }, clockAt(T0));
    expect(run.steps.map((step) => step.status)).toEqual(['SUCCEEDED', 'FAILED', 'SKIPPED']);
    expect(finishRun(run, clockAt(T0)).status).toBe('PARTIAL');
  });

  it('a step interrupted MAX_STEP_ATTEMPTS times is failed, not run again', () => {
    let run = claimed(fresh());
    for (let attempt = 0; attempt < MAX_STEP_ATTEMPTS; attempt++) run = beginStep(run, clockAt(T0), noGate).run;
    const gaveUp = beginStep(run, clockAt(T0), noGate);
    expect(gaveUp.kind).toBe('gave_up');
    expect(gaveUp.run.steps[0]).toMatchObject({ status: 'FAILED', error: { code: 'interrupted' } });
  });
});

describe('approvals in the run machine', () => {
  function paused() {
    const run = claimed(fresh());
    const begun = beginStep(run, clockAt(T0), gateBlocks);
    expect(begun).toMatchObject({ kind: 'needs_approval', index: 0, reasons: ['model_raised'] });
    // Nothing changed yet: the step is not RUNNING, no attempt counted.
    expect(begun.run.steps[0]).toMatchObject({ status: 'PENDING', attempts: 0 });
    const waiting = awaitApproval(begun.run, 0, 'r1-0', ['model_raised']);
    const approval = newApproval(
      { runId: 'r1', run: waiting, index: 0, alertTitle: 'A', reasons: ['model_raised'], preview: { ip: '203.0.113.9' }, expiresInMs: 30 * 60_000 },
      clockAt(T0),
    );
    return { waiting, approval };
  }

  it('pauses: the step and the run wait, the lease is let go, nobody can claim it', () => {
    const { waiting, approval } = paused();
    expect(waiting).toMatchObject({ status: 'AWAITING_APPROVAL', leaseOwner: null, leaseExpiresAt: null });
    expect(waiting.steps[0]).toMatchObject({ status: 'AWAITING_APPROVAL', approval: { id: 'r1-0', status: 'PENDING' } });
    expect(claimRun(waiting, 'owner-2', clockAt(T0 + 3_600_000)).kind).toBe('awaiting_approval');
    expect(approval).toMatchObject({ status: 'PENDING', action: 'block_ip', stepIndex: 0, preview: { ip: '203.0.113.9' } });
    expect(approval.expiresAt.toMillis()).toBe(T0 + 30 * 60_000);
  });

  it('approved: the step runs on the next claim, and is not asked about again', () => {
    const { waiting, approval } = paused();
    const decided = decideApproval('r1-0', approval, 'approve', responder, 'ok', clockAt(T0 + 60_000));
    expect(decided).toMatchObject({ decided: 'approve', approval: { status: 'APPROVED', decidedBy: responder, note: 'ok' } });
    const resumed = applyDecision(waiting, 0, decided.approval, clockAt(T0 + 60_000));
    expect(resumed).toMatchObject({ status: 'PENDING', leaseOwner: null });
    expect(resumed.steps[0]).toMatchObject({ status: 'PENDING', approval: { status: 'APPROVED' } });
    const run = claimed(resumed);
    expect(beginStep(run, clockAt(T0), gateBlocks)).toMatchObject({ kind: 'step', index: 0 });
  });

  it.each([
    ['reject', T0 + 60_000, 'REJECTED', 'approval_rejected'],
    ['approve', T0 + 31 * 60_000, 'EXPIRED', 'approval_expired'],
    ['expire', T0 + 31 * 60_000, 'EXPIRED', 'approval_expired'],
  ] as const)('%s at +%i: %s, the step is skipped (not done) and the run goes on', (decision, at, status, code) => {
    const { waiting, approval } = paused();
    const decided = decideApproval('r1-0', approval, decision, responder, null, clockAt(at));
    expect(decided.approval.status).toBe(status);
    const resumed = applyDecision(waiting, 0, decided.approval, clockAt(at));
    expect(resumed.steps[0]).toMatchObject({ status: 'SKIPPED', error: { code } });
    const run = claimed(resumed);
    expect(beginStep(run, clockAt(at), gateBlocks)).toMatchObject({ kind: 'step', index: 1 });
    expect(() => decideApproval('r1-0', decided.approval, 'approve', responder, null, clockAt(at))).toThrow(ApprovalRefused);
  });

  it('a dry run never waits', () => {
    const run = claimed(fresh(true));
    expect(beginStep(run, clockAt(T0), gateBlocks)).toMatchObject({ kind: 'step', index: 0 });
  });
});
