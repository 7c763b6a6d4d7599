import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

// The HTTP client under @google/genai (given to it as httpOptions.fetch). The SDK builds each
// request and reads each answer itself; this only carries them. Node's global fetch (undici) puts
// a WHATWG Request, an AbortController, a ReadableStream and their promises around every call,
// which cost several times what the call itself does, in CPU and in garbage; here a call is one
// node:http request on a kept-alive connection, its body read whole (see BufferedResponse).
//
// What the SDK sends is a POST of a JSON string; anything else (a Request object, a streamed
// body) goes to the global fetch unchanged. Redirects are not followed (the Gemini and Vertex AI
// endpoints answer directly; a 3xx comes back as it is).

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
    const target = targetOf(url);
    const secure = target.protocol === 'https:';
    const send = (retryOnStaleSocket: boolean): Promise<Response> =>
      new Promise<Response>((resolve, reject) => {
        let request: ClientRequest;
        try {
          request = (secure ? httpsRequest : httpRequest)({
            ...target,
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
          readResponse(response, url, init.signal).then(resolve, reject);
        });
        request.end(body);
      });
    return send(true);
  };
}

function readResponse(response: IncomingMessage, url: string, signal: AbortSignal | null | undefined): Promise<Response> {
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
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (Array.isArray(value)) for (const item of value) headers.append(name, item);
        else if (value !== undefined) headers.set(name, value);
      }
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      resolve(new BufferedResponse(body, response.statusCode ?? 0, response.statusMessage ?? '', headers, url) as unknown as Response);
    });
  });
}

/**
 * A Response whose body has already been read whole. The SDK reads `ok`, `status`, `headers` and
 * the body as JSON or text; a real Response would wrap the bytes in a ReadableStream and read
 * them back through it. Anything beyond text, JSON and bytes (the body as a stream, a Blob, form
 * data) comes from a real Response made when asked for.
 */
export class BufferedResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  private used = false;

  constructor(
    private readonly content: Buffer,
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    readonly url: string,
  ) {
    this.ok = status >= 200 && status <= 299;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.real().body;
  }

  async text(): Promise<string> {
    return this.take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.take().toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(this.take());
  }

  blob(): Promise<Blob> {
    return this.real().blob();
  }

  formData(): Promise<FormData> {
    return this.real().formData();
  }

  clone(): BufferedResponse {
    if (this.used) throw new TypeError('Response.clone: the body has already been read');
    return new BufferedResponse(this.content, this.status, this.statusText, new Headers(this.headers), this.url);
  }

  /** The body, once, as a Response allows. */
  private take(): Buffer {
    if (this.used) throw new TypeError('Body is unusable: it has already been read');
    this.used = true;
    return this.content;
  }

  private real(): Response {
    // 204, 205 and 304 may not have a body; a Response refuses one.
    const bodyless = this.status === 204 || this.status === 205 || this.status === 304;
    return new Response(bodyless ? null : this.take(), { status: this.status, statusText: this.statusText, headers: this.headers });
  }
}

/** Where a URL points, as node:http takes it; the SDK calls one or two URLs over and over. */
interface Target {
  protocol: string;
  hostname: string;
  port: string;
  path: string;
}

const targets = new Map<string, Target>();

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    target = {
      protocol: parsed.protocol,
      // [::1] → ::1, as node:http wants it.
      hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port,
      path: parsed.pathname + parsed.search,
    };
    if (targets.size < 64) targets.set(url, target);
  }
  return target;
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
