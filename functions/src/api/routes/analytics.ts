import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { Unavailable } from '../errors';
import { defineRoute } from '../route';
import {
  AnalyticsSummarySchema,
  DashboardSchema,
  RISK_WINDOWS,
  RiskIndexViewSchema,
  TimelineQuery,
  TimelineSchema,
} from '../schemas';
import type { AnalyticsService } from '../services/analytics';

function analyticsOf(deps: ApiDeps): AnalyticsService {
  if (!deps.analytics) throw new Unavailable('metrics and the risk index are not deployed in this build', { module: 'metrics' });
  return deps.analytics;
}

const FROM_BUCKETS = 'Served from the metric buckets and the risk index; no threat document is read.';

export const dashboardRoute = defineRoute({
  method: 'get',
  path: '/api/analytics/dashboard',
  operationId: 'getDashboard',
  summary: 'Dashboard figures',
  description: `The current risk index, the number of unresolved alerts, the current hour's counts (by severity, top event types and countries) and the last 15 minutes. ${FROM_BUCKETS}`,
  tags: ['analytics'],
  access: 'viewer',
  responses: { 200: { description: 'Dashboard figures.', schema: DashboardSchema } },
  handler: async ({ deps }) => ({ json: await analyticsOf(deps).dashboard(deps.now()) }),
});

export const riskIndexRoute = defineRoute({
  method: 'get',
  path: '/api/analytics/risk-index',
  operationId: 'getRiskIndex',
  summary: 'The estate-wide risk index and its timeline',
  description: `riskIndex/current (with the contributions that explain it) and the per-minute index over the window. ${FROM_BUCKETS}`,
  tags: ['analytics'],
  access: 'viewer',
  request: { query: z.object({ window: z.enum(RISK_WINDOWS).default('1h').openapi({ description: 'Timeline length.' }) }) },
  responses: { 200: { description: 'The risk index.', schema: RiskIndexViewSchema } },
  handler: async ({ deps, query }) => ({ json: await analyticsOf(deps).riskIndex({ window: query.window, now: deps.now() }) }),
});

export const timelineRoute = defineRoute({
  method: 'get',
  path: '/api/analytics/timeline',
  operationId: 'getTimeline',
  summary: 'Threat counts per time bucket',
  description: `Events and threats by severity per minute or hour bucket over the window, oldest first (the last bucket is the current, partial one). Minute buckets for up to 180 minutes; longer windows come in hour buckets. ${FROM_BUCKETS}`,
  tags: ['analytics'],
  access: 'viewer',
  request: { query: TimelineQuery },
  responses: { 200: { description: 'The timeline.', schema: TimelineSchema } },
  handler: async ({ deps, query }) => ({ json: await analyticsOf(deps).timeline({ ...query, now: deps.now() }) }),
});

export const summaryRoute = defineRoute({
  method: 'get',
  path: '/api/analytics/summary',
  operationId: 'getAnalyticsSummary',
  summary: 'The last 24 hours in figures',
  description: `Events and threats by severity over the last 24 hourly buckets, the peak hour, and the risk index's current value and range. ${FROM_BUCKETS}`,
  tags: ['analytics'],
  access: 'viewer',
  responses: { 200: { description: 'The summary.', schema: AnalyticsSummarySchema } },
  handler: async ({ deps }) => ({ json: await analyticsOf(deps).summary(deps.now()) }),
});
