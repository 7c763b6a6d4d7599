import type { AuditActor } from '../../firestore/schema';
import type { Caller } from '../roles';
import { defineRoute } from '../route';
import { ActiveAlertsQuery, AlertIdParams, AlertListSchema, AlertSchema, AlertTransitionBodySchema } from '../schemas';
import { boundedPage, withId } from '../serialize';
import { activeAlerts, transitionAlert, type AlertAction } from '../services/alerts';
import { encodeIdCursor } from '../services/cursors';

export function actorOf(caller: Caller): AuditActor {
  return {
    type: 'user',
    id: caller.uid,
    ...(caller.email && { email: caller.email }),
    ...(caller.role && { role: caller.role }),
  };
}

export const activeAlertsRoute = defineRoute({
  method: 'get',
  path: '/api/alerts/active',
  operationId: 'listActiveAlerts',
  summary: 'Open and acknowledged alerts, most recently active first',
  description:
    'Pass `nextCursor` back as `cursor` for the next page. A page stops early at about 1 MiB of JSON (an alert keeps up to 50 threat and event ids), saying so in `truncated`.',
  tags: ['alerts'],
  access: 'viewer',
  request: { query: ActiveAlertsQuery },
  responses: { 200: { description: 'Unresolved alerts.', schema: AlertListSchema } },
  handler: async ({ deps, query }) => {
    const page = await activeAlerts(deps.db, query);
    const { items, ...rest } = boundedPage(page.alerts, {
      requested: query.limit,
      nextCursor: page.nextCursor,
      toWire: (alert) => withId(alert.id, alert.doc),
      cursorOf: (alert) => encodeIdCursor(alert.id),
    });
    return { json: { alerts: items, ...rest } };
  },
});

function transitionRoute(action: AlertAction) {
  const verb = action === 'acknowledge' ? 'Acknowledge' : 'Resolve';
  return defineRoute({
    method: 'post',
    path: `/api/alerts/{id}/${action}`,
    operationId: `${action}Alert`,
    summary: `${verb} an alert`,
    description:
      action === 'acknowledge'
        ? 'OPEN → ACKNOWLEDGED. Records who and when (and assigns the alert to the caller if unassigned) and writes an audit log entry, in one transaction. 409 if the alert is not OPEN.'
        : 'OPEN or ACKNOWLEDGED → RESOLVED. Records who, when and the note, and writes an audit log entry, in one transaction. 409 if already resolved.',
    tags: ['alerts'],
    access: 'analyst',
    rateLimit: 'mutations',
    request: {
      params: AlertIdParams,
      body: { schema: AlertTransitionBodySchema, required: false },
    },
    responses: { 200: { description: 'The alert after the transition.', schema: AlertSchema } },
    errors: [404, 409],
    handler: async ({ deps, params, body, caller }) => {
      const alert = await transitionAlert(
        deps.db,
        { alertId: params.id, action, actor: actorOf(caller!), note: body?.note || undefined, now: deps.now() },
        deps.metrics,
      );
      return { json: withId(alert.id, alert.doc) };
    },
  });
}

export const acknowledgeAlertRoute = transitionRoute('acknowledge');
export const resolveAlertRoute = transitionRoute('resolve');
