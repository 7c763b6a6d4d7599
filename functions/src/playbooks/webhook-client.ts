import { createHmac, timingSafeEqual } from 'node:crypto';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './plan';

// The one HTTP client of the playbook actions (notify_webhook, isolate_host, create_ticket):
// JSON POST, signed with HMAC-SHA256, a timeout per attempt, bounded retries with backoff.
//
// Signature: `X-ThreatStream-Signature: t=<unix seconds>,v2=<hex>`, where hex is
// HMAC-SHA256(receiver's secret, `${t}\n${METHOD}\n${url}\n${body}`) and url is the target URL as
// WHATWG URL serialises it. Each receiver (EDR, ticketing, Slack, generic webhook) has its own
// secret, and the method and URL are signed, so no receiver can forge or replay a request to
// another. A receiver recomputes it over the raw body, compares in constant time and rejects a
// `t` older than a few minutes (replays). Each attempt is signed afresh.
// `X-ThreatStream-Delivery` is the same on every attempt of one step, so a receiver can drop the
// duplicates that at-least-once delivery implies.

export const SIGNATURE_HEADER = 'x-threatstream-signature';
export const DELIVERY_HEADER = 'x-threatstream-delivery';
export const EVENT_HEADER = 'x-threatstream-event';
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** The signature scheme's name in the header; `v1` (timestamp and body only) is no longer sent. */
export const SIGNATURE_VERSION = 'v2';

/** The receivers of signed deliveries, each with its own signing secret. */
export const WEBHOOK_RECEIVERS = ['edr', 'ticketing', 'slack', 'webhook'] as const;
export type WebhookReceiverName = (typeof WEBHOOK_RECEIVERS)[number];

/** Response bodies kept in the run record are cut to this many characters. */
const MAX_RESPONSE_CHARS = 4_096;

export interface SignedRequest {
  method: string;
  /** The full target URL; normalised as `new URL(url).href` before signing. */
  url: string;
  body: string;
}

/** The exact bytes that are signed (README, Playbooks: "Verifying deliveries"). */
export function stringToSign(timestampSeconds: number, request: SignedRequest): string {
  return `${timestampSeconds}\n${request.method.toUpperCase()}\n${new URL(request.url).href}\n${request.body}`;
}

function hmacHex(secret: string, timestampSeconds: number, request: SignedRequest): string {
  return createHmac('sha256', secret).update(stringToSign(timestampSeconds, request)).digest('hex');
}

