import {
  ACTIONS,
  APPROVAL_CONDITIONS,
  APPROVAL_STATUSES,
  ActionSchema,
  ApprovalConditionSchema,
  ON_FAILURE,
  OnFailureSchema,
  PLAYBOOK_ID_PATTERN,
  PlaybookHeadSchema,
  PlaybookTriggerSchema,
  RUN_STATUSES,
  STEP_STATUSES,
  SeveritySchema,
  type Action,
  type ApprovalCondition,
  type ApprovalStatus,
  type OnFailure,
  type PlaybookTrigger,
  type RunStatus,
  type StepStatus,
} from '@threatstream/events';
import { z } from 'zod';

// What a playbook is: a trigger and ordered steps, each an action with typed parameters, a time
// budget and what to do when it fails. Pure: no Firebase here, so the built-ins, the API and the
// tests all validate playbooks the same way.

// The vocabulary runs and approvals are written in, and a playbook's head (id, trigger...), are
// shared with the dashboard, so they live in @threatstream/events; the steps' parameters are here.
export { ACTIONS, ActionSchema, type Action };

/** Actions a person must be able to stop: they cut traffic, hosts or change who handles an alert. */
export const DESTRUCTIVE_ACTIONS: readonly Action[] = ['block_ip', 'isolate_host', 'escalate'];

export { APPROVAL_CONDITIONS, ApprovalConditionSchema, type ApprovalCondition };
export { ON_FAILURE, OnFailureSchema, type OnFailure };

/**
 * The whole run must fit in one invocation of the trigger (timeoutSeconds 300) with room for the
 * Firestore writes between steps, so the step budgets of a playbook add up to at most this.
 */
export const MAX_RUN_BUDGET_MS = 240_000;
export const MAX_STEP_TIMEOUT_MS = 120_000;

/** Delivery settings shared by the actions that call an HTTP endpoint. */
const deliveryParams = {
  /** Attempts, the first included; 5xx, 429, network errors and timeouts are retried, other 4xx not. */
  maxAttempts: z.number().int().min(1).max(6).default(3),
  /** Time allowed for one attempt; the step's `timeoutMs` bounds all attempts and backoff together. */
  attemptTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
};

/** Which address of the alert an IP action is about. */
export const BLOCK_TARGETS = ['source', 'destination', 'external'] as const;
export const HOST_TARGETS = ['source', 'destination', 'internal'] as const;

export const BlockIpParamsSchema = z.strictObject({
  /**
   * `source`: the alert's source address; `destination`: the destination of its latest threat;
   * `external`: whichever of the two is public (source first), e.g. the receiver of exfiltrated data.
   */
  target: z.enum(BLOCK_TARGETS).default('source'),
  /** How long the block lasts; the blocklist document expires (TTL) after it. */
  ttlHours: z.number().int().min(1).max(24 * 90).default(24),
});

export const NotifyWebhookParamsSchema = z.strictObject({
  /** `slack`: Slack-compatible {text, blocks} to the Slack URL; `generic`: a JSON event to the generic URL. */
  format: z.enum(['slack', 'generic']).default('generic'),
  ...deliveryParams,
});

export const NotifyEmailParamsSchema = z.strictObject({
  /** Recipients; when absent, the PLAYBOOK_EMAIL_TO param. */
  to: z.array(z.email()).min(1).max(50).optional(),
  subjectPrefix: z.string().max(60).default('[ThreatStream]'),
});

export const IsolateHostParamsSchema = z.strictObject({
  /**
   * `internal`: whichever of the alert's addresses is inside our networks (destination first:
   * the host that was hit); `source` / `destination`: that address, which must be inside.
   */
  target: z.enum(HOST_TARGETS).default('internal'),
  ...deliveryParams,
});

export const TICKET_PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export const CreateTicketParamsSchema = z.strictObject({
  /** When absent, derived from the alert's severity (CRITICAL → P1, HIGH → P2, ...). */
  priority: z.enum(TICKET_PRIORITIES).optional(),
  queue: z.string().min(1).max(100).optional(),
  ...deliveryParams,
});

