// The signed webhook client against a real HTTP server on 127.0.0.1 (test/support/webhook-server.ts).
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../../test/support/webhook-server';
import {
  createWebhookClient,
  DeliveryError,
  redactUrl,
  signatureHeader,
  stringToSign,
  verifySignature,
  WEBHOOK_RECEIVERS,
  type DeliveryRequest,
  type WebhookReceiverName,
} from './webhook-client';

const SECRET = 'unit-test-secret';
let receiver: WebhookReceiver;
// Fast backoff keeps the suite quick; the policy itself is tested in plan.test.ts.
const client = createWebhookClient({ backoff: { baseMs: 20, maxMs: 80 } });

beforeAll(async () => {
  receiver = await WebhookReceiver.start({ secret: SECRET });
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => {
  receiver.reset();
  receiver.deliveries.length = 0;
});

function request(path: string, overrides: Partial<DeliveryRequest> = {}): DeliveryRequest {
  return {
    url: receiver.url(path),
    body: { hello: 'world', n: 1 },
    secret: SECRET,
    deliveryId: 'run-1:0',
    event: 'alert.notification',
    maxAttempts: 3,
    attemptTimeoutMs: 1_000,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  }
  throw new Error('expected the delivery to fail');
}

describe('signed delivery', () => {
  it('POSTs the JSON body with a signature the receiver verifies, and the delivery and event headers', async () => {
    const result = await client.post(request('/ok'));
    expect(result).toMatchObject({ status: 200, attempts: 1, response: { ok: true } });
    const [delivery] = receiver.received();
    expect(delivery).toMatchObject({
      method: 'POST',
      path: '/ok',
      signature: 'valid',
      json: { hello: 'world', n: 1 },
      headers: {
        'content-type': 'application/json',
        'x-threatstream-delivery': 'run-1:0',
        'x-threatstream-event': 'alert.notification',
      },
    });
    expect(delivery!.headers['x-threatstream-signature']).toMatch(/^t=\d+,v2=[0-9a-f]{64}$/);
  });

  it('a receiver with another secret sees a mismatch', async () => {
    await client.post(request('/ok', { secret: 'someone-else' }));
    expect(receiver.received()[0]!.signature).toBe('mismatch');
  });

  it('refuses to send without a secret rather than sign with an empty key', async () => {
    const error = await failure(client.post(request('/ok', { secret: '' })));
    expect(error.kind).toBe('invalid_request');
    expect(receiver.received()).toHaveLength(0);
  });

  it('refuses URLs that are not http(s)', async () => {
    expect((await failure(client.post(request('/ok', { url: 'file:///etc/passwd' })))).kind).toBe('invalid_request');
    expect((await failure(client.post(request('/ok', { url: 'not a url' })))).kind).toBe('invalid_request');
  });
});

describe('retries', () => {
  it('retries a 500 and succeeds on the 200 that follows', async () => {
    receiver.script('/flaky', [{ status: 500, json: { error: 'boom' } }]);
    const result = await client.post(request('/flaky'));
    expect(result.attempts).toBe(2);
    expect(result.log.map((attempt) => attempt.status)).toEqual([500, 200]);
    const deliveries = receiver.received((d) => d.path === '/flaky');
    expect(deliveries).toHaveLength(2);
    // Same delivery id on both attempts (the receiver's idempotency key), each signed afresh.
    expect(new Set(deliveries.map((d) => d.headers['x-threatstream-delivery']))).toEqual(new Set(['run-1:0']));
    expect(deliveries.every((d) => d.signature === 'valid')).toBe(true);
  });

  it('gives up after maxAttempts server errors', async () => {
    receiver.setDefault('/down', { status: 503 });
    const error = await failure(client.post(request('/down', { maxAttempts: 3 })));
    expect(error).toMatchObject({ kind: 'http_status', status: 503, attempts: 3 });
    expect(receiver.received((d) => d.path === '/down')).toHaveLength(3);
  });

  it.each([400, 401, 403, 404, 410, 422])('does not retry a %i', async (status) => {
    receiver.setDefault('/refuse', { status });
    const error = await failure(client.post(request('/refuse')));
    expect(error).toMatchObject({ kind: 'http_status', status, attempts: 1 });
    expect(receiver.received((d) => d.path === '/refuse')).toHaveLength(1);
  });

  it('retries a 429, waiting for its Retry-After', async () => {
    receiver.script('/limited', [{ status: 429, headers: { 'retry-after': '0' } }]);
    const result = await client.post(request('/limited'));
    expect(result.log.map((attempt) => attempt.status)).toEqual([429, 200]);
  });

  it('does not follow redirects (a signed body must not travel elsewhere)', async () => {
    receiver.setDefault('/moved', { status: 307, headers: { location: receiver.url('/ok') } });
    const error = await failure(client.post(request('/moved')));
    expect(error).toMatchObject({ kind: 'http_status', status: 307, attempts: 1 });
    expect(receiver.received((d) => d.path === '/ok')).toHaveLength(0);
  });

  it('retries network errors (nothing listening) and reports them', async () => {
    const port = await freePort();
    const error = await failure(client.post(request('/x', { url: `http://127.0.0.1:${port}/x`, maxAttempts: 2 })));
    expect(error).toMatchObject({ kind: 'network', attempts: 2 });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});

describe('timeouts', () => {
  it('times out each attempt on a hanging endpoint and retries up to maxAttempts', async () => {
    receiver.setDefault('/hang', { hang: true });
    const started = Date.now();
    const error = await failure(client.post(request('/hang', { attemptTimeoutMs: 200, maxAttempts: 3 })));
    expect(error).toMatchObject({ kind: 'timeout', attempts: 3 });
    expect(error.log.map((attempt) => attempt.error)).toEqual(Array(3).fill('timed out after 200 ms'));
    expect(receiver.received((d) => d.path === '/hang')).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a hang that recovers: the second attempt succeeds', async () => {
    receiver.script('/slow-then-ok', [{ hang: true }]);
    const result = await client.post(request('/slow-then-ok', { attemptTimeoutMs: 200 }));
    expect(result.attempts).toBe(2);
    expect(result.log[0]!.error).toBe('timed out after 200 ms');
  });

  it('stops when the step budget (signal) runs out, mid-attempt or mid-backoff', async () => {
    receiver.setDefault('/hang', { hang: true });
    const started = Date.now();
    const error = await failure(
      client.post(request('/hang', { attemptTimeoutMs: 5_000, maxAttempts: 5, signal: AbortSignal.timeout(300) })),
    );
    expect(error.kind).toBe('budget_exhausted');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('verifySignature', () => {
  const body = '{"a":1}';
  const url = 'https://edr.example/api/isolate';
  const now = 1_800_000_000;
  const signed = { method: 'POST', url, body };
  const header = signatureHeader(SECRET, now, signed);

  it('signs the timestamp, method, URL and body, in that order, one per line', () => {
    expect(stringToSign(now, signed)).toBe(`${now}\nPOST\nhttps://edr.example/api/isolate\n{"a":1}`);
    const digest = createHmac('sha256', SECRET).update(`${now}\nPOST\n${url}\n${body}`).digest('hex');
    expect(header).toBe(`t=${now},v2=${digest}`);
  });

  it('accepts the header it signed, within the tolerance', () => {
    expect(verifySignature(header, signed, SECRET, now)).toEqual({ ok: true, timestamp: now });
    expect(verifySignature(header, signed, SECRET, now + 299).ok).toBe(true);
  });

  it.each([
    ['a changed body', header, { ...signed, body: '{"a":2}' }, SECRET, now, 'signature mismatch'],
    ['another method', header, { ...signed, method: 'PUT' }, SECRET, now, 'signature mismatch'],
    ['another URL (replayed to another endpoint)', header, { ...signed, url: 'https://edr.example/api/release' }, SECRET, now, 'signature mismatch'],
    ['another query string', header, { ...signed, url: `${url}?host=10.0.0.1` }, SECRET, now, 'signature mismatch'],
    ['another secret', header, signed, 'other', now, 'signature mismatch'],
    ['an old timestamp (replay)', header, signed, SECRET, now + 301, 'timestamp outside tolerance'],
    ['a moved timestamp', header.replace(`t=${now}`, `t=${now + 1}`), signed, SECRET, now, 'signature mismatch'],
    ['no header', undefined, signed, SECRET, now, 'no signature header'],
    ['no timestamp', 'v2=abc', signed, SECRET, now, 'no timestamp'],
    ['the old v1 scheme (timestamp and body only)', `t=${now},v1=${createHmac('sha256', SECRET).update(`${now}.${body}`).digest('hex')}`, signed, SECRET, now, 'signature mismatch'],
  ])('rejects %s', (_name, h, request, secret, at, reason) => {
    expect(verifySignature(h, request, secret, at)).toEqual({ ok: false, reason });
  });

  it('accepts any of several v2 values (secret rotation)', () => {
    const rotated = `${header},v2=${'0'.repeat(64)}`;
    expect(verifySignature(rotated, signed, SECRET, now).ok).toBe(true);
  });

  // Every receiver holds its own key: what one can sign, no other accepts, whatever it targets.
  const receiverSecrets = Object.fromEntries(WEBHOOK_RECEIVERS.map((name) => [name, `${name}-secret`])) as Record<WebhookReceiverName, string>;
  const receiverUrls: Record<WebhookReceiverName, string> = {
    edr: 'https://edr.example/api/isolate',
    ticketing: 'https://tickets.example/api/cases',
    slack: 'https://hooks.slack.com/services/T0/B0/X',
    webhook: 'https://siem.example/hooks/threatstream',
  };
  const pairs = WEBHOOK_RECEIVERS.flatMap((forger) => WEBHOOK_RECEIVERS.filter((victim) => victim !== forger).map((victim) => [forger, victim] as const));
  it.each(pairs)('the %s receiver cannot forge a request the %s receiver accepts', (forger, victim) => {
    const forged = { method: 'POST', url: receiverUrls[victim], body: '{"action":"isolate_host","host":"10.0.0.100"}' };
    const forgedHeader = signatureHeader(receiverSecrets[forger], now, forged);
    expect(verifySignature(forgedHeader, forged, receiverSecrets[victim], now)).toEqual({ ok: false, reason: 'signature mismatch' });
    // and its own genuine deliveries cannot be replayed to the victim either
    const genuine = { method: 'POST', url: receiverUrls[forger], body: forged.body };
    const genuineHeader = signatureHeader(receiverSecrets[victim], now, genuine);
    expect(verifySignature(genuineHeader, forged, receiverSecrets[victim], now).ok).toBe(false);
  });
});

describe('redactUrl', () => {
  it('keeps the host and first path segment, never a token in the path or query', () => {
    expect(redactUrl('https://hooks.slack.com/services/T000/B000/XXXXSECRET')).toBe('https://hooks.slack.com/services/…');
    expect(redactUrl('http://127.0.0.1:5311/tickets?token=abc')).toBe('http://127.0.0.1:5311/tickets/…');
    expect(redactUrl('nope')).toBe('(invalid URL)');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
