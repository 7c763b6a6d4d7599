import http from 'node:http';
import https from 'node:https';

// The Gemini client's HTTP transport (@google/genai's `httpOptions.fetch`). Node's built-in fetch
// spends about a third of each model request's CPU on WHATWG machinery (Request objects, web
// streams, its dispatcher) that one JSON request and one JSON answer do not need; this sends the
// request with node:http(s) over kept-alive connections and hands the SDK a standard Response
// (about 0.8 ms of CPU per request instead of 1.0-1.1; bench/gemini-analysis.ts prints it).

/** Idle connections are closed after this: shorter than servers' idle timeouts, as undici does. */
const IDLE_SOCKET_MS = 4_000;

const transports = {
  'http:': { request: http.request, agent: new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }) },
  'https:': { request: https.request, agent: new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }) },
};

/** Statuses whose Response must have no body (the Fetch standard's null body statuses). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * fetch() for one request and a buffered answer: method, headers, a string or byte body, and an
 * AbortSignal (the SDK's per-attempt timeout). It rejects with the signal's reason on abort, and
 * with the socket's error (ECONNREFUSED, ECONNRESET...) when the connection fails, which
 * toModelError classifies as a timeout or a network failure. No redirects, cookies or
 * decompression: the Gemini API needs none.
 */
export async function keepAliveFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const target = input instanceof Request ? await requestParts(input, init) : { url: new URL(input), init };
  const { url } = target;
  const transport = url.protocol === 'http:' || url.protocol === 'https:' ? transports[url.protocol] : undefined;
  if (!transport) throw new TypeError(`keepAliveFetch: unsupported protocol ${url.protocol}`);
  const body = bodyBytes(target.init.body);
  const headers: Record<string, string> = {};
  new Headers(target.init.headers).forEach((value, name) => (headers[name] = value));
  const { signal } = target.init;
  signal?.throwIfAborted();

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (error: unknown) => settle(() => reject(error));
    // Attached once the request exists (below).
    const onAbort = () => {
      const reason: unknown = signal?.reason;
      request.destroy();
      fail(reason);
    };

    const request = transport.request(url, { method: target.init.method ?? 'GET', headers, agent: transport.agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      // A connection that closes before the whole body arrived is an error, not a short answer.
      response.on('close', () => {
        if (!response.complete) fail(new Error(`connection closed before the answer from ${url.host} was complete`));
      });
      response.on('end', () =>
        settle(() => {
          const status = response.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const item of Array.isArray(value) ? value : [value ?? '']) responseHeaders.append(name, item);
          }
          const content = NULL_BODY_STATUSES.has(status) ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          try {
            resolve(new Response(content, { status, statusText: response.statusMessage ?? '', headers: responseHeaders }));
          } catch {
            // A reason phrase Response will not take (it is only a label): keep the status.
            resolve(new Response(content, { status, headers: responseHeaders }));
          }
        }),
      );
    });
    request.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}

async function requestParts(request: Request, init: RequestInit): Promise<{ url: URL; init: RequestInit }> {
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  return {
    url: new URL(request.url),
    init: { method: request.method, headers: request.headers, signal: request.signal, ...(body && { body }), ...init },
  };
}

function bodyBytes(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('keepAliveFetch: the body must be a string or bytes');
}
