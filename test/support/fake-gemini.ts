// A local stand-in for the Gemini REST API, so tests and benchmarks run the real @google/genai
// SDK (pointed here with httpOptions.baseUrl) without reaching Google.
//
//   POST /v1beta/models/{model}:generateContent            (Gemini Developer API)
//   POST /v1beta1/projects/{p}/locations/{l}/publishers/google/models/{model}:generateContent  (Vertex)
//
// It answers in one of several modes — a good answer, malformed JSON, JSON that violates the
// answer schema, a 429 or a 500 with Google's error body, or no answer at all — after an optional
// latency, and records every request so tests can check what was sent (redaction, call counts).
// A good answer has one analysis per event of the request (the user turn is
// {"events": [{"id": "1", ...}, ...]}, see functions/src/analysis/prompt.ts); rules can give one
// event (matched by a text it contains, e.g. its source address) its own mode or answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type FakeGeminiMode = 'good' | 'malformed' | 'schema_violation' | 'rate_limited' | 'server_error' | 'hang';

export interface FakeAnswer {
  summary: string;
  category: string;
  severity: string;
  confidence: number;
  mitreTechniques: string[];
  recommendedActions: string[];
}

export const DEFAULT_FAKE_ANSWER: FakeAnswer = {
  summary: 'Repeated failed SSH logins from a hosting network against a critical server: a password-guessing attack.',
  category: 'brute_force',
  severity: 'HIGH',
  confidence: 0.92,
  // T9999 is not an ATT&CK technique: clients are expected to drop it.
  mitreTechniques: ['T1110.001', 'T1110', 'T9999'],
  recommendedActions: ['Block the source address at the edge firewall', 'Check the target for successful logins'],
};

export interface RecordedRequest {
  method: string;
  path: string;
  model: string | undefined;
  apiKey: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined if it was not JSON). */
  body: any;
  /** The body as text: what left the process, for redaction checks. */
  text: string;
  mode: FakeGeminiMode;
  receivedAt: number;
}

/** A mode (and answer) for requests whose body contains `match`, e.g. a unique source IP. */
export interface FakeRule {
  match: string;
  mode: FakeGeminiMode;
  answer?: Partial<FakeAnswer>;
  latencyMs?: number;
}

export interface FakeGeminiOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  mode?: FakeGeminiMode;
  latencyMs?: number;
  answer?: Partial<FakeAnswer>;
  /** Seconds a 429 asks the client to wait (google.rpc.RetryInfo.retryDelay). */
  retryDelaySeconds?: number;
}

const GENERATE_CONTENT = /^\/(v1[a-z0-9]*)\/(?:projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/)?models\/([^/:]+):generateContent$/;

export class FakeGemini {
  mode: FakeGeminiMode;
  latencyMs: number;
  answer: FakeAnswer;
  retryDelaySeconds: number;
  readonly requests: RecordedRequest[] = [];
  private readonly rules: FakeRule[] = [];
  /** Modes for the next requests, in order, before `mode` applies again. */
  private readonly queued: FakeGeminiMode[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private inFlight = 0;
  /** Keep only counts, not bodies (long benchmark runs). */
  recordBodies = true;
  /** The most requests seen being handled at the same time. */
  maxConcurrency = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    options: FakeGeminiOptions,
  ) {
    this.mode = options.mode ?? 'good';
    this.latencyMs = options.latencyMs ?? 0;
    this.answer = { ...DEFAULT_FAKE_ANSWER, ...options.answer };
    this.retryDelaySeconds = options.retryDelaySeconds ?? 0;
  }

