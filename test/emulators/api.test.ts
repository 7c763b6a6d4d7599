// The HTTPS API over real HTTP on the Emulator Suite: through Hosting's /api/** rewrite and at
// the function URL, with real ID tokens from the Auth emulator.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Timestamp } from 'firebase-admin/firestore';
import { encodeCursor } from '../../functions/src/api/services/threats';
import { threatIdFor } from '../../functions/src/firestore/refs';
import { FUNCTION_API, HOSTING_API, call, storeThreats, threatFixture } from '../support/api';
import { adminAuth, craftIdToken, createUsersByRole, signIn, type Role, type TestUser } from '../support/auth';
import { firestore, runId, uniquePublicIp, waitFor } from '../support/emulators';

let users: Record<Role | 'none', TestUser>;

beforeAll(async () => {
  users = await createUsersByRole();
});

const BASES = [
  ['Hosting', HOSTING_API],
  ['function URL', FUNCTION_API],
] as const;

describe.each(BASES)('through %s', (_name, base) => {
  it('GET /health is public and reports every service', async () => {
    const response = await call('/health', { base });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      environment: 'emulator',
      services: { firestore: 'reachable', pubsub: 'reachable', kafka: 'not_configured' },
    });
    expect(['configured', 'not_configured', 'degraded']).toContain(response.body.services.gemini);
    expect(Date.parse(response.body.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(typeof response.body.version).toBe('string');
  });

  it('GET /threats/{id} finds a threat by event id, and answers 401 without a token', async () => {
    const eventId = runId('byid');
    await storeThreats([threatFixture({ eventId, severity: 'LOW', createdAt: new Date() })]);
    const response = await call(`/threats/${eventId}`, { base, token: users.viewer.idToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: threatIdFor(eventId), event_id: eventId, risk: { severity: 'LOW' } });
    const anonymous = await call(`/threats/${eventId}`, { base });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await call('/no-such-thing', { base, token: users.viewer.idToken });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('no-such-thing') } });
  });
});

describe('authentication', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['no Authorization header', {}, /missing Authorization/],
    ['a Basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }, /Bearer/],
    ['a token that is not a JWT', { authorization: 'Bearer not-a-token' }, /malformed|could not be verified|invalid/i],
    [
      'an expired token',
      { authorization: `Bearer ${craftIdToken({ uid: 'expired-user', role: 'admin', expiresInSeconds: -600 })}` },
      /expired/,
    ],
    [
      'a token minted for another project',
      {
        authorization: `Bearer ${craftIdToken({ uid: 'other', role: 'admin', expiresInSeconds: 600, projectId: 'demo-other' })}`,
      },
      /malformed|could not be verified|invalid/i,
    ],
  ];
  it.each(cases)('401 for %s', async (_name, headers, message) => {
    const response = await call('/threats/recent', { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.body.error.code).toBe('unauthenticated');
    expect(response.body.error.message).toMatch(message);
  });

  it('403 for a signed-in user without a role claim', async () => {
    const response = await call('/threats/recent', { token: users.none.idToken });
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: 'permission_denied', details: { required: 'viewer', role: null } });
  });
});

describe('roles', () => {
  // Each route with a request that passes validation far enough to prove the role check passed:
  // an allowed role gets past 401/403 (to 200, 404, 400 or 503), a lower one gets 403.
  const table: [string, Role, (token: string) => Promise<{ status: number; body: any }>][] = [
    ['GET /threats/recent', 'viewer', (token) => call('/threats/recent?limit=1', { token })],
    ['GET /threats/stats/summary', 'viewer', (token) => call('/threats/stats/summary?window=1h', { token })],
    ['GET /alerts/active', 'viewer', (token) => call('/alerts/active?limit=1', { token })],
    ['GET /playbooks', 'viewer', (token) => call('/playbooks', { token })],
    ['GET /playbooks/history', 'analyst', (token) => call('/playbooks/history?limit=1', { token })],
    ['GET /analytics/timeline', 'viewer', (token) => call('/analytics/timeline', { token })],
    ['GET /analytics/risk-index', 'viewer', (token) => call('/analytics/risk-index', { token })],
    ['GET /analytics/summary', 'viewer', (token) => call('/analytics/summary', { token })],
    ['GET /analytics/dashboard', 'viewer', (token) => call('/analytics/dashboard', { token })],
    ['POST /alerts/{id}/acknowledge', 'analyst', (token) => call('/alerts/no-such-alert/acknowledge', { token, body: {} })],
    ['POST /alerts/{id}/resolve', 'analyst', (token) => call('/alerts/no-such-alert/resolve', { token, body: {} })],
    [
      'POST /playbooks/execute',
      'responder',
      (token) => call('/playbooks/execute', { token, body: { alertId: 'no-such-alert', playbookId: 'no-such-playbook', dryRun: true } }),
    ],
    ['POST /simulate/event', 'admin', (token) => call('/simulate/event', { token, body: { event_id: 'x' } })],
  ];
  const ORDER: Role[] = ['viewer', 'analyst', 'responder', 'admin'];
  for (const [name, minimum, request] of table) {
    for (const role of ORDER) {
      const allowed = ORDER.indexOf(role) >= ORDER.indexOf(minimum);
      it(`${name}: ${role} is ${allowed ? 'allowed' : 'refused (403)'}`, async () => {
        const response = await request(users[role].idToken);
        if (allowed) {
          expect([401, 403]).not.toContain(response.status);
          // 503 only where a module is not deployed yet; never any other 5xx.
          expect(response.status < 500 || response.status === 503).toBe(true);
        } else {
          expect(response.status).toBe(403);
          expect(response.body.error).toMatchObject({ code: 'permission_denied', details: { required: minimum, role } });
        }
      });
    }
  }
});

