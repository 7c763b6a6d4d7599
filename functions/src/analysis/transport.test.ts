import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKeepAliveFetch } from './transport';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse, served: number) => void;

let server: Server;
let url: string;
let handler: Handler;
let connections = 0;
const servedBySocket = new WeakMap<Socket, number>();

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const served = servedBySocket.get(request.socket) ?? 0;
      servedBySocket.set(request.socket, served + 1);
      handler(request, body, response, served);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  url = `http://127.0.0.1:${address.port}/v1beta/models/m:generateContent`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  server.closeAllConnections();
  connections = 0;
});

const json = (response: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
};

describe('createKeepAliveFetch', () => {
  const fetchOverNodeHttp = createKeepAliveFetch();

  it('sends the method, headers and body, and answers with a Response', async () => {
    handler = (request, body, response) =>
      json(response, 200, { method: request.method, key: request.headers['x-goog-api-key'], type: request.headers['content-type'], body: JSON.parse(body) });
    const headers = new Headers({ 'Content-Type': 'application/json', 'x-goog-api-key': 'k' });
    const response = await fetchOverNodeHttp(url, { method: 'POST', headers, body: JSON.stringify({ hello: 'wörld' }) });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(await response.json()).toEqual({ method: 'POST', key: 'k', type: 'application/json', body: { hello: 'wörld' } });
  });

  it('answers with a body that reads like a Response\'s: once, as text, JSON, bytes or a stream', async () => {
    handler = (_request, _body, response) => json(response, 200, { n: 1 });
    const response = await fetchOverNodeHttp(url, { method: 'POST', body: '{}' });
    const copy = response.clone();
    expect(await response.text()).toBe('{"n":1}');
    expect(response.bodyUsed).toBe(true);
    await expect(response.json()).rejects.toThrow(TypeError);
    expect(await new Response(copy.body).json()).toEqual({ n: 1 });
  });

  it('passes error statuses and their bodies through', async () => {
    handler = (_request, _body, response) => json(response, 429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
    const response = await fetchOverNodeHttp(url, { method: 'POST', body: '{}' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(429);
    expect(await response.text()).toContain('RESOURCE_EXHAUSTED');
  });

  it('keeps the connection for the next request', async () => {
    handler = (_request, _body, response) => json(response, 200, {});
    for (let i = 0; i < 3; i++) await (await fetchOverNodeHttp(url, { method: 'POST', body: '{}' })).json();
    expect(connections).toBe(1);
  });

  it('sends a request again, once, when the kept connection turns out to be closed', async () => {
    // The server resets a connection on its second request, as a server that timed it out would.
    handler = (request, _body, response, served) => (served > 0 ? request.socket.resetAndDestroy() : json(response, 200, { ok: true }));
    await (await fetchOverNodeHttp(url, { method: 'POST', body: '{}' })).json();
    const again = await fetchOverNodeHttp(url, { method: 'POST', body: '{}' });
    expect(await again.json()).toEqual({ ok: true });
    expect(connections).toBe(2);
  });

  it('gives up with an AbortError when the signal fires', async () => {
    handler = () => undefined; // never answers
    const error = await fetchOverNodeHttp(url, { method: 'POST', body: '{}', signal: AbortSignal.timeout(50) }).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
  });

  it('leaves requests it does not handle to the global fetch', async () => {
    handler = (_request, body, response) => json(response, 200, { body });
    const response = await fetchOverNodeHttp(new Request(url, { method: 'POST', body: 'as a Request' }));
    expect(await response.json()).toEqual({ body: 'as a Request' });
  });
});