  static async start(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
    let fake: FakeGemini | undefined;
    const server = createServer((request, response) => {
      void fake!.handle(request, response);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('fake Gemini has no port');
    fake = new FakeGemini(server, address.port, options);
    server.on('connection', (socket) => {
      fake!.sockets.add(socket);
      socket.on('close', () => fake!.sockets.delete(socket));
    });
    return fake;
  }

  /** The base URL to give the SDK (httpOptions.baseUrl) or the GEMINI_BASE_URL param. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests whose body contains `match` get this mode (and answer) from now on. */
  rule(rule: FakeRule): this {
    this.rules.unshift(rule);
    return this;
  }

  /** The next requests get these modes, one each, then `mode` again. */
  queue(...modes: FakeGeminiMode[]): this {
    this.queued.push(...modes);
    return this;
  }

  /** Requests whose body contains `text`. */
  requestsMatching(text: string): RecordedRequest[] {
    return this.requests.filter((request) => request.text.includes(text));
  }

  reset(): void {
    this.requests.length = 0;
    this.rules.length = 0;
    this.queued.length = 0;
    this.mode = 'good';
    this.latencyMs = 0;
    this.answer = { ...DEFAULT_FAKE_ANSWER };
    this.maxConcurrency = 0;
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** GET /__fake/stats and POST /__fake/reset: for a fake running in another process. */
  private control(path: string, response: ServerResponse): void {
    if (path === '/__fake/reset') {
      const { latencyMs } = this;
      this.reset();
      this.latencyMs = latencyMs;
    }
    sendJson(response, 200, { requests: this.requests.length, maxConcurrency: this.maxConcurrency });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.inFlight += 1;
    this.maxConcurrency = Math.max(this.maxConcurrency, this.inFlight);
    response.on('close', () => {
      this.inFlight -= 1;
      this.hanging.delete(response);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = (request.url ?? '').split('?')[0]!;
    if (path.startsWith('/__fake/')) return this.control(path, response);
    const match = GENERATE_CONTENT.exec(path);
    const rule = this.rules.find((candidate) => text.includes(candidate.match));
    const mode = rule?.mode ?? this.queued.shift() ?? this.mode;
    const apiKeyHeader = request.headers['x-goog-api-key'];
    const apiKey = typeof apiKeyHeader === 'string' ? apiKeyHeader : undefined;
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    this.requests.push({
      method: request.method ?? '',
      path,
      model: match?.[2],
      apiKey,
      headers: this.recordBodies ? request.headers : {},
      body: this.recordBodies ? body : undefined,
      text: this.recordBodies ? text : '',
      mode,
      receivedAt: Date.now(),
    });

    if (request.method !== 'POST' || !match) {
      return sendJson(response, 404, googleError(404, 'NOT_FOUND', `no such method: ${request.method} ${path}`));
    }
    const isVertex = path.includes('/projects/');
    if (!isVertex && !apiKey) {
      return sendJson(response, 403, googleError(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers. Please use API Key.'));
    }
    if (mode === 'hang') {
      // Never answers; the client's timeout has to end the call.
      this.hanging.add(response);
      return;
    }
    const latency = rule?.latencyMs ?? this.latencyMs;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    if (response.destroyed) return;

    const events = eventsIn(body);
    switch (mode) {
      case 'rate_limited':
        return sendJson(response, 429, {
          error: {
            code: 429,
            message: 'You exceeded your current quota, please check your plan and billing details.',
            status: 'RESOURCE_EXHAUSTED',
            details: [
              { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${this.retryDelaySeconds}s` },
            ],
          },
        });
      case 'server_error':
        return sendJson(response, 500, googleError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report.'));
      case 'malformed':
        return sendJson(response, 200, candidateResponse(match[2]!, '{"analyses": [{"id": "1", "summary": "Brute force from 185.234.72.91", "category": "brute_fo'));
      case 'schema_violation':
        return sendJson(
          response,
          200,
          candidateResponse(
            match[2]!,
            JSON.stringify({
              analyses: events.map((event) => ({ id: event.id, summary: 'Looks bad', category: 'alien_invasion', severity: 'EXTREME', confidence: 7 })),
            }),
          ),
        );
      case 'good':
        return sendJson(
          response,
          200,
          candidateResponse(
            match[2]!,
            JSON.stringify({
              analyses: events.map((event) => {
                const text = JSON.stringify(event);
                // Per event: the answer of the rule that matches it, if any.
                const own = this.rules.find((candidate) => text.includes(candidate.match));
                return { id: event.id, ...this.answer, ...own?.answer };
              }),
            }),
          ),
        );
    }
  }
}

/** The events of a request: the user turn is `{"events": [{"id": "1", ...}, ...]}`. */
function eventsIn(body: any): { id: string }[] {
  try {
    const text = body?.contents?.[0]?.parts?.[0]?.text;
    const events = JSON.parse(text).events;
    return Array.isArray(events) ? events : [{ id: '1' }];
  } catch {
    return [{ id: '1' }];
  }
}

function googleError(code: number, status: string, message: string) {
  return { error: { code, message, status } };
}

function candidateResponse(model: string, text: string) {
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 412, candidatesTokenCount: 96, totalTokenCount: 508 },
    modelVersion: model,
    responseId: `fake-${Math.random().toString(36).slice(2, 10)}`,
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

// Run on its own (a separate process, so a benchmark does not pay for the fake's work):
//   npx tsx test/support/fake-gemini.ts [--port 4777] [--latency 300]
// prints `listening <url>` and serves until killed; GET /__fake/stats, POST /__fake/reset.
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  const argument = (name: string, fallback: number) => {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 ? Number(process.argv[index + 1]) : fallback;
  };
  void FakeGemini.start({ port: argument('port', 0), latencyMs: argument('latency', 0) }).then((fake) => {
    fake.recordBodies = false;
    console.log(`listening ${fake.url}`);
    process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
  });
}
