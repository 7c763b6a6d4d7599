// Alerts through the API: the state machine, who/when, the audit log, and per-user rate limits.
import { Timestamp } from 'firebase-admin/firestore';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_API, call, storeAlert } from '../support/api';
import { createUser, createUsersByRole, type Role, type TestUser } from '../support/auth';
import { firestore } from '../support/emulators';

let users: Record<Role | 'none', TestUser>;

beforeAll(async () => {
  users = await createUsersByRole();
});

async function auditEntries(alertId: string) {
  const snapshot = await firestore().collection('auditLog').where('target.id', '==', alertId).get();
  return snapshot.docs.map((doc) => doc.data()).sort((a, b) => a.at.toMillis() - b.at.toMillis());
}

describe('GET /alerts/active', () => {
  it('lists open and acknowledged alerts, most recently active first, and not resolved ones', async () => {
    const future = (minutes: number) => Timestamp.fromMillis(Date.UTC(2300, 0, 1) + minutes * 60_000);
    const open = await storeAlert({ lastSeen: future(3) });
    const acknowledged = await storeAlert({ status: 'ACKNOWLEDGED', lastSeen: future(2) });
    const resolved = await storeAlert({ status: 'RESOLVED', lastSeen: future(4) });
    const response = await call('/alerts/active?limit=2', { token: users.viewer.idToken });
    expect(response.status).toBe(200);
    const ids = response.body.alerts.map((alert: { id: string }) => alert.id);
    expect(ids).toEqual([open.id, acknowledged.id]);
    expect(ids).not.toContain(resolved.id);
    expect(response.body.alerts[0]).toMatchObject({ status: 'OPEN', lastSeen: future(3).toDate().toISOString() });
  });

  it('bounds a page of large alerts by bytes, saying so, and pages on with the cursor', async () => {
    const future = (minutes: number) => Timestamp.fromMillis(Date.UTC(2400, 0, 1) + minutes * 60_000);
    // Six alerts of ~250 KB (50 event ids of 5,000 characters, as a producer may send): 1.5 MB.
    const large = [];
    for (let i = 0; i < 6; i++) {
      const eventIds = Array.from({ length: 50 }, (_, j) => `${i}-${j}-`.padEnd(5_000, 'e'));
      large.push((await storeAlert({ lastSeen: future(100 - i), eventIds })).id);
    }
    try {
      const seen: string[] = [];
      const first = await call('/alerts/active?limit=6', { token: users.viewer.idToken });
      expect(first.status).toBe(200);
      expect(Buffer.byteLength(first.text)).toBeLessThan(1.1 * 1024 * 1024);
      expect(first.body.alerts.length).toBeLessThan(6);
      expect(first.body.truncated).toEqual({ reason: 'max_bytes', maxBytes: 1024 * 1024, requested: 6, returned: first.body.alerts.length });
      seen.push(...first.body.alerts.map((alert: { id: string }) => alert.id));
      const rest = await call(`/alerts/active?limit=${6 - seen.length}&cursor=${first.body.nextCursor}`, { token: users.viewer.idToken });
      expect(rest.status).toBe(200);
      expect(rest.body.truncated).toBeUndefined();
      seen.push(...rest.body.alerts.map((alert: { id: string }) => alert.id));
      expect(seen).toEqual(large);
      expect((await call('/alerts/active?cursor=bm8tc3VjaC1hbGVydA', { token: users.viewer.idToken })).status).toBe(400);
    } finally {
      // Not left at the top of every later listing.
      await Promise.all(large.map((id) => firestore().collection('alerts').doc(id).update({ status: 'RESOLVED' })));
    }
  });

  it('400 for a limit out of range', async () => {
    const response = await call('/alerts/active?limit=1000', { token: users.viewer.idToken });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].path).toBe('query.limit');
  });
});

