import type { ApiDeps } from '../deps';
import { Unavailable } from '../errors';
import { defineRoute } from '../route';
import { ApprovalDecisionBodySchema, ApprovalDecisionResultSchema, ApprovalIdParams, ApprovalListSchema, ApprovalsQuery } from '../schemas';
import type { PlaybookService } from '../services/playbooks';
import { actorOf } from './alerts';

function playbooksOf(deps: ApiDeps): PlaybookService {
  if (!deps.playbooks) throw new Unavailable('playbooks are not deployed in this build', { module: 'playbooks' });
  return deps.playbooks;
}

export const listApprovalsRoute = defineRoute({
  method: 'get',
  path: '/api/approvals',
  operationId: 'listApprovals',
  summary: 'Playbook steps waiting for a responder',
  description:
    'Approvals in one status (PENDING by default), newest first: which run and step, why it waits (step_requires_approval, model_raised, low_rules_confidence, spoofable_source), what it will do (the step\'s dry-run output) and until when. Pass `nextCursor` back as `cursor`; a page stops early at about 1 MiB of JSON, saying so in `truncated`.',
  tags: ['approvals'],
  access: 'responder',
  request: { query: ApprovalsQuery },
  responses: { 200: { description: 'Approvals.', schema: ApprovalListSchema } },
  handler: async ({ deps, query }) => {
    const { items, ...page } = await playbooksOf(deps).approvals(query);
    return { json: { approvals: items, ...page } };
  },
});

function decisionRoute(decision: 'approve' | 'reject') {
  return defineRoute({
    method: 'post',
    path: `/api/approvals/{id}/${decision}`,
    operationId: `${decision}Approval`,
    summary: decision === 'approve' ? 'Approve a waiting playbook step' : 'Reject a waiting playbook step',
    description:
      decision === 'approve'
        ? 'PENDING → APPROVED: the step runs, and the run goes on to its end or its next approval; the answer has both. Audited. 409 if already decided or expired.'
        : 'PENDING → REJECTED: the step is skipped (not done), and the run goes on. Audited. 409 if already decided or expired.',
    tags: ['approvals'],
    access: 'responder',
    rateLimit: 'mutations',
    request: { params: ApprovalIdParams, body: { schema: ApprovalDecisionBodySchema, required: false } },
    responses: { 200: { description: 'The decided approval and the run after it.', schema: ApprovalDecisionResultSchema } },
    errors: [404, 409],
    handler: async ({ deps, params, body, caller }) => {
      const result = await playbooksOf(deps).decide({
        approvalId: params.id,
        decision,
        actor: actorOf(caller!),
        ...(body?.note && { note: body.note }),
      });
      return { json: result };
    },
  });
}

export const approveRoute = decisionRoute('approve');
export const rejectRoute = decisionRoute('reject');
