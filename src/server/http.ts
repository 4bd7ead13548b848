/**
 * The broker's HTTP endpoint: health and readiness for load balancers and Kubernetes probes, and the
 * routes other modules add (metrics, debug). Binds to localhost unless configured otherwise.
 */
import http from 'node:http';
import type { Broker } from '../broker/broker.js';

/** Paths the HTTP endpoint serves; the Kubernetes manifests' probes and scrape annotations use them. */
export const HEALTHZ_PATH = '/healthz';
export const READYZ_PATH = '/readyz';
export const METRICS_PATH = '/metrics';

export type Route = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
) => boolean | Promise<boolean>;

/**
 * Ready = the coordination link is up, the log is applied up to where it stood at start, and the
 * broker is not draining (shutdown started: the load balancer must stop sending clients here).
 */
export function readiness(
  broker: Broker,
  draining = false,
): { ready: boolean; link: string; caughtUp: boolean; draining: boolean } {
  const link = broker.coordination.linkState;
  const caughtUp = broker.caughtUp;
  return { ready: link === 'connected' && caughtUp && !draining, link, caughtUp, draining };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function healthRoutes(broker: Broker, draining: () => boolean = () => false): Route {
  return (req, res, url) => {
    if (url.pathname === HEALTHZ_PATH) {
      json(res, 200, { status: 'alive', brokerId: broker.brokerId });
      return true;
    }
    if (url.pathname === READYZ_PATH) {
      const r = readiness(broker, draining());
      json(res, r.ready ? 200 : 503, {
        status: r.ready ? 'ready' : 'not ready',
        ...r,
        brokerId: broker.brokerId,
      });
      return true;
    }
    return false;
  };
}

export function listenHttp(host: string, port: number, routes: Route[]): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void (async () => {
      for (const route of routes) if (await route(req, res, url)) return;
      json(res, 404, { error: 'not found' });
    })().catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
      else res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
