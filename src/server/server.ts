/**
 * Builds a broker process from its config: coordination (ZooKeeper, or in memory when standalone),
 * the broker, the MQTT and HTTP listeners; and takes it down again in order. Thin on purpose.
 */
import type http from 'node:http';
import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { defaultConnectionLimits } from '../actors/connection/context.js';
import { Broker } from '../broker/broker.js';
import { startCoordinator, type RunningCoordinator } from '../broker/coordinator-glue.js';
import { LeaderDuties } from '../broker/leader-duties.js';
import type { BrokerSettings } from '../broker/services.js';
import type { Coordination } from '../coordination/coordination.js';
import { MemoryCoordination } from '../coordination/memory/memory-coordination.js';
import { MemoryEnsemble } from '../coordination/memory/memory-ensemble.js';
import type { BrokerConfig } from './config.js';
import { listenHttp, type Route } from './http.js';
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
      maxQueued: config.maxQueuedMessages,
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
    quota: {
      maxLogBytes: config.quotaLogBytes,
      maxLogEntries: config.quotaLogEntries,
      maxStateBytes: config.quotaStateBytes,
    },
  };
}

function createCoordination(
  config: BrokerConfig,
  epoch: string,
  endpoints: { mqtt: string; http: string },
): Coordination {
  if (config.standalone)
    return new MemoryCoordination(new MemoryEnsemble(), { brokerId: config.brokerId, epoch, endpoints });
  throw new Error('ZooKeeper coordination is not wired yet: run with --standalone');
}

function portOf(server: net.Server | http.Server): number {
  return (server.address() as AddressInfo).port;
}

export async function startServer(
  config: BrokerConfig,
  log: Logger,
  extraRoutes: Route[] = [],
): Promise<RunningServer> {
  const epoch = randomUUID();
  const endpoints = { mqtt: `${config.host}:${config.port}`, http: `${config.httpHost}:${config.httpPort}` };
  const coordination = createCoordination(config, epoch, endpoints);
  await coordination.start();
  // every line about a client carries brokerId (createLogger sets it; a caller's logger may not)
  const blog = 'brokerId' in log.bindings() ? log : log.child({ brokerId: config.brokerId });
  const broker = new Broker({
    coordination,
    settings: brokerSettings(config),
    log: blog,
    inspectionHistory: config.debugTransitions,
  });
  await broker.start();
  const coordinator = startCoordinator(broker, new LeaderDuties(broker), 2000);
  const observability = startObservability(broker, config, coordinator);
  const mqtt = await listenTcp(broker, config, blog);
  const httpServer =
    config.httpPort === 0 && config.httpHost === ''
      ? null
      : await listenHttp(config.httpHost, config.httpPort, [...observability.routes, ...extraRoutes]);
  const mqttPort = portOf(mqtt);
  const httpPort = httpServer ? portOf(httpServer) : 0;
  log.info(
    {
      mqtt: `${config.host}:${mqttPort}`,
      http: httpServer ? `${config.httpHost}:${httpPort}` : 'off',
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
        const listenerClosed = new Promise<void>((resolve) => mqtt.close(() => resolve()));
        await broker.close();
        await listenerClosed;
        coordinator.stop();
        await coordination.close();
        httpServer?.closeAllConnections();
        await new Promise<void>((resolve) => (httpServer ? httpServer.close(() => resolve()) : resolve()));
        log.info('broker stopped');
      })();
      return closing;
    },
  };
}
