/**
 * The debug endpoint (docs/OBSERVABILITY.md): every connection actor and the coordinator actor, as
 * JSON; their transitions live (Server-Sent Events); the machines' shapes; the page.
 *
 *   GET /debug/                     the page (static; reads the routes below)
 *   GET /debug/actors               connection actors (?offset=&limit=&clientId=<prefix>&state=<state>)
 *   GET /debug/actors/:clientId     one actor in full (?payload=preview: first 64 bytes of payloads)
 *   GET /debug/closed               connections that ended recently, newest first
 *   GET /debug/coordinator          the coordinator actor, the link, the log, lag, quota
 *   GET /debug/machines/:name       a machine's states and transitions (connection, coordinator)
 *   GET /debug/events               live transitions (?clientId=&type=&actor=&changes=1)
 */
import type http from 'node:http';
import { connectionMachine } from '../../actors/connection/connection.machine.js';
import type { ConnectionContext } from '../../actors/connection/context.js';
import { coordinatorMachine } from '../../actors/coordinator/coordinator.machine.js';
import type { Broker } from '../../broker/broker.js';
import { TransitionIndex } from '../../broker/inspection/history.js';
import type { SerialiseOptions } from '../../broker/inspection/serialise.js';
import {
  closedDetail,
  connectionDetail,
  connectionSummary,
  coordinatorView,
} from '../../broker/inspection/views.js';
import type { Route } from '../http.js';
import { debugPage } from './page.js';
import { defaultViewerLimits, parseFilter, SseViewer, type ViewerLimits } from './sse.js';

export interface DebugOptions {
  broker: Broker;
  /** Concurrent /debug/events viewers; more get 503. */
  maxViewers: number;
  viewerLimits: ViewerLimits;
}

export const defaultDebugOptions = { maxViewers: 16, viewerLimits: defaultViewerLimits };

/** What the metrics read about the live stream. */
export interface DebugStats {
  viewers: number;
  dropped: number;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const n = Number(url.searchParams.get(name) ?? fallback);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}

function listActors(broker: Broker, url: URL): unknown {
  const prefix = url.searchParams.get('clientId') ?? '';
  const state = url.searchParams.get('state') ?? '';
  const offset = intParam(url, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const limit = Math.max(1, intParam(url, 'limit', 100, 1000));
  const states: Record<string, number> = {};
  const actors: unknown[] = [];
  let total = 0;
  for (const t of broker.inspection.liveConnections()) {
    states[t.key] = (states[t.key] ?? 0) + 1;
    const clientId = (t.actor.getSnapshot().context as ConnectionContext).clientId;
    if (prefix !== '' && !clientId.startsWith(prefix)) continue;
    if (state !== '' && t.key !== state && !t.key.startsWith(`${state}.`)) continue;
    if (total >= offset && actors.length < limit) actors.push(connectionSummary(broker, t));
    total++;
  }
  return { brokerId: broker.brokerId, at: broker.now(), total, offset, limit, states, actors };
}

export function debugRoutes(options: DebugOptions): { route: Route; stats: () => DebugStats } {
  const { broker } = options;
  let dropped = 0;
  const machines = {
    connection: TransitionIndex.describe(connectionMachine),
    coordinator: TransitionIndex.describe(coordinatorMachine),
  };

  const events = (req: http.IncomingMessage, res: http.ServerResponse, url: URL): void => {
    if (broker.inspection.viewers >= options.maxViewers) {
      json(res, 503, { error: `at most ${options.maxViewers} viewers of /debug/events` });
      return;
    }
    const filter = parseFilter(url);
    const viewer = new SseViewer(res, filter, options.viewerLimits, (n) => (dropped += n));
    viewer.hello({
      brokerId: broker.brokerId,
      filter: { ...filter, types: [...filter.types] },
      maxQueued: options.viewerLimits.maxQueued,
    });
    const stop = broker.inspection.listen((e) => viewer.push(e));
    const end = (): void => {
      stop();
      viewer.close();
    };
    req.on('close', end);
    res.on('close', end);
  };

  const route: Route = (req, res, url) => {
    const path = url.pathname;
    if (path !== '/debug' && !path.startsWith('/debug/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: 'only GET' });
      return true;
    }
    const o: SerialiseOptions = {
      payloadPreview: url.searchParams.get('payload') === 'preview',
      maxItems: 100,
    };
    if (path === '/debug' || path === '/debug/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(debugPage(broker.brokerId));
    } else if (path === '/debug/actors' || path === '/debug/actors/') {
      json(res, 200, listActors(broker, url));
    } else if (path.startsWith('/debug/actors/')) {
      const id = decodeURIComponent(path.slice('/debug/actors/'.length));
      const live = broker.inspection.findConnection(id);
      const closed = live === undefined ? broker.inspection.findClosed(id) : undefined;
      if (live !== undefined) json(res, 200, connectionDetail(broker, live, o));
      else if (closed !== undefined) json(res, 200, closedDetail(closed, o));
      else json(res, 404, { error: `no connection actor for ${JSON.stringify(id)} on ${broker.brokerId}` });
    } else if (path === '/debug/closed') {
      json(res, 200, {
        brokerId: broker.brokerId,
        closed: broker.inspection.recentlyClosed().map((c) => closedDetail(c, o)),
      });
    } else if (path === '/debug/coordinator') {
      json(res, 200, coordinatorView(broker));
    } else if (path === '/debug/machines/connection' || path === '/debug/machines/coordinator') {
      json(res, 200, path.endsWith('connection') ? machines.connection : machines.coordinator);
    } else if (path === '/debug/events') {
      events(req, res, url);
    } else {
      json(res, 404, { error: 'not found', see: '/debug/' });
    }
    return true;
  };
  return { route, stats: () => ({ viewers: broker.inspection.viewers, dropped }) };
}
