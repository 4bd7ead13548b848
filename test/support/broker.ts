/**
 * Starts a real MQTTZoo broker in this process, standalone, on ports chosen at run time (127.0.0.1),
 * for tests that talk to it over real sockets. `MQTTZOO_TEST_LOG=debug` shows its logs.
 */
import { pino } from 'pino';
import { loadConfig, type BrokerConfig } from '../../src/server/config.js';
import { startServer, type RunningServer, type ServerDeps } from '../../src/server/server.js';

export interface TestBroker {
  host: string;
  port: number;
  httpPort: number;
  server: RunningServer;
  stop(): Promise<void>;
}

export async function startBroker(
  overrides: Partial<BrokerConfig> = {},
  deps: ServerDeps = {},
): Promise<TestBroker> {
  const config: BrokerConfig = {
    ...loadConfig({}, {}),
    brokerId: 'test',
    host: '127.0.0.1',
    port: 0,
    httpHost: '127.0.0.1',
    httpPort: 0,
    standalone: true,
    ...overrides,
  };
  const log = pino({ level: process.env.MQTTZOO_TEST_LOG ?? 'silent' });
  const server = await startServer(config, log, [], deps);
  return {
    host: '127.0.0.1',
    port: server.mqttPort,
    httpPort: server.httpPort,
    server,
    stop: () => server.close(),
  };
}
