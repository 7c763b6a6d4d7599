import type { RequestHandler } from 'express';
import { PayloadTooLarge, UnsupportedMediaType } from '../errors';

// Transport-level guards that run before any route: CORS, body size, content type, headers.

/** Bodies above this are refused with 413 before anything reads them (an event is ≤ 64 KiB). */
export const MAX_BODY_BYTES = 100 * 1024;

/**
 * CORS for the configured origins only. Same-origin calls (the dashboard on Hosting) and
 * non-browser clients send no Origin, or an allowed one, and are unaffected; a browser page on
 * any other origin gets no CORS headers, so the browser refuses it the response.
 */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    const permitted = origin !== undefined && allowed.has(origin);
    if (permitted) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Expose-Headers', 'Retry-After, RateLimit-Limit, RateLimit-Remaining');
    }
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;
    if (!preflight) return next();
    if (permitted) {
      res.set('Access-Control-Allow-Methods', 'GET, POST, PUT, OPTIONS');
      res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.set('Access-Control-Max-Age', '600');
    }
    res.status(204).end();
  };
}

/** Headers every answer carries: nothing here is meant to be cached by a shared cache or sniffed. */
export const baseHeaders: RequestHandler = (_req, res, next) => {
  res.set('X-Content-Type-Options', 'nosniff');
  // JSON needs no script, style or framing; the docs page replaces this with its own policy.
  res.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.set('Cache-Control', 'no-store');
  res.set('Referrer-Policy', 'no-referrer');
  next();
};

/** The body's size as sent: the raw bytes when the platform already read them, else Content-Length. */
function bodyBytes(req: Parameters<RequestHandler>[0]): number {
  const raw = (req as { rawBody?: Buffer }).rawBody;
  if (Buffer.isBuffer(raw)) return raw.byteLength;
  const length = Number(req.get('content-length') ?? 0);
  return Number.isFinite(length) ? length : 0;
}

export function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  return bodyBytes(req) > 0 || req.get('transfer-encoding') !== undefined;
}

/** 413 for oversized bodies, whoever parsed them (Cloud Functions parses up to 32 MB itself). */
export const bodyLimit: RequestHandler = (req, _res, next) => {
  if (bodyBytes(req) > MAX_BODY_BYTES) return next(new PayloadTooLarge(MAX_BODY_BYTES));
  next();
};

/** A body, when there is one, must be JSON. */
export function requireJsonBody(req: Parameters<RequestHandler>[0]): void {
  if (hasBody(req) && !req.is(['application/json', 'application/*+json'])) {
    throw new UnsupportedMediaType(`request body must be application/json, not ${req.get('content-type') ?? 'unspecified'}`);
  }
}