export const EscalateParamsSchema = z
  .strictObject({
    /** Raise the alert's severity to at least this (never lowers it). */
    severity: SeveritySchema.optional(),
    /** Assign the alert to this person or team. */
    assignee: z.string().trim().min(1).max(200).optional(),
    /** Replace an existing assignee (by default an analyst's assignment is kept). */
    overwriteAssignee: z.boolean().default(false),
  })
  .refine((params) => params.severity !== undefined || params.assignee !== undefined, {
    message: 'escalate needs a severity, an assignee or both',
  });

const stepCommon = {
  /** Shown in the run record; defaults to the action name. */
  name: z.string().trim().min(1).max(100).optional(),
  /** Budget for the whole step: all attempts and backoff of an HTTP action, or its Firestore writes. */
  timeoutMs: z.number().int().min(100).max(MAX_STEP_TIMEOUT_MS).default(30_000),
  /** `continue` with the next step, or `stop` the run (later steps are recorded as skipped). */
  onFailure: OnFailureSchema.default('continue'),
  /** Always wait for a responder's approval before this step acts. */
  requiresApproval: z.boolean().default(false),
  /**
   * Wait for approval when the alert shows one of these conditions. Destructive actions
   * (DESTRUCTIVE_ACTIONS) wait on every condition whatever this says.
   */
  approvalWhen: z.array(ApprovalConditionSchema).default([]),
};

// `prefault` (not `default`): an omitted params object is parsed, so its own defaults apply.
export const PlaybookStepSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('block_ip'), params: BlockIpParamsSchema.prefault({}), ...stepCommon }),
  z.strictObject({ action: z.literal('notify_webhook'), params: NotifyWebhookParamsSchema.prefault({}), ...stepCommon }),
  z.strictObject({ action: z.literal('notify_email'), params: NotifyEmailParamsSchema.prefault({}), ...stepCommon }),
  z.strictObject({ action: z.literal('isolate_host'), params: IsolateHostParamsSchema.prefault({}), ...stepCommon }),
  z.strictObject({ action: z.literal('create_ticket'), params: CreateTicketParamsSchema.prefault({}), ...stepCommon }),
  z.strictObject({ action: z.literal('escalate'), params: EscalateParamsSchema, ...stepCommon }),
]);
export type PlaybookStep = z.output<typeof PlaybookStepSchema>;
export type PlaybookStepInput = z.input<typeof PlaybookStepSchema>;
export type StepParams<A extends Action> = Extract<PlaybookStep, { action: A }>['params'];

export { PLAYBOOK_ID_PATTERN, PlaybookTriggerSchema, type PlaybookTrigger };

const { auto, ...head } = PlaybookHeadSchema.shape;
/** The fields of a playbook; `PlaybookSchema` adds the check across steps. */
export const PlaybookFieldsSchema = z.strictObject({
  ...head,
  steps: z.array(PlaybookStepSchema).min(1).max(20),
  auto,
});

/** A playbook's steps must fit in one invocation of the trigger. */
export function fitsRunBudget(playbook: { steps: readonly { timeoutMs: number }[] }): boolean {
  return playbook.steps.reduce((sum, step) => sum + step.timeoutMs, 0) <= MAX_RUN_BUDGET_MS;
}
export const RUN_BUDGET_MESSAGE = `the steps' timeoutMs add up to more than ${MAX_RUN_BUDGET_MS} ms`;

export const PlaybookSchema = PlaybookFieldsSchema.refine(fitsRunBudget, { message: RUN_BUDGET_MESSAGE, path: ['steps'] });
export type Playbook = z.output<typeof PlaybookSchema>;
export type PlaybookInput = z.input<typeof PlaybookSchema>;

// ---- Runs and approvals: the states a run record and its steps move through ----

export { APPROVAL_STATUSES, RUN_STATUSES, STEP_STATUSES, type ApprovalStatus, type RunStatus, type StepStatus };

/** The conditions under which `step` waits for approval, given the alert's; empty: it runs. */
export function approvalReasons(
  step: { action: Action; requiresApproval?: boolean; approvalWhen?: readonly ApprovalCondition[] },
  alertConditions: readonly ApprovalCondition[],
): string[] {
  const watched = DESTRUCTIVE_ACTIONS.includes(step.action) ? APPROVAL_CONDITIONS : (step.approvalWhen ?? []);
  const reasons: string[] = alertConditions.filter((condition) => watched.includes(condition));
  if (step.requiresApproval) reasons.unshift('step_requires_approval');
  return [...new Set(reasons)];
}
