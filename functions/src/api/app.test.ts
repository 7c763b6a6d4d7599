// The Express app over real HTTP on 127.0.0.1 with fake dependencies: routing, auth and roles,
// the error mapping, body handling where nothing parsed the body before the app (unlike Cloud
// Functions), CORS, and response validation. The emulator suites cover the real services.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Firestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from './app';
import { DEFAULT_RETENTION_DAYS, ShardCursor } from '../metrics/buckets';
import type { ApiDeps } from './deps';
import { MemoryRateLimiter } from './services/rate-limiter';
import { defineRoute } from './route';
import { apiRoutes } from './routes';
import { z } from 'zod';

const published: { data: Buffer; attributes: Record<string, string> }[] = [];
let rateAllowed = true;

const TOKENS: Record<string, { uid: string; role?: string }> = {
  viewer: { uid: 'u-viewer', role: 'viewer' },
  reader: { uid: 'u-reader', role: 'viewer' },
  admin: { uid: 'u-admin', role: 'admin' },
  norole: { uid: 'u-none' },
  weird: { uid: 'u-weird', role: 'root' },
};

const readerLimiter = new MemoryRateLimiter(() => new Date('2026-01-01T00:00:30Z'));
const deps: ApiDeps = {
  db: {} as Firestore,
  auth: {
    verifyIdToken: async (token) => {
      if (token === 'expired') throw Object.assign(new Error('expired'), { code: 'auth/id-token-expired' });
      if (token === 'down') throw Object.assign(new Error('ECONNREFUSED'), { code: 'app/network-error' });
      const user = TOKENS[token];
      if (!user) throw Object.assign(new Error('bad'), { code: 'auth/argument-error' });
      return { uid: user.uid, role: user.role } as never;
    },
  },
  publisher: {
    publish: async (data, attributes) => {
      published.push({ data, attributes });
      return `msg-${published.length}`;
    },
  },
  health: {
    firestore: async () => 'reachable',
    pubsub: async () => 'reachable',
    kafka: async () => 'not_configured',
    gemini: async () => 'degraded',
  },
  rateLimiter: {
    consume: async (_scope, _key, limit) =>
      rateAllowed
        ? { allowed: true, limit, remaining: limit - 1, retryAfterSeconds: 0 }
        : { allowed: false, limit, remaining: 0, retryAfterSeconds: 17 },
  },
  // A real in-memory limiter for the user the read-limit test uses; every other read is allowed.
  readRateLimiter: {
    consume: (scope, key, limit, windowMs) =>
      key === 'u-reader' ? readerLimiter.consume(scope, key, limit, windowMs) : Promise.resolve({ allowed: true, limit, remaining: limit, retryAfterSeconds: 0 }),
  },
  playbooks: undefined,
  analytics: undefined,
  metrics: { db: {} as Firestore, now: () => new Date('2026-01-01T00:00:00Z'), cursor: new ShardCursor(), retentionDays: DEFAULT_RETENTION_DAYS },
  config: {
    version: 'test',
    environment: 'emulator',
    allowedOrigins: ['https://console.example'],
    rateLimits: { mutationsPerMinute: 30, simulationsPerMinute: 60, readsPerMinute: 3 },
    authEmulatorHost: undefined,
    detectionEnvironment: 'local',
    validateResponses: true,
  },
  now: () => new Date('2026-01-01T00:00:00Z'),
};

// A route that answers with a body its schema refuses: response validation must turn it into a 500.
const brokenRoute = defineRoute({
  method: 'get',
  path: '/api/broken',
  operationId: 'broken',
  summary: 'broken',
  tags: ['test'],
  access: 'public',
  responses: { 200: { description: 'x', schema: z.object({ n: z.number() }) } },
  handler: () => ({ json: { n: 'not a number' } }),
});

let server: Server;
let base: string;