export function signatureHeader(secret: string, timestampSeconds: number, request: SignedRequest): string {
  return `t=${timestampSeconds},${SIGNATURE_VERSION}=${hmacHex(secret, timestampSeconds, request)}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/** Checks a signature header against the method, URL and raw body received, as a receiver should. */
export function verifySignature(
  header: string | undefined,
  request: SignedRequest,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'no signature header' };
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const [key, value] = item.trim().split('=', 2);
    if (key && value) parts.set(key, [...(parts.get(key) ?? []), value]);
  }
  const timestamp = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(timestamp)) return { ok: false, reason: 'no timestamp' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: 'timestamp outside tolerance' };
  let expected: Buffer;
  try {
    expected = Buffer.from(hmacHex(secret, timestamp, request));
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  const matches = (parts.get(SIGNATURE_VERSION) ?? []).some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'signature mismatch' };
}

export interface DeliveryRequest {
  url: string;
  /** Serialised once: the bytes signed are the bytes sent. */
  body: unknown;
  /** The secret of this URL's receiver (never one shared by all receivers). */
  secret: string;
  /** Same on every attempt (and every re-run of the step): the receiver's idempotency key. */
  deliveryId: string;
  event: string;
  maxAttempts: number;
  attemptTimeoutMs: number;
  /** The step's overall budget: aborts the attempt in flight and any backoff wait. */
  signal?: AbortSignal;
}

export interface AttemptRecord {
  attempt: number;
  status?: number;
  error?: string;
  durationMs: number;
}

export interface DeliveryResult {
  status: number;
  attempts: number;
  durationMs: number;
  /** The response body: parsed JSON when it is JSON, else text (both cut to 4 KiB). */
  response: unknown;
  log: AttemptRecord[];
}

export type DeliveryErrorKind = 'http_status' | 'timeout' | 'network' | 'budget_exhausted' | 'invalid_request';

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly kind: DeliveryErrorKind,
    message: string,
    readonly attempts: number,
    readonly log: AttemptRecord[],
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface WebhookClientOptions {
  fetch?: typeof globalThis.fetch;
  /** Abortable sleep (tests make it instant). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
  backoff?: BackoffPolicy;
  userAgent?: string;
}

export interface WebhookClient {
  post(request: DeliveryRequest): Promise<DeliveryResult>;
}

/** Whether a status is worth another attempt: server errors, rate limiting and request timeout. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After in seconds (the HTTP-date form is rare for webhooks and ignored). */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

async function readBody(response: Response): Promise<unknown> {
  const text = (await response.text()).slice(0, MAX_RESPONSE_CHARS);
  if (text.length === 0) return null;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      // cut mid-document, or not JSON after all: keep the text
    }
  }
  return text;
}

/** The URL as it may be recorded: Slack-style webhook URLs carry their secret in the path. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const first = parsed.pathname.split('/').filter(Boolean)[0];
    return `${parsed.protocol}//${parsed.host}${first ? `/${first}/…` : '/'}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Creates the client once per instance; it holds no connection state of its own (fetch pools). */
export function createWebhookClient(options: WebhookClientOptions = {}): WebhookClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const userAgent = options.userAgent ?? 'ThreatStream-Playbooks/1.0';

  return {
    async post(request) {
      const started = now();
      const log: AttemptRecord[] = [];
      let parsedUrl: URL;
      try {
        parsedUrl = new URL(request.url);
      } catch {
        throw new DeliveryError('invalid_request', `not a valid URL: ${redactUrl(request.url)}`, 0, log);
      }
      if (parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:') {
        throw new DeliveryError('invalid_request', `only http(s) URLs are allowed, got ${parsedUrl.protocol}`, 0, log);
      }
      if (!request.secret) {
        // Never sign with an empty key: that is no signature at all.
        throw new DeliveryError('invalid_request', 'no signing secret', 0, log);
      }
      const body = JSON.stringify(request.body);
      const budgetExhausted = () =>
        new DeliveryError(
          'budget_exhausted',
          `the step's time budget ran out after ${log.length} attempt(s)${describeLast(log)}`,
          log.length,
          log,
          log.at(-1)?.status,
        );

      for (let attempt = 1; ; attempt++) {
        if (request.signal?.aborted) throw budgetExhausted();
        const attemptStarted = now();
        const signal = request.signal
          ? AbortSignal.any([request.signal, AbortSignal.timeout(request.attemptTimeoutMs)])
          : AbortSignal.timeout(request.attemptTimeoutMs);
        let retryDelay: number | undefined;
        let failure: DeliveryError;
        try {
          const response = await doFetch(parsedUrl, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'user-agent': userAgent,
              [SIGNATURE_HEADER]: signatureHeader(request.secret, Math.floor(now() / 1000), { method: 'POST', url: parsedUrl.href, body }),
              [DELIVERY_HEADER]: request.deliveryId,
              [EVENT_HEADER]: request.event,
            },
            body,
            redirect: 'manual',
            signal,
          });
          const responseBody = await readBody(response);
          log.push({ attempt, status: response.status, durationMs: now() - attemptStarted });
          if (response.status >= 200 && response.status < 300) {
            return { status: response.status, attempts: attempt, durationMs: now() - started, response: responseBody, log };
          }
          failure = new DeliveryError(
            'http_status',
            `HTTP ${response.status} from ${redactUrl(request.url)} after ${attempt} attempt(s)`,
            attempt,
            log,
            response.status,
          );
          if (!isRetryableStatus(response.status)) throw failure;
          retryDelay = retryAfterMs(response);
        } catch (error) {
          if (error instanceof DeliveryError) throw error;
          if (request.signal?.aborted) {
            log.push({ attempt, error: 'aborted: step budget exhausted', durationMs: now() - attemptStarted });
            throw budgetExhausted();
          }
          const timedOut = signal.aborted;
          const message = timedOut ? `timed out after ${request.attemptTimeoutMs} ms` : networkMessage(error);
          log.push({ attempt, error: message, durationMs: now() - attemptStarted });
          failure = new DeliveryError(
            timedOut ? 'timeout' : 'network',
            `${message} (${redactUrl(request.url)}, attempt ${attempt} of ${request.maxAttempts})`,
            attempt,
            log,
          );
        }
        if (attempt >= request.maxAttempts) throw failure;
        const delay = Math.min(
          Math.max(retryDelay ?? 0, backoffDelayMs(attempt, backoff, random)),
          // Never wait out a long Retry-After: past the cap, give up (the step budget would anyway).
          backoff.maxMs * 2,
        );
        try {
          await sleep(delay, request.signal);
        } catch {
          throw budgetExhausted();
        }
      }
    },
  };
}

function describeLast(log: AttemptRecord[]): string {
  const last = log.at(-1);
  if (!last) return '';
  return last.status !== undefined ? ` (last: HTTP ${last.status})` : last.error ? ` (last: ${last.error})` : '';
}

function networkMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `network error ${cause.code}`;
  return `network error: ${(error as Error).message ?? String(error)}`;
}