describe('alert transitions', () => {
  it('OPEN → ACKNOWLEDGED → RESOLVED, recording who, when, the note and an audit entry each time', async () => {
    const { id } = await storeAlert();
    const started = Date.now();
    const ack = await call(`/alerts/${id}/acknowledge`, { token: users.analyst.idToken, body: { note: 'looking' } });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ id, status: 'ACKNOWLEDGED', acknowledgedBy: users.analyst.uid, assignee: users.analyst.uid });
    expect(Date.parse(ack.body.acknowledgedAt)).toBeGreaterThanOrEqual(started - 5_000);

    const resolve = await call(`/alerts/${id}/resolve`, { token: users.responder.idToken, body: { note: 'blocked at the edge' } });
    expect(resolve.status).toBe(200);
    expect(resolve.body).toMatchObject({
      status: 'RESOLVED',
      resolvedBy: users.responder.uid,
      resolutionNote: 'blocked at the edge',
      acknowledgedBy: users.analyst.uid,
    });

    const stored = (await firestore().collection('alerts').doc(id).get()).data()!;
    expect(stored.status).toBe('RESOLVED');
    expect(stored.resolvedAt.toMillis()).toBeGreaterThanOrEqual(stored.acknowledgedAt.toMillis());

    const audit = await auditEntries(id);
    expect(audit.map((entry) => entry.action)).toEqual(['alert.acknowledge', 'alert.resolve']);
    expect(audit[0]).toMatchObject({
      actor: { type: 'user', id: users.analyst.uid, email: users.analyst.email, role: 'analyst' },
      target: { collection: 'alerts', id },
      note: 'looking',
      changes: { from: 'OPEN', status: 'ACKNOWLEDGED' },
    });
    expect(audit[1]).toMatchObject({ actor: { id: users.responder.uid }, changes: { from: 'ACKNOWLEDGED', status: 'RESOLVED' } });
  });

  it('OPEN → RESOLVED directly, without a body', async () => {
    const { id } = await storeAlert();
    const response = await call(`/alerts/${id}/resolve`, { method: 'POST', token: users.analyst.idToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'RESOLVED', acknowledgedBy: null, resolutionNote: null });
  });

  it.each([
    ['resolve', 'RESOLVED'],
    ['acknowledge', 'RESOLVED'],
    ['acknowledge', 'ACKNOWLEDGED'],
  ] as const)('409 to %s an alert that is %s, leaving it unchanged', async (action, status) => {
    const { id, alert } = await storeAlert({ status });
    const response = await call(`/alerts/${id}/${action}`, { token: users.admin.idToken, body: {} });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'conflict', details: { status } });
    const stored = (await firestore().collection('alerts').doc(id).get()).data()!;
    expect(stored.updatedAt.toMillis()).toBe(alert.updatedAt.toMillis());
    expect(await auditEntries(id)).toHaveLength(0);
  });

  it('resolving twice: the second is a 409', async () => {
    const { id } = await storeAlert();
    expect((await call(`/alerts/${id}/resolve`, { token: users.analyst.idToken, body: {} })).status).toBe(200);
    const again = await call(`/alerts/${id}/resolve`, { token: users.analyst.idToken, body: {} });
    expect(again.status).toBe(409);
  });

  it('two people resolving at once: exactly one wins, the other gets 409', async () => {
    const { id } = await storeAlert();
    const [a, b] = await Promise.all([
      call(`/alerts/${id}/resolve`, { token: users.analyst.idToken, body: { note: 'a' } }),
      call(`/alerts/${id}/resolve`, { token: users.responder.idToken, body: { note: 'b' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(await auditEntries(id)).toHaveLength(1);
  });

  it('works at the function URL too', async () => {
    const { id } = await storeAlert();
    const response = await call(`/alerts/${id}/acknowledge`, { base: FUNCTION_API, token: users.analyst.idToken, body: {} });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ACKNOWLEDGED');
  });

  it('404 for an unknown alert', async () => {
    const response = await call('/alerts/no-such-alert/acknowledge', { token: users.analyst.idToken, body: {} });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it.each([
    ['a note that is not a string', { note: 42 }, 'body.note'],
    ['an unknown field', { status: 'RESOLVED' }, 'body'],
    ['a note over 2000 characters', { note: 'n'.repeat(2001) }, 'body.note'],
  ])('400 for %s', async (_name, body, path) => {
    const { id } = await storeAlert();
    const response = await call(`/alerts/${id}/resolve`, { token: users.analyst.idToken, body });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(path);
    expect((await firestore().collection('alerts').doc(id).get()).data()!.status).toBe('OPEN');
  });

  it('415 for a form-encoded body', async () => {
    const { id } = await storeAlert();
    const response = await call(`/alerts/${id}/resolve`, {
      token: users.analyst.idToken,
      body: 'note=hello',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(415);
  });
});

describe('rate limiting', () => {
  it('429 with Retry-After once a user exceeds 30 changes a minute; other users are unaffected', async () => {
    const busy = await createUser('analyst', 'busy');
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const response = await call('/alerts/no-such-alert/acknowledge', { token: busy.idToken, body: {} });
      statuses.push(response.status);
      expect(response.headers.get('ratelimit-remaining')).toBe(String(29 - i));
    }
    expect(new Set(statuses)).toEqual(new Set([404]));

    const limited = await call('/alerts/no-such-alert/acknowledge', { token: busy.idToken, body: {} });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'rate_limited', details: { limit: 30, windowSeconds: 60 } });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(120);

    // Shared state, not per instance: the function URL (the same function, any instance) agrees.
    const elsewhere = await call('/alerts/no-such-alert/acknowledge', { base: FUNCTION_API, token: busy.idToken, body: {} });
    expect(elsewhere.status).toBe(429);

    const other = await call('/alerts/no-such-alert/acknowledge', { token: users.analyst.idToken, body: {} });
    expect(other.status).toBe(404);

    // Reads are not rate limited.
    expect((await call('/alerts/active?limit=1', { token: busy.idToken })).status).toBe(200);
  });
});
