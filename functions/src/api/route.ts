import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ApiDeps } from './deps';
import type { Caller, Role } from './roles';

// A route is declared once, as data: its path, who may call it, its request and response
// schemas and its handler. app.ts turns the list into Express routes (auth, roles, rate limit,
// validation) and openapi.ts into the OpenAPI document, so the two cannot drift apart.

/** `reads` applies to every signed-in GET without a scope of its own. */
export type RateLimitScope = 'mutations' | 'simulate' | 'reads';

export interface RouteResponse {
  description: string;
  /** The JSON body's schema; omitted for non-JSON answers. */
  schema?: z.ZodType;
  contentType?: string;
  headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;
}

export interface RouteContext<Params, Query, Body> {
  params: Params;
  query: Query;
  body: Body;
  /** The verified caller; undefined on public routes. */
  caller: Caller | undefined;
  deps: ApiDeps;
  req: Request;
  res: Response;
}

export type RouteResult =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; html: string; headers?: Record<string, string> };

type ZodObjectLike = z.ZodObject | z.ZodType<Record<string, unknown>>;

export interface RouteSpec<
  P extends ZodObjectLike = z.ZodObject,
  Q extends ZodObjectLike = z.ZodObject,
  B extends z.ZodType = z.ZodType,
> {
  method: 'get' | 'post' | 'put';
  /** OpenAPI-style path under /api, e.g. /api/threats/{id}. */
  path: `/api/${string}`;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** 'public', or the lowest role allowed. */
  access: 'public' | Role;
  rateLimit?: RateLimitScope;
  request?: {
    params?: P;
    query?: Q;
    body?: { schema: B; required: boolean; description?: string; example?: unknown };
  };
  /** Success responses by status; error responses are added from the route's shape. */
  responses: Record<number, RouteResponse>;
  /** Extra error statuses this route can answer with beyond the ones implied (e.g. 404, 409). */
  errors?: number[];
  handler: (context: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<RouteResult> | RouteResult;
}

/** Declares a route with its handler's types inferred from its schemas. */
export function defineRoute<P extends ZodObjectLike, Q extends ZodObjectLike, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** The error statuses a route can answer with, from what it declares. */
export function errorStatuses(route: RouteSpec): number[] {
  const statuses = new Set<number>(route.errors ?? []);
  const request = route.request;
  if (request?.params || request?.query || request?.body) statuses.add(400);
  if (route.access !== 'public') {
    statuses.add(401);
    statuses.add(403);
  }
  if (request?.body) {
    statuses.add(413);
    statuses.add(415);
  }
  if (route.rateLimit) statuses.add(429);
  statuses.add(503);
  return [...statuses].sort((a, b) => a - b);
}
