import { Timestamp } from 'firebase-admin/firestore';
import { AlertMissing, escalate as decideEscalation } from '../alerts/alert';
import { escalateAlert } from '../alerts/store';
import { isAlreadyExists } from '../firestore/errors';
import { neverBlockEntryFor } from '../domain/never-block';
import { blocklistRef, COLLECTIONS, mailRef } from '../firestore/refs';
import { neverBlockEntries } from './never-block-store';
import type { AlertDoc, AuditActor } from '../firestore/schema';
import type { Action, StepParams } from '../domain/playbook';
import type { PlaybookDeps } from './deps';
import { emailMessage, genericEvent, isolationRequest, slackMessage, ticketRequest, type AlertView, type RunView } from './payloads';
import { chooseBlockTarget, chooseIsolationTarget, ticketPriority } from './plan';
import { DeliveryError, redactUrl, type DeliveryResult, type WebhookReceiverName } from './webhook-client';

// The built-in actions. Each one is idempotent (a step re-run after a crash changes nothing
// twice: deterministic document ids, "at least" semantics, delivery ids for receivers), checks
// its preconditions the same way in a dry run, and in a dry run stops before any side effect and
// says what it would have done.

export interface RunInfo {
  id: string;
  playbookId: string;
  playbookVersion: number;
  playbookName: string;
  trigger: 'auto' | 'manual';
  actor: AuditActor;
  dryRun: boolean;
}

export interface ActionContext {
  deps: PlaybookDeps;
  run: RunInfo;
  stepIndex: number;
  alertId: string;
  /** The alert as read just before the step. */
  alert: AlertDoc;
  /** The destination of the alert's latest threat, when it has one. */
  destinationIp?: string;
  /** Aborts when the step's time budget is spent. */
  signal: AbortSignal;
}

/** The auditLog entry an executed action leads to (written with the step's result). */
export interface AuditNote {
  action: string;
  target: { collection: string; id: string };
  changes: Record<string, unknown>;
}

export interface ActionOutcome {
  output: Record<string, unknown>;
  /** Absent in a dry run: nothing changed. */
  audit?: AuditNote;
}

export const ACTION_ERROR_CODES = [
  'refused',
  'not_configured',
  'missing_secret',
  'delivery_failed',
  'timeout',
  'not_found',
  'failed',
] as const;
export type ActionErrorCode = (typeof ACTION_ERROR_CODES)[number];

