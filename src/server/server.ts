/**
 * Builds a broker process from its config: coordination (ZooKeeper, or in memory when standalone),
 * the broker, the MQTT and HTTP listeners; and takes it down again in order. Thin on purpose.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { defaultConnectionLimits } from '../actors/connection/context.js';
import { Broker } from '../broker/broker.js';
import { startCoordinator, type RunningCoordinator } from '../broker/coordinator-glue.js';
import { defaultFlowSettings } from '../broker/flow-control.js';
import { defaultDutySettings, LeaderDuties } from '../broker/leader-duties.js';
import type { BrokerSettings } from '../broker/services.js';
import type { Coordination } from '../coordination/coordination.js';
import { MemoryCoordination } from '../coordination/memory/memory-coordination.js';
import { MemoryEnsemble } from '../coordination/memory/memory-ensemble.js';
import { ZooKeeperCoordination } from '../coordination/zookeeper/index.js';
import type { BrokerConfig } from './config.js';
import { HEALTHZ_PATH, listenHttp, type Route } from './http.js';
import { startObservability } from './observability.js';
import { listenTcp } from './tcp-listener.js';

export interface RunningServer {
  broker: Broker;
  coordination: Coordination;
  coordinator: RunningCoordinator;
  /** True once close() started: /readyz answers 503 from then on. */
  readonly draining: boolean;
  mqttPort: number;
  httpPort: number;
  /** Stops accepting, ends every connection (wills per spec), waits for the log, closes. */
  close(): Promise<void>;
}

export function brokerSettings(config: BrokerConfig): BrokerSettings {
  return {
    limits: {
      ...defaultConnectionLimits,
      connectTimeoutMs: config.connectTimeoutMs,
      maxClientIdLength: config.maxClientIdLength,
      maxInflight: config.maxInflight,
      maxQueued: config.maxConnectionQueue,
      receiveMaximum: config.receiveMaximum,
      maxPacketSize: config.maxPacketSize,
      topicAliasMaximum: config.topicAliasMaximum,
      maxKeepAlive: config.maxKeepAlive,
    },
    maxConnections: config.maxConnections,
    maxQueuedMessages: config.maxQueuedMessages,
    persistentSessionExpiry: config.persistentSessionExpiry,
    maxWriteBuffer: config.maxWriteBuffer,
    maxPendingAppends: config.maxPendingAppends,
    shutdownFlushMs: 5000,
    flow: { ...defaultFlowSettings, slowConsumerMs: config.slowConsumerMs },
    refusedFilters: new Set(
      config.denySubscribe
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f.length > 0),
    ),
    quota: {
      maxLogBytes: config.quotaLogBytes,
      maxLogEntries: config.quotaLogEntries,
      maxStateBytes: config.quotaStateBytes,
    },
  };
}

/** What a caller may supply instead of the defaults (tests: several brokers on one in-memory log). */
export interface ServerDeps {
  ensemble?: MemoryEnsemble;
}

function createCoordination(
  config: BrokerConfig,
  epoch: string,
  endpoints: { mqtt: string; http: string },
  log: Logger,
  deps: ServerDeps,
): Coordination {
  const base = { brokerId: config.brokerId, epoch, endpoints };
  if (config.standalone) {
    return new MemoryCoordination(deps.ensemble ?? new MemoryEnsemble({ keepApplied: false }), base);
  }
  return new ZooKeeperCoordination({
    ...base,
    connectString: config.zookeeper,
    root: config.zkRoot,
    sessionTimeoutMs: config.zkSessionTimeoutMs,
    memberRefreshMs: config.positionIntervalMs,
    log: log.child({ component: 'zookeeper' }),
  });
}

/** The address other brokers and tools reach this one at: the bound port, and a host that is not 0.0.0.0. */
function endpoint(host: string, port: number): string {
  return `${host === '0.0.0.0' || host === '::' ? hostname() : host}:${port}`;
}

/** Before the broker exists: alive, not ready, nothing else. */
function startingRoutes(): Route {
  return (_req, res, url) => {
    const alive = url.pathname === HEALTHZ_PATH;
    res.writeHead(alive ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: alive ? 'alive' : 'starting' }));
    return true;
  };
}

export async function startServer(
  config: BrokerConfig,
  log: Logger,
  extraRoutes: Route[] = [],
  deps: ServerDeps = {},
): Promise<RunningServer> {
  const epoch = randomUUID();
  // every line about a client carries brokerId (createLogger sets it; a caller's logger may not)
  const blog = 'brokerId' in log.bindings() ? log : log.child({ brokerId: config.brokerId });
  // Listeners first: membership announces the ports really bound, and /healthz answers (not ready)
  // while ZooKeeper connects. MQTT connections that arrive meanwhile wait until the broker serves.
  const routes: Route[] = [startingRoutes()];
  const httpServer = await listenHttp(config.httpHost, config.httpPort, routes);
  const mqtt = await listenTcp(config);
  const mqttPort = mqtt.port;
  const httpPort = (httpServer.address() as AddressInfo).port;
  const endpoints = { mqtt: endpoint(config.host, mqttPort), http: endpoint(config.httpHost, httpPort) };
  const coordination = createCoordination(config, epoch, endpoints, blog, deps);
  log.info(
    { standalone: config.standalone, zookeeper: config.standalone ? undefined : config.zookeeper },
    'joining the cluster',
  );
  await coordination.start();
  const broker = new Broker({
    coordination,
    settings: brokerSettings(config),
    log: blog,
    inspectionHistory: config.debugTransitions,
  });
  await broker.start();
  const duties = new LeaderDuties(broker, {
    ...defaultDutySettings,
    brokerGoneGraceMs: config.brokerGoneGraceMs,
    snapshotIntervalMs: config.snapshotIntervalMs,
    snapshotEveryEntries: config.snapshotEveryEntries,
  });
  const coordinator = startCoordinator(broker, duties, config.dutyIntervalMs);
  const observability = startObservability(broker, config, coordinator);
  routes.splice(0, routes.length, ...observability.routes, ...extraRoutes);
  mqtt.attach(broker, blog);
  log.info(
    {
      mqtt: `${config.host}:${mqttPort}`,
      http: `${config.httpHost}:${httpPort}`,
      standalone: config.standalone,
    },
    'broker listening',
  );
  let closing: Promise<void> | null = null;
  return {
    broker,
    coordination,
    coordinator,
    get draining() {
      return observability.draining;
    },
    mqttPort,
    httpPort,
    close() {
      observability.startDraining();
      closing ??= (async () => {
        // stop accepting; the listener's close completes only once every client socket is gone,
        // so wait for it after the broker told its clients to go (their sockets end within 2 s)
        const listenerClosed = new Promise<void>((resolve) => mqtt.server.close(() => resolve()));
        await broker.close();
        await listenerClosed;
        coordinator.stop();
        await coordination.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        log.info('broker stopped');
      })();
      return closing;
    },
  };
}
