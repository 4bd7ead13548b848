/**
 * A whole cluster on one machine: 3 ZooKeeper servers (Debian's package), 3 brokers and HAProxy in
 * front of them, as detached processes whose files live under one state folder. The layout (ports,
 * ids) is saved there as cluster.json, so `down` and `status` find what `up` started. Tests and the
 * benchmark use the same class with ports chosen at run time.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrokerProcess } from './broker-process.js';
import { Haproxy } from './haproxy.js';
import {
  freePort,
  waitForQuorum,
  ZooKeeperServer,
  type ZooKeeperPeer,
  type ZooKeeperServerOptions,
} from './zookeeper-server.js';

export interface BrokerSlot {
  brokerId: string;
  mqttPort: number;
  httpPort: number;
  /** This broker's ZooKeeper connect string, when not the ensemble's (tests: through a fault proxy). */
  zookeeper?: string;
}

export interface ClusterLayout {
  stateDir: string;
  host: string;
  zookeepers: ZooKeeperPeer[];
  brokers: BrokerSlot[];
  lbPort: number;
  statsPort: number;
  zkRoot: string;
  /** Flags passed to every broker. */
  brokerArgs: string[];
  /** ZooKeeper settings other than the defaults (tests: short ticks, small preallocation). */
  zookeeperTuning?: ZooKeeperTuning;
}

export type ZooKeeperTuning = Pick<
  ZooKeeperServerOptions,
  'tickTimeMs' | 'initLimit' | 'syncLimit' | 'preAllocSizeKb' | 'heapMb'
>;

/** The ports `make up` uses: MQTT on 1883 (load balancer) and 1884-1886, HTTP on 8081-8083. */
export function defaultLayout(stateDir: string, size = 3): ClusterLayout {
  const range = Array.from({ length: size }, (_, i) => i);
  return {
    stateDir: resolve(stateDir),
    host: '127.0.0.1',
    zookeepers: range.map((i) => ({
      id: i + 1,
      host: '127.0.0.1',
      clientPort: 2181 + i,
      peerPort: 2888 + i,
      electionPort: 3888 + i,
    })),
    brokers: range.map((i) => ({ brokerId: `broker-${i + 1}`, mqttPort: 1884 + i, httpPort: 8081 + i })),
    lbPort: 1883,
    statsPort: 8404,
    zkRoot: '/mqttzoo',
    brokerArgs: [],
  };
}

/** A layout on ports free right now (tests, benchmarks). */
export async function freeLayout(
  stateDir: string,
  size = 3,
  brokerArgs: string[] = [],
): Promise<ClusterLayout> {
  const ports = async (n: number): Promise<number[]> =>
    Promise.all(Array.from({ length: n }, () => freePort()));
  const [zk, brokers, lb] = await Promise.all([ports(size * 3), ports(size * 2), ports(1)]);
  return {
    stateDir: resolve(stateDir),
    host: '127.0.0.1',
    zookeepers: Array.from({ length: size }, (_, i) => ({
      id: i + 1,
      host: '127.0.0.1',
      clientPort: zk[i * 3]!,
      peerPort: zk[i * 3 + 1]!,
      electionPort: zk[i * 3 + 2]!,
    })),
    brokers: Array.from({ length: size }, (_, i) => ({
      brokerId: `broker-${i + 1}`,
      mqttPort: brokers[i * 2]!,
      httpPort: brokers[i * 2 + 1]!,
    })),
    lbPort: lb[0]!,
    statsPort: 0,
    zkRoot: '/mqttzoo',
    brokerArgs,
  };
}

/** dist/src/cli/main.js: next to this compiled file, or the build's when run from the sources (tests). */
function cliEntry(): string {
  if (import.meta.url.endsWith('.ts'))
    return fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));
  return fileURLToPath(new URL('../main.js', import.meta.url));
}

export class LocalCluster {
  readonly zookeepers: ZooKeeperServer[];
  readonly brokers: BrokerProcess[];
  readonly lb: Haproxy;

  constructor(readonly layout: ClusterLayout) {
    const { stateDir, host } = layout;
    this.zookeepers = layout.zookeepers.map(
      (peer) =>
        new ZooKeeperServer({
          id: peer.id,
          dir: join(stateDir, `zookeeper-${peer.id}`),
          ensemble: layout.zookeepers,
          ...layout.zookeeperTuning,
        }),
    );
    this.brokers = layout.brokers.map(
      (slot) =>
        new BrokerProcess({
          brokerId: slot.brokerId,
          dir: join(stateDir, slot.brokerId),
          host,
          mqttPort: slot.mqttPort,
          httpPort: slot.httpPort,
          zookeeper: slot.zookeeper ?? this.connectString,
          zkRoot: layout.zkRoot,
          entry: cliEntry(),
          extraArgs: layout.brokerArgs,
        }),
    );
    this.lb = new Haproxy({
      dir: join(stateDir, 'haproxy'),
      host,
      port: layout.lbPort,
      statsPort: layout.statsPort,
      backends: layout.brokers.map((b) => ({
        name: b.brokerId,
        host,
        mqttPort: b.mqttPort,
        httpPort: b.httpPort,
      })),
    });
  }

  get connectString(): string {
    return this.layout.zookeepers.map((z) => `${z.host}:${z.clientPort}`).join(',');
  }

  /** The cluster saved in `stateDir` by a previous `up`, or null. */
  static load(stateDir: string): LocalCluster | null {
    const file = join(resolve(stateDir), 'cluster.json');
    if (!existsSync(file)) return null;
    return new LocalCluster(JSON.parse(readFileSync(file, 'utf8')) as ClusterLayout);
  }

  /** Starts whatever is not running, in order, each waited for; returns once the cluster serves. */
  async up(say: (line: string) => void = () => undefined): Promise<void> {
    mkdirSync(this.layout.stateDir, { recursive: true });
    writeFileSync(join(this.layout.stateDir, 'cluster.json'), JSON.stringify(this.layout, null, 2));
    for (const zk of this.zookeepers) {
      if (zk.adopt()) continue;
      say(`starting ZooKeeper server ${zk.id} on port ${zk.clientPort}`);
      zk.start({ detached: true });
    }
    await waitForQuorum(this.zookeepers, 60_000);
    say(`ZooKeeper ensemble serving at ${this.connectString}`);
    for (const broker of this.brokers) {
      if (broker.running) continue;
      say(
        `starting ${broker.options.brokerId} on MQTT port ${broker.options.mqttPort}, HTTP port ${broker.options.httpPort}`,
      );
      broker.start();
    }
    await Promise.all(this.brokers.map((b) => b.waitReady(60_000)));
    if (!this.lb.running) {
      say(`starting HAProxy on port ${this.layout.lbPort}`);
      this.lb.start();
    }
    await this.lb.waitListening();
  }

  /** Stops the load balancer, then the brokers (they drain), then ZooKeeper. */
  async down(say: (line: string) => void = () => undefined): Promise<void> {
    say('stopping HAProxy');
    await this.lb.stop();
    say('stopping brokers');
    await Promise.all(this.brokers.map((b) => b.stop()));
    say('stopping ZooKeeper');
    for (const zk of this.zookeepers) zk.adopt();
    await Promise.all(this.zookeepers.map((zk) => zk.stop()));
  }
}
