import { z } from 'zod';
import * as log from '../../logs';
import type { ApiDeps } from '../deps';
import { InvalidArgument, Unavailable } from '../errors';
import { defineRoute } from '../route';
import {
  ExecutePlaybookBodySchema,
  ExecutePlaybookResultSchema,
  PlaybookHistoryQuery,
  PlaybookListSchema,
  PlaybookRunPageSchema,
} from '../schemas';
import type { PlaybookService } from '../services/playbooks';
import { actorOf } from './alerts';

function playbooksOf(deps: ApiDeps): PlaybookService {
  if (!deps.playbooks) throw new Unavailable('playbooks are not deployed in this build', { module: 'playbooks' });
  return deps.playbooks;
}

const IdempotencyKey = z.string().min(1).max(200);

export const listPlaybooksRoute = defineRoute({
  method: 'get',
  path: '/api/playbooks',
  operationId: 'listPlaybooks',
  summary: 'Response playbooks',
  description: 'Every stored playbook (the built-ins are seeded on first use), ordered by id.',
  tags: ['playbooks'],
  access: 'viewer',
  responses: { 200: { description: 'Every playbook.', schema: PlaybookListSchema } },
  handler: async ({ deps }) => ({ json: { playbooks: await playbooksOf(deps).list(deps.now()) } }),
});

export const executePlaybookRoute = defineRoute({
  method: 'post',
  path: '/api/playbooks/execute',
  operationId: 'executePlaybook',
  summary: 'Run a playbook against an alert',
  description:
    'Runs the playbook on the alert now, whether or not it is an automatic one, waits for it to finish and answers with the run record (per-step status, output or error, timings). With dryRun, each step records what it would do and nothing happens. Send an Idempotency-Key header to make retries safe: the same key from the same user answers with the same run. The run and an audit entry are written either way.',
  tags: ['playbooks'],
  access: 'responder',
  rateLimit: 'mutations',
  request: { body: { schema: ExecutePlaybookBodySchema, required: true, example: { alertId: 'alert-id', playbookId: 'brute-force-response', dryRun: true } } },
  responses: { 200: { description: 'The finished run.', schema: ExecutePlaybookResultSchema } },
  errors: [404, 409],
  handler: async ({ deps, body, caller, req }) => {
    const playbooks = playbooksOf(deps);
    const header = req.get('idempotency-key');
    const key = header === undefined ? undefined : IdempotencyKey.safeParse(header);
    if (key && !key.success) {
      throw new InvalidArgument('Idempotency-Key must be 1-200 characters', [{ path: 'header.idempotency-key', message: 'invalid' }]);
    }
    log.playbookRequested(body.playbookId, body.alertId, body.dryRun, caller!.uid);
    const result = await playbooks.execute({
      ...body,
      actor: actorOf(caller!),
      ...(key?.success && { requestKey: key.data }),
    });
    return { json: result };
  },
});

export const playbookHistoryRoute = defineRoute({
  method: 'get',
  path: '/api/playbooks/history',
  operationId: 'listPlaybookRuns',
  summary: 'Playbook runs, newest first',
  description:
    'Automatic and manual runs, newest first, optionally for one alert; pass `nextCursor` back as `cursor`. A page stops early at about 1 MiB of JSON, saying so in `truncated`. Analysts and above: runs hold blocked addresses, EDR responses and responders\' e-mail addresses (as firestore.rules).',
  tags: ['playbooks'],
  access: 'analyst',
  request: { query: PlaybookHistoryQuery },
  responses: { 200: { description: 'A page of runs.', schema: PlaybookRunPageSchema } },
  handler: async ({ deps, query }) => {
    const { items, ...page } = await playbooksOf(deps).history(query);
    return { json: { runs: items, ...page } };
  },
});
