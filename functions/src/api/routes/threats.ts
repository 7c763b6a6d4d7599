import { NotFound } from '../errors';
import { defineRoute } from '../route';
import {
  RecentThreatsQuery,
  ThreatIdParams,
  ThreatPageSchema,
  ThreatSchema,
  ThreatStatsQuery,
  ThreatStatsSchema,
} from '../schemas';
import { boundedPage, withId } from '../serialize';
import { encodeCursor, findThreat, recentThreats, threatStats } from '../services/threats';

export const recentThreatsRoute = defineRoute({
  method: 'get',
  path: '/api/threats/recent',
  operationId: 'listRecentThreats',
  summary: 'Recent threats, newest first',
  description:
    'Ordered by createdAt, newest first; pass `nextCursor` back as `cursor` for older pages. A page stops early at about 1 MiB of JSON, saying so in `truncated`; `nextCursor` then continues after the last threat sent.',
  tags: ['threats'],
  access: 'viewer',
  request: { query: RecentThreatsQuery },
  responses: { 200: { description: 'A page of threats.', schema: ThreatPageSchema } },
  handler: async ({ deps, query }) => {
    const page = await recentThreats(deps.db, query);
    const { items, ...rest } = boundedPage(page.threats, {
      requested: query.limit,
      nextCursor: page.nextCursor,
      toWire: (threat) => withId(threat.id, threat.doc),
      cursorOf: encodeCursor,
    });
    return { json: { threats: items, ...rest } };
  },
});

// Declared before /threats/{id}, which would otherwise take "stats" for an id.
export const threatStatsRoute = defineRoute({
  method: 'get',
  path: '/api/threats/stats/summary',
  operationId: 'getThreatStats',
  summary: 'Threat counts and risk score statistics',
  description: 'Firestore aggregation queries (count, sum, average) over the window; no threat document is read.',
  tags: ['threats'],
  access: 'viewer',
  request: { query: ThreatStatsQuery },
  responses: { 200: { description: 'Counts by severity and type, risk score sum and average.', schema: ThreatStatsSchema } },
  handler: async ({ deps, query }) => ({ json: await threatStats(deps.db, query.window, deps.now()) }),
});

export const threatByIdRoute = defineRoute({
  method: 'get',
  path: '/api/threats/{id}',
  operationId: 'getThreat',
  summary: 'One threat, by event id or document id',
  tags: ['threats'],
  access: 'viewer',
  request: { params: ThreatIdParams },
  responses: { 200: { description: 'The threat.', schema: ThreatSchema } },
  errors: [404],
  handler: async ({ deps, params }) => {
    const threat = await findThreat(deps.db, params.id);
    if (!threat) throw new NotFound(`no threat with event id or id "${params.id}"`);
    return { json: withId(threat.id, threat.doc) };
  },
});
