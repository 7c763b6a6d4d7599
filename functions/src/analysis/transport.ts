import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

// The HTTP client under @google/genai (given to it as httpOptions.fetch). The SDK builds each
// request and reads each answer itself; this only carries them. Node's global fetch (undici) puts
// a WHATWG Request, an AbortController, a ReadableStream and their promises around every call,
// which cost several times what the call itself does, in CPU and in garbage; here a call is one
// node:http request on a kept-alive connection, its body read whole into a standard Response.
//
// What the SDK sends is a POST of a JSON string; anything else (a Request object, a streamed
// body) goes to the global fetch unchanged.

/**
 * Connections are kept per process, like the global agents (and Node 20's settings for them: keep
 * connections, reuse the most recent, drop idle ones after 5 s): every model client of this
 * instance shares them.
 */
const AGENT_OPTIONS = { keepAlive: true, scheduling: 'lifo', timeout: 5_000 } as const;
let agents: { http: HttpAgent; https: HttpsAgent } | undefined;

export function createKeepAliveFetch(): typeof fetch {
  agents ??= { http: new HttpAgent(AGENT_OPTIONS), https: new HttpsAgent(AGENT_OPTIONS) };
  const { http, https } = agents;

  return (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
    const body = init.body ?? undefined;
    if (url === undefined || !(body === undefined || typeof body === 'string' || body instanceof Uint8Array)) {
      return fetch(input, init);
    }
    const secure = url.startsWith('https:');
    const send = (retryOnStaleSocket: boolean): Promise<Response> =>
      new Promise<Response>((resolve, reject) => {
        let request: ClientRequest;
        try {
          request = (secure ? httpsRequest : httpRequest)(url, {
            method: init.method ?? 'GET',
            headers: plainHeaders(init.headers),
            agent: secure ? https : http,
            ...(init.signal && { signal: init.signal }),
          });
        } catch (error) {
          reject(error);
          return;
        }
        let answered = false;
        request.once('error', (error: NodeJS.ErrnoException) => {
          // A kept-alive connection the server closed just as it was reused: the request never
          // arrived. Node's advice is to send it again, once, on a fresh connection.
          if (!answered && retryOnStaleSocket && request.reusedSocket && error.code === 'ECONNRESET') {
            resolve(send(false));
          } else {
            reject(error);
          }
        });
        request.once('response', (response: IncomingMessage) => {
          answered = true;
          readResponse(response, init.signal).then(resolve, reject);
        });
        request.end(body);
      });
    return send(true);
  };
}

function readResponse(response: IncomingMessage, signal: AbortSignal | null | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('error', reject);
    // Cut off halfway (the deadline passed, or the connection dropped): say which.
    response.once('close', () => {
      if (ended) return;
      reject(signal?.aborted ? abortError(signal) : new Error('the connection closed before the answer was complete'));
    });
    response.once('end', () => {
      ended = true;
      const status = response.statusCode ?? 0;
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (Array.isArray(value)) for (const item of value) headers.append(name, item);
        else if (value !== undefined) headers.set(name, value);
      }
      // 204, 205 and 304 may not have a body; a Response refuses one.
      const content = status === 204 || status === 205 || status === 304 ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      try {
        resolve(new Response(content, { status, statusText: response.statusMessage ?? '', headers }));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function abortError(signal: AbortSignal): Error {
  const error = new Error('the request was aborted', { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const plain: Record<string, string> = {};
  if (headers === undefined) return plain;
  if (headers instanceof Headers) {
    headers.forEach((value, name) => (plain[name] = value));
  } else if (Array.isArray(headers)) {
    for (const [name, value] of headers) plain[name!.toLowerCase()] = value!;
  } else {
    for (const [name, value] of Object.entries(headers)) plain[name.toLowerCase()] = String(value);
  }
  return plain;
}