/** A step failure with a code for the run record, the API and the dashboard. */
export class ActionError extends Error {
  override readonly name = 'ActionError';
  constructor(
    readonly code: ActionErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Raised by settings.webhookSecret() when the secret has no value. */
export class MissingSecretError extends Error {
  override readonly name = 'MissingSecretError';
  constructor(readonly secretName: string) {
    super(`the secret ${secretName} has no value: set it with \`firebase functions:secrets:set ${secretName}\``);
  }
}

const HOUR_MS = 60 * 60 * 1000;

/** Threats read without the converter: only a field or two is needed. */
const threatsRaw = (db: PlaybookDeps['db']) => db.collection(COLLECTIONS.threats);

function alertView(ctx: ActionContext): AlertView {
  const { alert } = ctx;
  return {
    id: ctx.alertId,
    title: alert.title,
    severity: alert.severity,
    status: alert.status,
    eventType: alert.eventType,
    sourceIp: alert.sourceIp,
    ...(alert.sourceCountry !== undefined && { sourceCountry: alert.sourceCountry }),
    ...(ctx.destinationIp !== undefined && { destinationIp: ctx.destinationIp }),
    occurrences: alert.occurrences,
    maxRiskScore: alert.maxRiskScore,
    mitre: alert.mitre,
    firstSeen: alert.firstSeen.toDate(),
    lastSeen: alert.lastSeen.toDate(),
    assignee: alert.assignee,
  };
}

function runView(ctx: ActionContext): RunView {
  return {
    runId: ctx.run.id,
    stepIndex: ctx.stepIndex,
    playbookId: ctx.run.playbookId,
    playbookVersion: ctx.run.playbookVersion,
    playbookName: ctx.run.playbookName,
    trigger: ctx.run.trigger,
  };
}

/** Same on every attempt and every re-run of one step: the receiver's idempotency key. */
function deliveryId(ctx: ActionContext): string {
  return `${ctx.run.id}:${ctx.stepIndex}`;
}

function signingSecret(ctx: ActionContext, receiver: WebhookReceiverName): string {
  try {
    return ctx.deps.settings.webhookSecret(receiver);
  } catch (error) {
    if (error instanceof MissingSecretError) throw new ActionError('missing_secret', error.message);
    throw error;
  }
}

function endpoint(url: string, param: string, what: string): string {
  if (!url) throw new ActionError('not_configured', `no ${what} endpoint: set the ${param} param`);
  return url;
}

/** POSTs through the shared signed client and maps its failures to step errors. */
async function deliver(
  ctx: ActionContext,
  receiver: WebhookReceiverName,
  url: string,
  event: string,
  body: unknown,
  params: { maxAttempts: number; attemptTimeoutMs: number },
): Promise<DeliveryResult> {
  const secret = signingSecret(ctx, receiver);
  try {
    return await ctx.deps.http.post({
      url,
      body,
      secret,
      deliveryId: deliveryId(ctx),
      event,
      maxAttempts: params.maxAttempts,
      attemptTimeoutMs: params.attemptTimeoutMs,
      signal: ctx.signal,
    });
  } catch (error) {
    if (error instanceof DeliveryError) {
      const code = error.kind === 'budget_exhausted' || error.kind === 'timeout' ? 'timeout' : 'delivery_failed';
      throw new ActionError(code, error.message, {
        url: redactUrl(url),
        attempts: error.attempts,
        log: error.log,
        ...(error.status !== undefined && { status: error.status }),
      });
    }
    throw error;
  }
}

// ---- block_ip ----

async function blockIp(ctx: ActionContext, params: StepParams<'block_ip'>): Promise<ActionOutcome> {
  const choice = chooseBlockTarget(
    params.target,
    { sourceIp: ctx.alert.sourceIp, ...(ctx.destinationIp !== undefined && { destinationIp: ctx.destinationIp }) },
    ctx.deps.detection,
  );
  if (!choice.ok) throw new ActionError('refused', choice.reason);
  // The never-block list always wins: automation, an approval or a responder's run alike.
  const protectedBy = neverBlockEntryFor(choice.ip, await neverBlockEntries(ctx.deps.db, ctx.deps.settings.neverBlockCidrs));
  if (protectedBy) {
    throw new ActionError('refused', `refused to block ${choice.ip}: it is on the never-block list (${protectedBy.cidr}, ${protectedBy.reason})`, {
      ip: choice.ip,
      neverBlock: protectedBy,
    });
  }
  // Only an address the alert's own threats saw: its source, or the destination of its latest threat.
  if (choice.ip !== ctx.alert.sourceIp && !(await sawDestination(ctx, choice.ip))) {
    throw new ActionError('refused', `refused to block ${choice.ip}: none of alert ${ctx.alertId}'s threats saw it`);
  }
  const now = ctx.deps.now();
  const expireAt = new Date(now.getTime() + params.ttlHours * HOUR_MS);
  const reason = `${ctx.alert.title}: playbook ${ctx.run.playbookName} (alert ${ctx.alertId})`;
  const plan = { ip: choice.ip, zone: choice.zone, ttlHours: params.ttlHours, expireAt: expireAt.toISOString(), reason };
  if (ctx.run.dryRun) return { output: { dryRun: true, ...plan } };

  const { db } = ctx.deps;
  const ref = blocklistRef(db, choice.ip);
  const result = await db.runTransaction(async (tx) => {
    const existing = (await tx.get(ref)).data();
    // A block is only ever extended: a shorter block from a later alert never shortens it.
    const until = existing && existing.expireAt.toMillis() > expireAt.getTime() ? existing.expireAt : Timestamp.fromDate(expireAt);
    tx.set(ref, {
      ip: choice.ip,
      zone: choice.zone,
      reason,
      alertId: ctx.alertId,
      runId: ctx.run.id,
      playbookId: ctx.run.playbookId,
      blockedBy: ctx.run.actor,
      createdAt: existing?.createdAt ?? Timestamp.fromDate(now),
      updatedAt: Timestamp.fromDate(now),
      expireAt: until,
    });
    return { until, previous: existing?.expireAt };
  });
  const until = result.until.toDate().toISOString();
  return {
    output: {
      ip: choice.ip,
      zone: choice.zone,
      expireAt: until,
      previousExpireAt: result.previous ? result.previous.toDate().toISOString() : null,
    },
    audit: {
      action: 'blocklist.add',
      target: { collection: 'blocklist', id: choice.ip },
      changes: { ip: choice.ip, expireAt: until, reason, alertId: ctx.alertId },
    },
  };
}

/** Whether the alert's latest threat names `ip` as its destination and is not another alert's. */
async function sawDestination(ctx: ActionContext, ip: string): Promise<boolean> {
  const threatId = ctx.alert.threatIds.at(-1);
  if (threatId === undefined) return false;
  const threat = await threatsRaw(ctx.deps.db).doc(threatId).get();
  const linkedTo: unknown = threat.get('alertId');
  return threat.get('destination_ip') === ip && (linkedTo === undefined || linkedTo === ctx.alertId);
}

// ---- notify_webhook ----

async function notifyWebhook(ctx: ActionContext, params: StepParams<'notify_webhook'>): Promise<ActionOutcome> {
  const { settings } = ctx.deps;
  const url =
    params.format === 'slack'
      ? endpoint(settings.slackWebhookUrl, 'PLAYBOOK_SLACK_WEBHOOK_URL', 'Slack webhook')
      : endpoint(settings.webhookUrl, 'PLAYBOOK_WEBHOOK_URL', 'webhook');
  const body =
    params.format === 'slack'
      ? slackMessage(alertView(ctx), runView(ctx))
      : genericEvent(alertView(ctx), runView(ctx), deliveryId(ctx), ctx.deps.now());
  const receiver: WebhookReceiverName = params.format === 'slack' ? 'slack' : 'webhook';
  if (ctx.run.dryRun) {
    signingSecret(ctx, receiver); // a missing secret would fail the real run: say so now
    return { output: { dryRun: true, url: redactUrl(url), format: params.format, body } };
  }
  const result = await deliver(ctx, receiver, url, 'alert.notification', body, params);
  return {
    output: { url: redactUrl(url), format: params.format, status: result.status, attempts: result.attempts, log: result.log },
    audit: {
      action: 'webhook.notify',
      target: { collection: 'webhooks', id: redactUrl(url) },
      changes: { format: params.format, status: result.status, attempts: result.attempts, deliveryId: deliveryId(ctx) },
    },
  };
}

// ---- notify_email ----

async function notifyEmail(ctx: ActionContext, params: StepParams<'notify_email'>): Promise<ActionOutcome> {
  const to = params.to ?? ctx.deps.settings.emailTo;
  if (to.length === 0) throw new ActionError('not_configured', 'no recipients: set the PLAYBOOK_EMAIL_TO param or the step\'s "to"');
  const message = emailMessage(alertView(ctx), runView(ctx), params.subjectPrefix);
  // One mail document per run step: a re-run finds it and does not send twice.
  const mailId = `${ctx.run.id}-${ctx.stepIndex}`;
  if (ctx.run.dryRun) return { output: { dryRun: true, mailId, to, subject: message.subject } };
  let alreadyQueued = false;
  try {
    await mailRef(ctx.deps.db, mailId).create({ to, message });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    alreadyQueued = true;
  }
  return {
    output: { mailId, to, subject: message.subject, alreadyQueued },
    audit: { action: 'mail.queue', target: { collection: 'mail', id: mailId }, changes: { to, subject: message.subject } },
  };
}

// ---- isolate_host ----

async function isolateHost(ctx: ActionContext, params: StepParams<'isolate_host'>): Promise<ActionOutcome> {
  const choice = chooseIsolationTarget(
    params.target,
    { sourceIp: ctx.alert.sourceIp, ...(ctx.destinationIp !== undefined && { destinationIp: ctx.destinationIp }) },
    ctx.deps.detection,
  );
  if (!choice.ok) throw new ActionError('refused', choice.reason);
  const url = endpoint(ctx.deps.settings.edrUrl, 'PLAYBOOK_EDR_URL', 'EDR');
  const body = isolationRequest(alertView(ctx), runView(ctx), choice.ip, deliveryId(ctx), ctx.deps.now());
  if (ctx.run.dryRun) {
    signingSecret(ctx, 'edr');
    return { output: { dryRun: true, host: choice.ip, zone: choice.zone, url: redactUrl(url), body } };
  }
  const result = await deliver(ctx, 'edr', url, 'edr.isolate_host', body, params);
  return {
    output: { host: choice.ip, url: redactUrl(url), status: result.status, attempts: result.attempts, response: result.response, log: result.log },
    audit: {
      action: 'edr.isolate_host',
      target: { collection: 'hosts', id: choice.ip },
      changes: { host: choice.ip, status: result.status, deliveryId: deliveryId(ctx) },
    },
  };
}

// ---- create_ticket ----

/** The ticket id in a ticketing system's answer, under the names they commonly use. */
function ticketIdFrom(response: unknown): string | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  for (const key of ['id', 'key', 'ticketId', 'number']) {
    const value = (response as Record<string, unknown>)[key];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}

async function createTicket(ctx: ActionContext, params: StepParams<'create_ticket'>): Promise<ActionOutcome> {
  const url = endpoint(ctx.deps.settings.ticketingUrl, 'PLAYBOOK_TICKETING_URL', 'ticketing');
  const priority = params.priority ?? ticketPriority(ctx.alert.severity);
  const body = ticketRequest(
    alertView(ctx),
    runView(ctx),
    { priority, ...(params.queue !== undefined && { queue: params.queue }) },
    deliveryId(ctx),
    ctx.deps.now(),
  );
  if (ctx.run.dryRun) {
    signingSecret(ctx, 'ticketing');
    return { output: { dryRun: true, url: redactUrl(url), priority, queue: params.queue ?? null, body } };
  }
  const result = await deliver(ctx, 'ticketing', url, 'ticket.create', body, params);
  const ticketId = ticketIdFrom(result.response) ?? null;
  return {
    output: { ticketId, priority, url: redactUrl(url), status: result.status, attempts: result.attempts, log: result.log },
    audit: {
      action: 'ticket.create',
      target: { collection: 'tickets', id: ticketId ?? deliveryId(ctx) },
      changes: { priority, queue: params.queue ?? null, alertId: ctx.alertId },
    },
  };
}

// ---- escalate ----

async function escalate(ctx: ActionContext, params: StepParams<'escalate'>): Promise<ActionOutcome> {
  const request = { severity: params.severity, assignee: params.assignee, overwriteAssignee: params.overwriteAssignee };
  if (ctx.run.dryRun) return { output: { dryRun: true, ...decideEscalation(ctx.alert, request) } };
  let decision;
  try {
    // The alert's owner writes it; this step's audit entry is written with its result.
    decision = await escalateAlert(ctx.deps.db, ctx.alertId, request, ctx.deps.now());
  } catch (error) {
    if (error instanceof AlertMissing) throw new ActionError('not_found', error.message);
    throw error;
  }
  return {
    output: { ...decision },
    audit: {
      action: 'alert.escalate',
      target: { collection: 'alerts', id: ctx.alertId },
      changes: decision.changed ? { severity: decision.severity.to, assignee: decision.assignee.to } : {},
    },
  };
}

type Handler = (ctx: ActionContext, params: never) => Promise<ActionOutcome>;

/** Every action by name; the executor looks steps up here. */
export const ACTION_HANDLERS: Record<Action, Handler> = {
  block_ip: blockIp,
  notify_webhook: notifyWebhook,
  notify_email: notifyEmail,
  isolate_host: isolateHost,
  create_ticket: createTicket,
  escalate,
};
