/**
 * One broker per spec file: started before its tests with the file's overrides, stopped after them;
 * every client a test opens through it is dropped when the test ends, pass or fail.
 */
import type { IConnectPacket } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { BrokerConfig } from '../../src/server/config.js';
import { startBroker, type TestBroker } from './broker.js';
import { runByteCase, type ByteCase } from './byte-cases.js';
import { RawClient, type Version } from './raw-client.js';

export interface SpecBroker {
  readonly port: number;
  /** A TCP connection, nothing sent. */
  open(version?: Version): Promise<RawClient>;
  /** A connection that sent CONNECT and got CONNACK 0. */
  connect(over?: Partial<IConnectPacket>): Promise<RawClient>;
  /** Runs a Mosquitto-style byte case on a connection of its own. */
  bytes(c: ByteCase): Promise<void>;
  /** Tracks a client opened elsewhere so that it is dropped after the test. */
  track(client: RawClient): RawClient;
}

export interface SpecOptions {
  /** Files whose tests run concurrently drop their clients only when all are done. */
  concurrent?: boolean;
}

export function specBroker(overrides: Partial<BrokerConfig> = {}, options: SpecOptions = {}): SpecBroker {
  let broker: TestBroker | undefined;
  const clients: RawClient[] = [];
  const dropClients = (): void => {
    for (const client of clients.splice(0)) client.destroy();
  };
  beforeAll(async () => {
    broker = await startBroker(overrides);
  });
  if (options.concurrent !== true) afterEach(dropClients);
  afterAll(async () => {
    dropClients();
    await broker?.stop();
  });
  const spec: SpecBroker = {
    get port(): number {
      if (broker === undefined) throw new Error('the broker is not started');
      return broker.port;
    },
    async open(version: Version = 4) {
      return spec.track(await RawClient.open(spec.port, version));
    },
    async connect(over: Partial<IConnectPacket> = {}) {
      return spec.track(await RawClient.connect(spec.port, over));
    },
    bytes: (c) => runByteCase(spec.port, c),
    track(client) {
      clients.push(client);
      return client;
    },
  };
  return spec;
}
