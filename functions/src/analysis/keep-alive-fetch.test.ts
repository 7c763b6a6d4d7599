import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keepAliveFetch } from './keep-alive-fetch';

// A real HTTP server on 127.0.0.1; each path answers in its own way.
let server: http.Server;
let base: string;
let connections = 0;
let received: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method, headers: request.headers, body: Buffer.concat(chunks).toString() });
      switch (request.url) {
        case '/echo':
          response.writeHead(201, 'Created Here', { 'content-type': 'application/json', 'x-trace': ['a', 'b'] });
          response.end(JSON.stringify({ youSent: Buffer.concat(chunks).toString() }));
          return;
        case '/empty':
          response.writeHead(204).end();
          return;
        case '/error':
          response.writeHead(429, { 'content-type': 'application/json' }).end('{"error":{"code":429}}');
          return;
        case '/hang':
          return; // never answers
        case '/cut':
          // Promises more than it sends, then drops the connection.
          response.writeHead(200, { 'content-length': '100' });
          response.write('{"partial":');
          setTimeout(() => response.socket?.destroy(), 20);
          return;
        default:
          response.writeHead(404).end('no such path');
      }
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
});

describe('keepAliveFetch against a local HTTP server', () => {
  it('sends the method, headers and body, and returns status, reason, headers and body as a Response', async () => {
    const response = await keepAliveFetch(`${base}/echo`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json', 'x-goog-api-key': 'k' }),
      body: '{"contents":[]}',
    });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Created Here');
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-trace')).toBe('a, b');
    expect(await response.json()).toEqual({ youSent: '{"contents":[]}' });
    expect(received[0]).toMatchObject({ method: 'POST', body: '{"contents":[]}' });
    expect(received[0]!.headers['x-goog-api-key']).toBe('k');
  });

  it('keeps one connection for requests made one after another', async () => {
    const before = connections;
    for (let index = 0; index < 5; index++) {
      const response = await keepAliveFetch(`${base}/echo`, { method: 'POST', body: String(index) });
      await response.text();
    }
    expect(connections - before).toBeLessThanOrEqual(1);
    expect(received.map((request) => request.body)).toEqual(['0', '1', '2', '3', '4']);
  });

  it('passes an error status through with its body, for the SDK to turn into an ApiError', async () => {
    const response = await keepAliveFetch(`${base}/error`, { method: 'POST', body: '{}' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: { code: 429 } });
  });

  it('gives a 204 a null body', async () => {
    const response = await keepAliveFetch(new URL(`${base}/empty`));
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('takes a Request as input', async () => {
    const response = await keepAliveFetch(new Request(`${base}/echo`, { method: 'PUT', body: 'from a Request' }));
    expect(await response.json()).toEqual({ youSent: 'from a Request' });
    expect(received[0]!.method).toBe('PUT');
  });

  it("rejects with the signal's reason when the server does not answer in time", async () => {
    const started = performance.now();
    const error = await keepAliveFetch(`${base}/hang`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(100) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
    expect(performance.now() - started).toBeLessThan(2_000);
    // The abandoned connection is not handed to the next request.
    const next = await keepAliveFetch(`${base}/echo`, { method: 'POST', body: 'after' });
    expect(await next.json()).toEqual({ youSent: 'after' });
  });

  it('rejects at once with a signal that is already aborted, sending nothing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped by the caller'));
    await expect(keepAliveFetch(`${base}/echo`, { method: 'POST', body: 'x', signal: controller.signal })).rejects.toThrow('stopped by the caller');
    expect(received).toEqual([]);
  });

  it('rejects when the connection drops before the body is complete', async () => {
    await expect(keepAliveFetch(`${base}/cut`)).rejects.toThrow();
  });

  it('rejects with the socket error when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(keepAliveFetch(`http://127.0.0.1:${port}/`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses protocols other than http and https, and bodies it cannot send as bytes', async () => {
    await expect(keepAliveFetch('ftp://127.0.0.1/')).rejects.toThrow(/unsupported protocol ftp:/);
    await expect(keepAliveFetch(`${base}/echo`, { method: 'POST', body: new URLSearchParams('a=1') })).rejects.toThrow(/string or bytes/);
  });
});