beforeAll(async () => {
  server = createApiApp(deps, [...apiRoutes, brokenRoute]).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const response = await fetch(`${base}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const event = { event_id: 'e-1', timestamp: '2026-01-01T00:00:00Z', event_type: 'brute_force', source_ip: '185.234.72.91' };
const json = (body: unknown, token: string | null = 'admin') => ({
  method: 'POST',
  ...(token !== null && { token }),
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('the app', () => {
  it('serves the same route under /api and at the root (Hosting and the function URL)', async () => {
    for (const path of ['/api/health', '/health']) {
      const response = await call(path);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'degraded', services: { gemini: 'degraded', kafka: 'not_configured' } });
    }
  });

  it.each([
    ['no token', null, 401, 'unauthenticated'],
    ['an expired token', 'expired', 401, 'unauthenticated'],
    ['a token that is not one', 'garbage', 401, 'unauthenticated'],
    ['a token without a role', 'norole', 403, 'permission_denied'],
    ['a token with an unknown role', 'weird', 403, 'permission_denied'],
    ['a viewer on an admin route', 'viewer', 403, 'permission_denied'],
    ['Auth not answering', 'down', 503, 'unavailable'],
  ])('%s: token %s → %i %s', async (_name, token, status, code) => {
    const response = await call('/api/simulate/event', json(event, token));
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
  });

  it('publishes a valid event as sent, with its attributes', async () => {
    const response = await call('/api/simulate/event', json({ ...event, sensor: 'fw-1' }));
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ messageId: `msg-${published.length}`, eventId: 'e-1' });
    const last = published[published.length - 1]!;
    expect(JSON.parse(last.data.toString())).toEqual({ ...event, sensor: 'fw-1' });
    expect(last.attributes).toEqual({ event_id: 'e-1', source: 'api.simulate', submitted_by: 'u-admin' });
  });

  it.each([
    ['malformed JSON', '{"event_id": ', 400, 'invalid_argument'],
    ['a JSON string', '"just a string"', 400, 'invalid_argument'],
    ['a JSON array', '[1, 2]', 400, 'invalid_argument'],
    ['a body over 100 KiB', JSON.stringify({ ...event, payload: { blob: 'x'.repeat(120_000) } }), 413, 'payload_too_large'],
  ])('%s is refused with a JSON error', async (_name, body, status, code) => {
    const before = published.length;
    const response = await call('/api/simulate/event', json(body));
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(published.length).toBe(before);
  });

  it('415 for a body that is not JSON', async () => {
    const response = await call('/api/simulate/event', { method: 'POST', token: 'admin', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(response.status).toBe(415);
  });

  it('429 with Retry-After when the rate limiter refuses', async () => {
    rateAllowed = false;
    try {
      const response = await call('/api/simulate/event', json(event));
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('17');
      expect(response.body.error).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 17, limit: 60 } });
    } finally {
      rateAllowed = true;
    }
  });

  it('rate-limits reads per user (every signed-in GET), never the public health check', async () => {
    // readsPerMinute is 3 in these deps; the reader's window starts fresh.
    for (let i = 0; i < 3; i++) {
      const ok = await call('/api/playbooks', { token: 'reader' });
      expect(ok.status, `read ${i + 1}`).toBe(503); // past the limiter: the module is not wired here
      expect(ok.headers.get('ratelimit-limit')).toBe('3');
    }
    const refused = await call('/api/threats/not-an-id-that-matters', { token: 'reader' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', details: { limit: 3 } });
    // another user is not affected, and /api/health is public and not counted
    expect((await call('/api/playbooks', { token: 'viewer' })).status).toBe(503);
    for (let i = 0; i < 5; i++) expect((await call('/api/health')).status).toBe(200);
  });

  it('503 unavailable for a module that is not wired', async () => {
    const response = await call('/api/playbooks', { token: 'viewer' });
    expect(response.status).toBe(503);
    expect(response.body.error).toMatchObject({ code: 'unavailable', details: { module: 'playbooks' } });
  });

  it('404 JSON for unknown paths, 405 with Allow for known ones', async () => {
    expect((await call('/api/nope')).body).toEqual({ error: { code: 'not_found', message: 'no route for GET /api/nope' } });
    const wrong = await call('/api/simulate/event', { method: 'GET', token: 'admin' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const options = await call('/api/simulate/event', { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('400, not 500, for a path segment that is not valid percent-encoding', async () => {
    const response = await call('/api/threats/%E0%A4%A', { token: 'viewer' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_argument');
  });

  it.each(['__name__', '__x__'])('400 for the reserved document id %s as an alert id', async (id) => {
    const response = await call(`/api/alerts/${encodeURIComponent(id)}/resolve`, { method: 'POST', token: 'admin' });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].path).toBe('path.id');
  });

  it('a response that breaks its own schema is a 500, not a silent lie', async () => {
    const response = await call('/api/broken');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });

  it('CORS only for the configured origins', async () => {
    const allowed = await call('/api/health', { headers: { origin: 'https://console.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example');
    expect(allowed.headers.get('vary')).toMatch(/Origin/);
    const other = await call('/api/health', { headers: { origin: 'https://elsewhere.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the OpenAPI document says what the event schema refines (addresses, non-blank strings)', async () => {
    const spec = (await call('/api/openapi.json')).body;
    const event = spec.components.schemas.SecurityEvent.properties;
    expect(event.source_ip.anyOf).toEqual([{ format: 'ipv4' }, { format: 'ipv6' }]);
    expect(event.event_type.allOf).toEqual([{ pattern: '\\S' }]);
    expect(new RegExp(event.event_type.allOf[0].pattern).test('   ')).toBe(false);
    expect(spec.paths['/api/alerts/{id}/resolve'].post['x-required-role']).toBe('analyst');
  });

  it('security headers on every answer', async () => {
    const response = await call('/api/nope');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
