// A real HTTP server on 127.0.0.1 that receives ThreatStream's webhooks, for tests and local runs.
//
//   npx tsx test/support/webhook-server.ts      listens on 127.0.0.1:5311 (where
//                                               functions/.env.emulator-tests points the playbook
//                                               endpoints) and prints every delivery and its
//                                               signature check
//
// It checks the X-ThreatStream-Signature header itself (HMAC-SHA256 with the path's own secret over
// `${t}\n${METHOD}\n${url}\n${rawBody}`, the URL being the one it listens on), independently of the
// functions' own signing code, records every request, and answers as scripted per path: a status
// and body, a delay, or never (a hanging endpoint).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

/** Where the emulator suites' playbook params point (functions/.env.emulator-tests). */
export const EMULATOR_WEBHOOK_PORT = 5311;
export const WEBHOOK_PATHS = {
  slack: '/slack',
  generic: '/generic',
  edr: '/edr/isolate',
  ticketing: '/tickets',
} as const;

/** Each receiver's secret param, by the path the emulator suites give that receiver. */
export const RECEIVER_SECRET_PARAMS: Record<string, string> = {
  [WEBHOOK_PATHS.slack]: 'PLAYBOOK_SLACK_SECRET',
  [WEBHOOK_PATHS.generic]: 'PLAYBOOK_WEBHOOK_SECRET',
  [WEBHOOK_PATHS.edr]: 'PLAYBOOK_EDR_SECRET',
  [WEBHOOK_PATHS.ticketing]: 'PLAYBOOK_TICKETING_SECRET',
};

/** The emulator's signing secrets by receiver path, from functions/.secret.local (the file the Functions emulator reads). */
export function emulatorWebhookSecrets(): Record<string, string> {
  const file = readFileSync(join(__dirname, '../../functions/.secret.local'), 'utf8');
  const secrets: Record<string, string> = {};
  for (const [path, param] of Object.entries(RECEIVER_SECRET_PARAMS)) {
    const match = new RegExp(`^${param}=(.*)$`, 'm').exec(file);
    if (!match?.[1]) throw new Error(`${param} is missing from functions/.secret.local`);
    secrets[path] = match[1].trim();
  }
  return secrets;
}

export type SignatureVerdict = 'valid' | 'missing' | 'stale' | 'mismatch';

export interface Delivery {
  path: string;
  /** The URL it was called on (this receiver's own address and the request's path and query). */
  url: string;
  method: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
  signature: SignatureVerdict;
  receivedAt: number;
}

export type Reply = { status: number; json?: unknown; delayMs?: number; headers?: Record<string, string> } | { hang: true };

const OK: Reply = { status: 200, json: { ok: true } };

/**
 * Verifies a `t=…,v2=…` header the way a receiver should: its own secret, the method and URL it
 * was called on, the raw body, constant time, a tolerance on t.
 */
export function checkSignature(
  header: string | undefined,
  request: { method: string; url: string; rawBody: string },
  secret: string | undefined,
  toleranceSeconds = 300,
): SignatureVerdict {
  if (!header) return 'missing';
  if (!secret) return 'mismatch';
  const fields = header.split(',').map((part) => part.trim().split('=') as [string, string]);
  const t = Number(fields.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return 'stale';
  const signed = `${t}\n${request.method}\n${request.url}\n${request.rawBody}`;
  const expected = Buffer.from(createHmac('sha256', secret).update(signed).digest('hex'));
  const ok = fields
    .filter(([key]) => key === 'v2')
    .some(([, value]) => {
      const given = Buffer.from(value ?? '');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  return ok ? 'valid' : 'mismatch';
}

/** The verdict another receiver, holding `secret`, would give this delivery (a forgery check). */
export function verdictUnder(delivery: Delivery, secret: string): SignatureVerdict {
  return checkSignature(delivery.headers['x-threatstream-signature'], { method: delivery.method, url: delivery.url, rawBody: delivery.rawBody }, secret);
}

export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  private readonly scripts = new Map<string, Reply[]>();
  private readonly defaults = new Map<string, Reply>();
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    private readonly secrets: { byPath: Record<string, string>; other?: string },
    private readonly log: boolean,
  ) {}

  /**
   * Starts listening on 127.0.0.1 (port 0: any free port). `secrets` gives each path its own
   * receiver's secret; `secret` is the one for every other path.
   */
  static async start(options: { secret?: string; secrets?: Record<string, string>; port?: number; log?: boolean }): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((request, response) => void receiver!.handle(request, response));
    receiver = new WebhookReceiver(
      server,
      { byPath: options.secrets ?? {}, ...(options.secret !== undefined && { other: options.secret }) },
      options.log ?? false,
    );
    server.on('connection', (socket) => {
      receiver!.sockets.add(socket);
      socket.on('close', () => receiver!.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The secret this receiver verifies `path` with. */
  secretFor(path: string): string | undefined {
    return this.secrets.byPath[path] ?? this.secrets.other;
  }

  /** Replies for the next requests to `path`, in order; then the path's default (200 {ok:true}). */
  script(path: string, replies: Reply[]): void {
    this.scripts.set(path, [...(this.scripts.get(path) ?? []), ...replies]);
  }

  setDefault(path: string, reply: Reply): void {
    this.defaults.set(path, reply);
  }

  reset(): void {
    this.scripts.clear();
    this.defaults.clear();
  }

  received(filter: (delivery: Delivery) => boolean = () => true): Delivery[] {
    return this.deliveries.filter(filter);
  }

  /** Resolves with the first delivery (already received or to come) that matches. */
  async waitFor(description: string, filter: (delivery: Delivery) => boolean, timeoutMs = 30_000): Promise<Delivery> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.deliveries.find(filter);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(remaining, 250));
        this.waiters.add(wake);
      });
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      json = undefined;
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const headers: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(request.headers)) headers[key] = Array.isArray(value) ? value.join(',') : value;
    const url = this.url(request.url ?? '/');
    const delivery: Delivery = {
      path,
      url,
      method: request.method ?? '',
      headers,
      rawBody,
      json,
      // The URL it was called on, as its operator configured it: its own address, not the Host header.
      signature: checkSignature(
        headers['x-threatstream-signature'],
        { method: request.method ?? '', url, rawBody },
        this.secretFor(path),
      ),
      receivedAt: Date.now(),
    };
    this.deliveries.push(delivery);
    for (const wake of [...this.waiters]) wake();
    if (this.log) {
      console.log(`${new Date(delivery.receivedAt).toISOString()} ${delivery.method} ${path} signature=${delivery.signature}`);
      console.log(`  ${headers['x-threatstream-event'] ?? ''} ${headers['x-threatstream-delivery'] ?? ''} ${rawBody.slice(0, 500)}`);
    }

    const queue = this.scripts.get(path);
    const reply = queue && queue.length > 0 ? queue.shift()! : (this.defaults.get(path) ?? OK);
    if ('hang' in reply) return; // never answer; close() destroys the socket
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (response.destroyed) return;
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(JSON.stringify(reply.json ?? {}));
  }
}

if (process.argv[1]?.endsWith('webhook-server.ts')) {
  void WebhookReceiver.start({ secrets: emulatorWebhookSecrets(), port: EMULATOR_WEBHOOK_PORT, log: true }).then((receiver) => {
    console.log(`webhook receiver on http://127.0.0.1:${receiver.port} (${Object.values(WEBHOOK_PATHS).join(', ')})`);
  });
}