describe('GET /threats/recent', () => {
  // Far-future creation times (2090-2092) make these the newest threats, whatever else the
  // emulator holds. (api-alerts.test.ts dates its alerts 2300, past these threats' own alerts.)
  const prefix = runId('recent');
  const base = Date.UTC(2090, 0, 1) + Math.floor(Math.random() * 1_000_000) * 60_000;
  const severities = ['CRITICAL', 'LOW', 'HIGH', 'CRITICAL', 'INFO', 'MEDIUM', 'CRITICAL'] as const;
  // Newest first: index 0 is the newest.
  const fixtures = severities.map((severity, i) =>
    threatFixture({ eventId: `${prefix}-${i}`, severity, createdAt: new Date(base - i * 1000) }),
  );

  beforeAll(async () => {
    await storeThreats(fixtures);
  });

  it('pages newest first with a cursor, without repeating or skipping', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 3; page++) {
      const query: string = `limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await call(`/threats/recent?${query}`, { token: users.viewer.idToken });
      expect(response.status).toBe(200);
      if (page < 2) {
        expect(response.body.threats).toHaveLength(3);
        expect(response.body.nextCursor).toEqual(expect.any(String));
      }
      seen.push(...response.body.threats.map((t: { event_id: string }) => t.event_id));
      cursor = response.body.nextCursor;
    }
    expect(seen.slice(0, 7)).toEqual(fixtures.map((f) => f.event_id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filters by severity, still newest first', async () => {
    const response = await call('/threats/recent?severity=CRITICAL&limit=3', { token: users.viewer.idToken });
    expect(response.status).toBe(200);
    expect(response.body.threats.map((t: { event_id: string }) => t.event_id)).toEqual([`${prefix}-0`, `${prefix}-3`, `${prefix}-6`]);
    expect(response.body.threats.every((t: { risk: { severity: string } }) => t.risk.severity === 'CRITICAL')).toBe(true);
  });

  it('caps a page at about 1 MiB of JSON, says so, and the cursor goes on from the last threat sent', async () => {
    // 24 threats of ~60 KB each, dated 1990 so they sit below everything else; a cursor just after
    // them starts the listing there.
    const bigPrefix = runId('big');
    const bigBase = Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 1_000_000) * 60_000;
    const big = Array.from({ length: 24 }, (_, i) => {
      const threat = threatFixture({ eventId: `${bigPrefix}-${i}`, severity: 'LOW', createdAt: new Date(bigBase - i * 1000) });
      return { ...threat, payload: { blob: 'A'.repeat(60_000), i } };
    });
    await storeThreats(big);
    const start = encodeCursor({ id: '~', doc: { createdAt: Timestamp.fromMillis(bigBase + 1000) } as never });
    const first = await call(`/threats/recent?limit=24&cursor=${start}`, { token: users.viewer.idToken });
    expect(first.status).toBe(200);
    expect(first.text.length).toBeLessThanOrEqual(1024 * 1024 + 1024);
    const sent = first.body.threats.length;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(24);
    expect(first.body.truncated).toEqual({ reason: 'max_bytes', maxBytes: 1024 * 1024, requested: 24, returned: sent });
    const second = await call(`/threats/recent?limit=${24 - sent}&cursor=${first.body.nextCursor}`, { token: users.viewer.idToken });
    expect(second.status).toBe(200);
    const ids = [...first.body.threats, ...second.body.threats].map((t: { event_id: string }) => t.event_id);
    expect(ids.slice(0, sent + Math.min(second.body.threats.length, 24 - sent))).toEqual(big.slice(0, ids.length).map((t) => t.event_id));
  });

  it('sends timestamps as ISO strings and the document id', async () => {
    const response = await call('/threats/recent?limit=1', { token: users.viewer.idToken });
    const [threat] = response.body.threats;
    expect(threat.id).toBe(threatIdFor(`${prefix}-0`));
    expect(threat.createdAt).toBe(new Date(base).toISOString());
    expect(typeof threat.occurredAt).toBe('string');
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=501', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['limit=1&limit=2', 'query.limit'],
    ['severity=SEVERE', 'query.severity'],
    ['cursor=not-a-cursor', 'query.cursor'],
    [`cursor=${Buffer.from('{"s":"x"}').toString('base64url')}`, 'query.cursor'],
  ])('400 for %s', async (query, path) => {
    const response = await call(`/threats/recent?${query}`, { token: users.viewer.idToken });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_argument');
    expect(response.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(path);
  });
});

describe('GET /threats/{id}', () => {
  it('finds a threat by its document id too', async () => {
    const eventId = runId('docid');
    const [id] = await storeThreats([threatFixture({ eventId, severity: 'MEDIUM', createdAt: new Date() })]);
    const response = await call(`/threats/${id}`, { token: users.viewer.idToken });
    expect(response.status).toBe(200);
    expect(response.body.event_id).toBe(eventId);
  });

  it.each(['unknown-event-id', '__reserved__', 'x'.repeat(128)])('404 for %s', async (id) => {
    const response = await call(`/threats/${id}`, { token: users.viewer.idToken });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it('400 for an id over 128 characters', async () => {
    const response = await call(`/threats/${'y'.repeat(129)}`, { token: users.viewer.idToken });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].path).toBe('path.id');
  });
});

describe('GET /threats/stats/summary', () => {
  it('counts by severity and type, and sums and averages the risk score, over the window', async () => {
    const token = users.viewer.idToken;
    const before = (await call('/threats/stats/summary?window=1h', { token })).body;
    const prefix = runId('stats');
    const added = [
      threatFixture({ eventId: `${prefix}-a`, severity: 'CRITICAL', createdAt: new Date(), eventType: 'ransomware' }),
      threatFixture({ eventId: `${prefix}-b`, severity: 'CRITICAL', createdAt: new Date(), eventType: 'ransomware' }),
      threatFixture({ eventId: `${prefix}-c`, severity: 'INFO', createdAt: new Date(), eventType: 'phishing' }),
      // Outside a one-hour window: counted in 'all' only.
      threatFixture({ eventId: `${prefix}-d`, severity: 'INFO', createdAt: new Date(Date.now() - 3 * 3_600_000) }),
    ];
    await storeThreats(added);
    const after = await call('/threats/stats/summary?window=1h', { token });
    expect(after.status).toBe(200);
    expect(after.body.total - before.total).toBe(3);
    expect(after.body.bySeverity.CRITICAL - before.bySeverity.CRITICAL).toBe(2);
    expect(after.body.bySeverity.INFO - before.bySeverity.INFO).toBe(1);
    expect(after.body.byEventType.ransomware - before.byEventType.ransomware).toBe(2);
    expect(after.body.riskScore.sum - before.riskScore.sum).toBe(92 + 92 + 5);
    expect(after.body.riskScore.average).toBeCloseTo(after.body.riskScore.sum / after.body.total, 6);
    expect(Date.parse(after.body.since)).toBeLessThan(Date.now() - 3_590_000);

    const all = await call('/threats/stats/summary?window=all', { token });
    expect(all.body.since).toBeNull();
    expect(all.body.total).toBeGreaterThanOrEqual(after.body.total + 1);
  });

  it('400 for an unknown window', async () => {
    const response = await call('/threats/stats/summary?window=2w', { token: users.viewer.idToken });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].path).toBe('query.window');
  });
});

describe('POST /simulate/event', () => {
  it('publishes to Pub/Sub and the event comes out of the pipeline as a threat', async () => {
    const eventId = runId('sim');
    const response = await call('/simulate/event', {
      token: users.admin.idToken,
      body: {
        event_id: eventId,
        timestamp: new Date().toISOString(),
        event_type: 'brute_force',
        source_ip: uniquePublicIp(),
        destination_ip: '10.0.0.100',
        destination_port: 22,
        protocol: 'TCP',
        payload: { attempts: 150 },
      },
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ messageId: expect.stringMatching(/.+/), eventId });
    expect(response.headers.get('ratelimit-limit')).toBe('60');
    const threat = await waitFor('the simulated threat', async () => {
      const found = await call(`/threats/${eventId}`, { token: users.viewer.idToken });
      return found.status === 200 ? found.body : undefined;
    });
    expect(threat.messageId).toBe(response.body.messageId);
    expect(['HIGH', 'CRITICAL']).toContain(threat.risk.severity);
  });

  it('400 with each issue for an invalid event, and publishes nothing', async () => {
    const eventId = runId('bad');
    const response = await call('/simulate/event', {
      token: users.admin.idToken,
      body: { event_id: eventId, timestamp: 'yesterday', event_type: 'ddos', source_ip: '999.1.1.1', destination_port: 70000 },
    });
    expect(response.status).toBe(400);
    const paths = response.body.error.details.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['body.timestamp', 'body.source_ip', 'body.destination_port']));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const rejected = await firestore().collection('rejectedEvents').where('eventId', '==', eventId).get();
    expect(rejected.size).toBe(0);
  });

  it('400 when the body is missing', async () => {
    const response = await call('/simulate/event', { method: 'POST', token: users.admin.idToken });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/body is required/);
  });

  it('400 (never 500) for malformed JSON', async () => {
    const response = await call('/simulate/event', { token: users.admin.idToken, body: '{"event_id": "x", ' });
    expect(response.status).toBe(400);
  });

  it('413 for a body over the limit', async () => {
    const response = await call('/simulate/event', {
      token: users.admin.idToken,
      body: { event_id: 'big', timestamp: new Date().toISOString(), event_type: 'malware', source_ip: '1.2.3.4', payload: { blob: 'x'.repeat(200_000) } },
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });

  it('413 for a valid event over the 64 KiB event limit', async () => {
    const response = await call('/simulate/event', {
      token: users.admin.idToken,
      body: { event_id: 'big2', timestamp: new Date().toISOString(), event_type: 'malware', source_ip: '1.2.3.4', payload: { blob: 'x'.repeat(70_000) } },
    });
    expect(response.status).toBe(413);
  });

  it('415 for a body that is not JSON', async () => {
    const response = await call('/simulate/event', { token: users.admin.idToken, body: 'event_id=x', contentType: 'text/plain' });
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('unsupported_media_type');
  });
});

describe('transport', () => {
  it('405 with Allow for a known path and an unsupported method', async () => {
    const response = await call('/health', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(response.body.error.code).toBe('method_not_allowed');
  });

  it('CORS: the configured origin is allowed, any other is not', async () => {
    const allowed = await call('/health', { headers: { origin: 'http://127.0.0.1:5000' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5000');
    const other = await call('/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = (origin: string) =>
      call('/alerts/x/acknowledge', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const ok = await preflight('http://localhost:5000');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('docs', () => {
  it('GET /openapi.json is OpenAPI 3.1 with every route, its schemas and the bearer scheme', async () => {
    const response = await call('/openapi.json');
    expect(response.status).toBe(200);
    const spec = response.body;
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths).sort()).toEqual(
      [
        '/api/health',
        '/api/threats/recent',
        '/api/threats/{id}',
        '/api/threats/stats/summary',
        '/api/alerts/active',
        '/api/alerts/{id}/acknowledge',
        '/api/alerts/{id}/resolve',
        '/api/analytics/dashboard',
        '/api/analytics/risk-index',
        '/api/analytics/timeline',
        '/api/analytics/summary',
        '/api/playbooks',
        '/api/playbooks/execute',
        '/api/playbooks/history',
        '/api/approvals',
        '/api/approvals/{id}/approve',
        '/api/approvals/{id}/reject',
        '/api/never-block',
        '/api/never-block/remove',
        '/api/simulate/event',
        '/api/detection-rules',
        '/api/detection-rules/{id}',
        '/api/detection-coverage',
        '/api/detection-exceptions',
        '/api/detection-exceptions/{id}/expire',
        '/api/openapi.json',
        '/api/docs',
      ].sort(),
    );
    expect(spec.components.securitySchemes.firebaseIdToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(spec.components.schemas).toHaveProperty('Threat');
    expect(spec.components.schemas).toHaveProperty('Alert');
    expect(spec.components.schemas).toHaveProperty('SecurityEvent');
    expect(spec.components.schemas).toHaveProperty('DetectionRule');
    expect(Object.keys(spec.paths['/api/detection-rules/{id}']).sort()).toEqual(['get', 'put']);
    expect(spec.paths['/api/health'].get.security).toBeUndefined();
    expect(spec.paths['/api/threats/recent'].get.security).toEqual([{ firebaseIdToken: [] }]);
    expect(spec.paths['/api/threats/recent'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'cursor',
      'limit',
      'severity',
    ]);
    expect(spec.paths['/api/simulate/event'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/SecurityEvent',
    });
    expect(spec.paths['/api/alerts/{id}/resolve'].post.responses).toHaveProperty('409');
    expect(spec.paths['/api/simulate/event'].post['x-required-role']).toBe('admin');
    expect(spec.paths['/api/approvals/{id}/approve'].post['x-required-role']).toBe('responder');
    expect(spec.paths['/api/approvals/{id}/approve'].post.responses).toHaveProperty('409');
    expect(spec.paths['/api/never-block'].post['x-required-role']).toBe('admin');
    expect(spec.components.schemas).toHaveProperty('Approval');
    expect(spec.components.schemas.SecurityEvent.properties.source_ip.anyOf).toEqual([{ format: 'ipv4' }, { format: 'ipv6' }]);
    expect(spec.components.schemas.Dashboard.properties.riskIndex.anyOf).toEqual([
      { $ref: '#/components/schemas/RiskIndex' },
      { type: 'null' },
    ]);
    expect(spec.paths['/api/alerts/{id}/resolve'].post['x-required-role']).toBe('analyst');
    expect(spec.paths['/api/simulate/event'].post.responses['429'].headers).toHaveProperty('Retry-After');
  });

  it('GET /docs is a self-contained interactive page', async () => {
    const response = await call('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.text).toContain('openapi.json');
    expect(response.text).toContain('<form');
    expect(response.text).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:/);
    expect(response.text).toContain('"authEmulatorHost":"127.0.0.1:9099"');
  });
});

describe('tools/users.mjs', () => {
  it('creates the demo users with their role claims, idempotently, and their tokens carry the role', async () => {
    const run = (...args: string[]) =>
      execFileSync('node', [join(__dirname, '../../tools/users.mjs'), ...args], { env: process.env, encoding: 'utf8' });
    expect(run('demo')).toMatch(/4 user\(s\) in the Auth emulator/);
    expect(run('demo')).toMatch(/updated admin@threatstream.test/);
    for (const role of ['viewer', 'analyst', 'responder', 'admin'] as const) {
      const user = await adminAuth().getUserByEmail(`${role}@threatstream.test`);
      expect(user.customClaims?.role).toBe(role);
    }
    const analyst = await signIn('analyst@threatstream.test', 'threatstream-analyst');
    expect((await call('/alerts/no-such-alert/acknowledge', { token: analyst, body: {} })).status).toBe(404);
    expect((await call('/playbooks/execute', { token: analyst, body: { alertId: 'a', playbookId: 'brute-force-response' } })).status).toBe(403);

    const email = `created-${Date.now()}@threatstream.test`;
    expect(run('create', '--email', email, '--password', 'pw-123456', '--role', 'responder')).toMatch(/created .* role responder/);
    expect(run('set-role', '--email', email, '--role', 'none')).toMatch(/role \(none\)/);
    const demoted = await signIn(email, 'pw-123456');
    expect((await call('/threats/recent', { token: demoted })).status).toBe(403);
  });

  it('set-role revokes the refresh tokens: the old ID token no longer changes anything', async () => {
    const run = (...args: string[]) =>
      execFileSync('node', [join(__dirname, '../../tools/users.mjs'), ...args], { env: process.env, encoding: 'utf8' });
    const email = `demoted-${Date.now()}@threatstream.test`;
    run('create', '--email', email, '--password', 'pw-123456', '--role', 'analyst');
    const oldToken = await signIn(email, 'pw-123456');
    expect((await call('/alerts/no-such-alert/acknowledge', { token: oldToken, body: {} })).status).toBe(404);
    // Revocation counts whole seconds: sign-in and revocation must not share one.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(run('set-role', '--email', email, '--role', 'viewer')).toMatch(/revoked the refresh tokens of/);
    const user = await adminAuth().getUserByEmail(email);
    expect(Date.parse(user.tokensValidAfterTime!)).toBeGreaterThan(Date.now() - 5_000);
    await expect(adminAuth().verifyIdToken(oldToken, true)).rejects.toMatchObject({ code: 'auth/id-token-revoked' });
    const refused = await call('/alerts/no-such-alert/acknowledge', { token: oldToken, body: {} });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/revoked/);
    // Signed in again, the user has the new role.
    const fresh = await signIn(email, 'pw-123456');
    expect((await call('/alerts/no-such-alert/acknowledge', { token: fresh, body: {} })).status).toBe(403);
  });
});
