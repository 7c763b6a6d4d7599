import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import type { ApiDeps } from './deps';
import { ApiError, InvalidArgument, MethodNotAllowed, NotFound, RateLimited, errorHandler } from './errors';
import { authenticate, authorize } from './middleware/auth';
import { MAX_BODY_BYTES, baseHeaders, bodyLimit, cors, hasBody, requireJsonBody } from './middleware/http';
import type { Caller } from './roles';
import type { RateLimitScope, RouteResult, RouteSpec } from './route';
import { apiRoutes } from './routes';

const RATE_WINDOW_MS = 60_000;

/**
 * The API as an Express app. The same router is mounted at /api (requests through Hosting's
 * /api/** rewrite keep their path) and at / (the function URL …/us-central1/api/… reaches the
 * function with the prefix already stripped), so both addresses serve every route.
 */
export function createApiApp(deps: ApiDeps, routes: RouteSpec[] = apiRoutes): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.set('query parser', 'simple');
  app.use(baseHeaders);
  app.use(cors(deps.config.allowedOrigins));
  app.use(bodyLimit);
  // Cloud Functions (and its emulator) parse JSON bodies before the app sees them; this parser
  // only runs where they have not (a plain HTTP server in tests), with the same limit.
  app.use(express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] }));

  const router = buildRouter(deps, routes);
  app.use('/api', router);
  app.use(router);
  app.use((req: Request, _res: Response, next: NextFunction) => next(new NotFound(`no route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}

function buildRouter(deps: ApiDeps, routes: RouteSpec[]): Router {
  const router = express.Router({ strict: false, caseSensitive: true });
  const methodsByPath = new Map<string, string[]>();
  for (const route of routes) {
    const path = expressPath(route.path);
    router[route.method](path, handlerFor(route, deps));
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), route.method.toUpperCase()]);
  }
  // A known path with a method it does not serve: 405 with Allow (OPTIONS: 204 with Allow).
  for (const [path, methods] of methodsByPath) {
    const allowed = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
    router.all(path, (req: Request, res: Response) => {
      if (req.method === 'OPTIONS') {
        res.set('Allow', [...allowed, 'OPTIONS'].join(', ')).status(204).end();
        return;
      }
      throw new MethodNotAllowed(req.method, allowed);
    });
  }
  return router;
}

/** /api/threats/{id} → /threats/:id (the router is mounted under /api and at the root). */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/^\/api/, '').replace(/\{(\w+)\}/g, ':$1') || '/';
}

function handlerFor(route: RouteSpec, deps: ApiDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    let caller: Caller | undefined;
    if (route.access !== 'public') {
      caller = await authenticate(deps.auth, req, route.method !== 'get');
      res.locals.user = caller;
      authorize(caller, route.access);
    }
    const scope = route.rateLimit ?? (route.method === 'get' ? 'reads' : undefined);
    if (scope && caller) await enforceRateLimit(deps, scope, caller.uid, res);

    const params = parse('path', route.request?.params, req.params);
    const query = parse('query', route.request?.query, req.query);
    let body: unknown;
    const bodySpec = route.request?.body;
    if (bodySpec) {
      requireJsonBody(req);
      const present = hasBody(req) && req.body !== undefined;
      if (!present && bodySpec.required) throw new InvalidArgument('request body is required');
      body = present ? parse('body', bodySpec.schema, req.body) : undefined;
    }

    const result = await route.handler({ params, query, body, caller, deps, req, res } as Parameters<RouteSpec['handler']>[0]);
    send(route, deps, res, result);
  };
}

function parse(where: string, schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return {};
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw InvalidArgument.fromZod(where, result.error);
  return result.data;
}

async function enforceRateLimit(deps: ApiDeps, scope: RateLimitScope, uid: string, res: Response): Promise<void> {
  const { rateLimits } = deps.config;
  const limit = scope === 'simulate' ? rateLimits.simulationsPerMinute : scope === 'reads' ? rateLimits.readsPerMinute : rateLimits.mutationsPerMinute;
  const limiter = scope === 'reads' ? deps.readRateLimiter : deps.rateLimiter;
  const decision = await limiter.consume(scope, uid, limit, RATE_WINDOW_MS);
  res.set('RateLimit-Limit', String(decision.limit));
  res.set('RateLimit-Remaining', String(decision.remaining));
  if (!decision.allowed) throw new RateLimited(decision.retryAfterSeconds, decision.limit, RATE_WINDOW_MS / 1000);
}

function send(route: RouteSpec, deps: ApiDeps, res: Response, result: RouteResult): void {
  const status = result.status ?? 200;
  if (result.headers) res.set(result.headers);
  if ('html' in result) {
    res.status(status).type('html').send(result.html);
    return;
  }
  const schema = route.responses[status]?.schema;
  if (deps.config.validateResponses) {
    if (!schema) throw new ApiError(500, 'internal', `route ${route.operationId} answered ${status}, which it does not declare`);
    const check = schema.safeParse(result.json);
    if (!check.success) {
      throw new Error(`response of ${route.operationId} does not match its schema: ${check.error.message}`);
    }
  }
  res.status(status).json(result.json);
}
