import type { PlaybookRunDoc } from '../firestore/schema';

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

export class ApprovalNotFoundError extends Error {
  override readonly name = 'ApprovalNotFoundError';
  constructor(readonly approvalId: string) {
    super(`approval ${approvalId} does not exist`);
  }
}

/** Another invocation holds a live lease on these runs: the trigger throws it to be retried later. */
export class RunBusyError extends Error {
  override readonly name = 'RunBusyError';
  constructor(readonly runIds: string[]) {
    super(`playbook run(s) ${runIds.join(', ')} are being executed by another invocation`);
  }
}

/** This invocation's lease was taken over midway: it stops, the new owner carries on. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(
    readonly runId: string,
    readonly run: PlaybookRunDoc,
  ) {
    super(`lost the lease on run ${runId} to ${run.leaseOwner ?? 'nobody'}`);
  }
}
