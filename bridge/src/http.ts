import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { BridgeStatus } from './bridge.js';
import { PROMETHEUS_CONTENT_TYPE, type Registry } from './metrics.js';

export interface HttpDeps {
  status(): BridgeStatus;
  registry: Registry;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);

/**
 * The bridge's HTTP surface:
 *   GET /healthz  200 while the process is alive (Cloud Run liveness)
 *   GET /readyz   200 when the consumer is in its group and the publisher is healthy, else 503
 *   GET /metrics  Prometheus text
 */
export function createHttpHandler(deps: HttpDeps): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(res, 405, { error: { code: 'method_not_allowed', message: `${req.method} is not supported` } });
    }
    switch (path) {
      case '/healthz':
        return json(res, 200, { status: 'ok' });
      case '/readyz': {
        const status = deps.status();
        return json(res, status.ready ? 200 : 503, status);
      }
      case '/metrics':
        return send(res, 200, PROMETHEUS_CONTENT_TYPE, deps.registry.render());
      default:
        return json(res, 404, { error: { code: 'not_found', message: `no route for ${path}` } });
    }
  };
}
