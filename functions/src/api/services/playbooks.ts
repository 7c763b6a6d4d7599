import type { Firestore } from 'firebase-admin/firestore';
import type { ExecuteOutcome } from '@threatstream/events';
import { paramEntries } from '../../domain/never-block';
import { approvalsByStatusQuery, playbookRunsForAlertQuery, recentPlaybookRunsQuery } from '../../firestore/queries';
import { approvalRef, playbookRunRef } from '../../firestore/refs';
import type { ApprovalDoc, AuditActor, PlaybookRunDoc } from '../../firestore/schema';
import type { PlaybookDeps } from '../../playbooks/deps';
import {
  AlertNotFoundError,
  ApprovalNotFoundError,
  decideApprovalAndResume,
  executePlaybook,
  PlaybookNotFoundError,
} from '../../playbooks/executor';
import { ApprovalRefused } from '../../playbooks/run';
import { Conflict, NotFound } from '../errors';
import type { ApprovalView, Playbook as PlaybookView, PlaybookRunView } from '../schemas';
import { boundedPage, toWire, type BoundedPage } from '../serialize';
import { encodeIdCursor, pageAfterCursor } from './cursors';

// The API's side of the playbooks module (functions/src/playbooks): the catalog it seeds and
// caches, its executor for manual runs, and the run records it writes.

export interface ExecuteInput {
  playbookId: string;
  alertId: string;
  actor: AuditActor;
  dryRun: boolean;
  /** The Idempotency-Key header: the same key from the same user returns the same run. */
  requestKey?: string;
}

export interface ExecuteResult {
  runId: string;
  outcome: ExecuteOutcome;
  run: PlaybookRunView;
}

export interface PlaybookService {
  list(now: Date): Promise<PlaybookView[]>;
  execute(input: ExecuteInput): Promise<ExecuteResult>;
  /** A page of runs, newest first, bounded by bytes (runs can hold large EDR responses). */
  history(input: { limit: number; cursor?: string; alertId?: string }): Promise<BoundedPage>;
  /** A page of approvals, newest first, bounded by bytes (each holds its step's dry-run output). */
  approvals(input: { status: ApprovalDoc['status']; limit: number; cursor?: string }): Promise<BoundedPage>;
  /** The NEVER_BLOCK_CIDRS param's entries. */
  neverBlockParam(): string[];
  decide(input: { approvalId: string; decision: 'approve' | 'reject'; actor: AuditActor; note?: string }): Promise<{
    approval: ApprovalView;
    run: PlaybookRunView | null;
  }>;
}

function approvalView(id: string, approval: ApprovalDoc): ApprovalView {
  const { expireAt: _expireAt, ...visible } = approval;
  return toWire({ id, ...visible }) as ApprovalView;
}

function runView(id: string, run: PlaybookRunDoc): PlaybookRunView {
  // The lease is the executor's bookkeeping, not something a client should see or rely on.
  const { leaseOwner: _owner, leaseExpiresAt: _expires, ...visible } = run;
  return toWire({ id, ...visible }) as PlaybookRunView;
}

export function playbookService(db: Firestore, engine: () => PlaybookDeps): PlaybookService {
  return {
    async list(now) {
      const playbooks = await engine().catalog.list(db, now);
      return playbooks.map((playbook) => toWire(playbook) as PlaybookView);
    },

    async execute(input) {
      let result;
      try {
        result = await executePlaybook(
          {
            playbookId: input.playbookId,
            alertId: input.alertId,
            actor: input.actor,
            dryRun: input.dryRun,
            ...(input.requestKey !== undefined && { requestKey: input.requestKey }),
          },
          engine(),
        );
      } catch (error) {
        if (error instanceof PlaybookNotFoundError) throw new NotFound(`playbook ${error.playbookId} does not exist`);
        if (error instanceof AlertNotFoundError) throw new NotFound(`alert ${error.alertId} does not exist`);
        throw error;
      }
      if (result.outcome === 'busy') {
        throw new Conflict('a run with this Idempotency-Key is still executing; retry later for its result', {
          runId: result.runId,
        });
      }
      return { runId: result.runId, outcome: result.outcome, run: runView(result.runId, result.run) };
    },

    neverBlockParam() {
      return paramEntries(engine().settings.neverBlockCidrs).map((entry) => entry.cidr);
    },

    async approvals({ status, limit, cursor }) {
      const query = approvalsByStatusQuery(db, status, limit + 1);
      const { docs, nextCursor } = await pageAfterCursor(query, { limit, cursor, ref: (id) => approvalRef(db, id), what: 'approval' });
      return boundedPage(docs, {
        requested: limit,
        nextCursor,
        toWire: (doc) => approvalView(doc.id, doc.data()),
        cursorOf: (doc) => encodeIdCursor(doc.id),
      });
    },

    async decide({ approvalId, decision, actor, note }) {
      let result;
      try {
        result = await decideApprovalAndResume({ approvalId, decision, actor, ...(note !== undefined && { note }) }, engine());
      } catch (error) {
        if (error instanceof ApprovalNotFoundError) throw new NotFound(error.message);
        if (error instanceof ApprovalRefused) throw new Conflict(error.message, { status: error.status });
        throw error;
      }
      if (result.decided === 'expire') {
        throw new Conflict(`approval ${approvalId} expired before this ${decision}: the step was not done`, { status: 'EXPIRED' });
      }
      return { approval: approvalView(approvalId, result.approval), run: result.run ? runView(result.run.runId, result.run.run) : null };
    },

    async history({ limit, cursor, alertId }) {
      const query = alertId ? playbookRunsForAlertQuery(db, alertId, limit + 1) : recentPlaybookRunsQuery(db, limit + 1);
      const { docs, nextCursor } = await pageAfterCursor(query, { limit, cursor, ref: (id) => playbookRunRef(db, id), what: 'run' });
      return boundedPage(docs, {
        requested: limit,
        nextCursor,
        toWire: (doc) => runView(doc.id, doc.data()),
        cursorOf: (doc) => encodeIdCursor(doc.id),
      });
    },
  };
}
