import type { ErrorRequestHandler } from 'express';
import { ZodError, type z } from 'zod';
import * as log from '../logs';

// Every error the API answers with, and the one place that maps errors to HTTP status and the
// JSON body `{error: {code, message, details?}}`. Routes throw; nothing else writes an error body.

export const ERROR_CODES = [
  'invalid_argument',
  'unauthenticated',
  'permission_denied',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface Issue {
  path: string;
  message: string;
  code?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 400: the request's path, query or body is not what the route accepts. */
export class InvalidArgument extends ApiError {
  constructor(message: string, issues?: Issue[]) {
    super(400, 'invalid_argument', message, issues && { issues });
  }
  static fromZod(where: string, error: z.ZodError): InvalidArgument {
    const issues = error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
      code: issue.code,
    }));
    return new InvalidArgument(`invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
}

/** 401: no token, or one that is malformed, expired, revoked or for a disabled user. */
export class Unauthenticated extends ApiError {
  constructor(message: string) {
    super(401, 'unauthenticated', message, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
}

/** 403: a valid token whose role is too low for the route (or that has no role at all). */
export class PermissionDenied extends ApiError {
  constructor(message: string, details?: unknown) {
    super(403, 'permission_denied', message, details);
  }
}

export class NotFound extends ApiError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class MethodNotAllowed extends ApiError {
  constructor(method: string, allowed: string[]) {
    super(405, 'method_not_allowed', `${method} is not allowed here; use ${allowed.join(', ')}`, { allowed }, {
      Allow: allowed.join(', '),
    });
  }
}

/** 409: the resource is not in a state that allows the change (e.g. resolving a resolved alert). */
export class Conflict extends ApiError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}

export class PayloadTooLarge extends ApiError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `request body is over the ${limitBytes}-byte limit`, { limitBytes });
  }
}

export class UnsupportedMediaType extends ApiError {
  constructor(message = 'request body must be application/json') {
    super(415, 'unsupported_media_type', message);
  }
}

/** 429, with Retry-After in whole seconds. */
export class RateLimited extends ApiError {
  constructor(retryAfterSeconds: number, limit: number, windowSeconds: number) {
    super(
      429,
      'rate_limited',
      `rate limit of ${limit} requests per ${windowSeconds} s exceeded; retry in ${retryAfterSeconds} s`,
      { limit, windowSeconds, retryAfterSeconds },
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}

/** 503: a dependency (Firestore, Pub/Sub, a module not deployed) cannot serve the request now. */
export class Unavailable extends ApiError {
  constructor(message: string, details?: unknown) {
    super(503, 'unavailable', message, details);
  }
}

// gRPC status codes from Google client libraries that mean "try again later".
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;

/** body-parser's errors carry a `type`; they are the client's fault, never a 500. */
function fromBodyParser(error: { type?: unknown; status?: unknown; limit?: unknown }): ApiError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new InvalidArgument('request body is not valid JSON');
    case 'entity.too.large':
      return new PayloadTooLarge(typeof error.limit === 'number' ? error.limit : 0);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaType('request body encoding or charset is not supported');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new InvalidArgument('request body could not be read');
    default:
      return undefined;
  }
}

/** Maps anything thrown by a route to the error the client sees. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (typeof error === 'object' && error !== null) {
    const parsed = fromBodyParser(error as { type?: unknown });
    if (parsed) return parsed;
    // Express's router: a path segment that is not valid percent-encoding (status 400).
    const status = (error as { status?: unknown }).status;
    if (status === 400) return new InvalidArgument(`invalid request: ${(error as Error).message}`);
    const code = (error as { code?: unknown }).code;
    if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_RESOURCE_EXHAUSTED) {
      return new Unavailable('a backing service is unavailable; retry shortly');
    }
  }
  // A stored document that fails its schema (ZodError from a converter) is our fault, not the
  // client's: it is a 500 like any other bug, logged with the cause.
  return new ApiError(500, 'internal', 'internal error');
}

export function errorBody(error: ApiError): { error: { code: ErrorCode; message: string; details?: unknown } } {
  return {
    error: { code: error.code, message: error.message, ...(error.details !== undefined && { details: error.details }) },
  };
}

/** The Express error handler: the only place an error becomes a response. */
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const apiError = toApiError(error);
  const context = {
    status: apiError.status,
    code: apiError.code,
    method: req.method,
    path: req.path,
    uid: res.locals.user?.uid as string | undefined,
  };
  if (apiError.status >= 500) {
    log.apiError({ ...context, cause: describe(error) });
  } else {
    log.apiRejected({ ...context, message: apiError.message });
  }
  if (res.headersSent) return;
  res.status(apiError.status).set(apiError.headers).json(errorBody(apiError));
};

function describe(error: unknown): string {
  if (error instanceof ZodError) return `stored document failed its schema: ${error.message}`;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
