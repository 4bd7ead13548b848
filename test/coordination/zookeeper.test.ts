/**
 * Checks that the ZooKeeper Coordination keeps the Coordination contract on a real 3-server
 * ensemble, and how it lives through ZooKeeper's own failures: a killed leader server, a hung
 * server, no server at start, and what the log looks like in ZooKeeper.
 */
import { randomUUID } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperCoordination } from '../../src/coordination/zookeeper/index.js';
import { ExponentialBackoffRetry } from '../../src/coordination/zookeeper/retry.js';
import {
  decodeBatchHeader,
  decodeRecord,
  listSegments,
  paths,
  segmentOf,
  seqOf,
} from '../../src/coordination/zookeeper/internal.js';
import { discoverOpenSegment } from '../../src/coordination/zookeeper/segments.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { killSession } from '../support/kill-session.js';
import { startEnsemble, type Ensemble } from '../support/zookeeper.js';
import { coordinationContract, type ContractBrokerOptions, type ContractCluster } from './contract.js';
import { appendAll, collect, eventually, fromWriter, startBrokers } from './contract-helpers.js';

let ensemble: Ensemble;
let started: Ensemble | undefined; // for cleanup, also when starting failed
let namespaces = 0;

beforeAll(async () => {
  ensemble = started = await startEnsemble({ size: 3 });
});

afterAll(async () => {
  await started?.stop();
});

/** Test settings: short timeouts so that faults play out in seconds. */
function brokerOptions(
  root: string,
  connectString: string,
  brokerId: string,
  options: ContractBrokerOptions,
) {
  return {
    brokerId,
    connectString,
    root,
    sessionTimeoutMs: 4000,
    memberRefreshMs: 100,
    followerIdlePollMs: 500,
    watchdog: { intervalMs: 250, timeoutMs: 1000 },
    connectRetry: new ExponentialBackoffRetry({ baseSleepMs: 20, maxSleepMs: 500, maxRetries: Infinity }),
    ...options,
  };
}

async function zookeeperCluster(): Promise<ContractCluster & { proxies: Map<string, FaultProxy> }> {
  const root = `/contract-${++namespaces}-${randomUUID().slice(0, 8)}`;
  const upstreams = ensemble.servers.map((s) => ({ host: '127.0.0.1', port: s.clientPort }));
  const brokers = new Map<string, ZooKeeperCoordination>();
  const proxies = new Map<string, FaultProxy>();
  const all: ZooKeeperCoordination[] = [];
  const linkIs = (id: string, state: string) => eventually(() => brokers.get(id)?.linkState === state);
  return {
    proxies,
    async broker(brokerId, options = {}) {
      const proxy = proxies.get(brokerId) ?? (await FaultProxy.start(upstreams));
      proxies.set(brokerId, proxy);
      const broker = new ZooKeeperCoordination(brokerOptions(root, proxy.connectString, brokerId, options));
      brokers.set(brokerId, broker);
      all.push(broker);
      return broker;
    },
    faults: {
      async expire(id) {
        const broker = brokers.get(id)!;
        const seen = new Promise<void>((resolve) => {
          const off = broker.onLinkState((s) => s === 'lost' && (off(), resolve()));
        });
        await killSession(ensemble.connectString, broker.internals().client.session!.credentials());
        await seen;
      },
      async disconnect(id) {
        proxies.get(id)!.refuse();
        await linkIs(id, 'suspended');
      },
      async reconnect(id) {
        proxies.get(id)!.pass();
        await linkIs(id, 'connected');
      },
      // A log entry's create (not a segment's): <root>/log/s<segment>/e
      loseReplyOfNextAppend: (id) =>
        proxies.get(id)!.loseReplyOfNextCreate((path) => /\/log\/s\d{10}\/e$/.test(path)),
      async duplicate(id, position) {
        const client = brokers.get(id)!.internals().client;
        const original = await client.getData(paths.entry(segmentOf(position), seqOf(position)));
        const open = await discoverOpenSegment(client);
        await client.create(
          paths.entryPrefix(open.number),
          original!.data,
          zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
        );
      },
    },
    async close() {
      await Promise.all(all.map((b) => b.close()));
      await Promise.all([...proxies.values()].map((p) => p.close()));
    },
  };
}

coordinationContract({ name: 'zookeeper', cluster: zookeeperCluster });

describe('ZooKeeper faults and layout', () => {
  it('the log in ZooKeeper: segments of batches with the format version, sealed with a marker', async () => {
    const cluster = await zookeeperCluster();
    try {
      const [a] = await startBrokers(cluster, ['a'], { segmentEntries: 3 });
      const view = collect(a!);
      for (let i = 0; i < 7; i++) await appendAll(a!, 'a', 2, 2, i * 2);
      await eventually(() => view.events.length === 14);
      const client = (a as ZooKeeperCoordination).internals().client;
      const segments = await listSegments(client);
      expect(segments.length).toBeGreaterThanOrEqual(3);
      const first = await client.getChildren(paths.segment(segments[0]!));
      expect(first.stat.version).toBe(2); // sealed
      const records = await Promise.all(
        first.children
          .sort()
          .map(async (name) =>
            decodeRecord((await client.getData(`${paths.segment(segments[0]!)}/${name}`))!.data),
          ),
      );
      expect(records.at(-1)).toEqual({ kind: 'seal', next: segments[1] });
      expect(records.slice(0, -1).every((r) => r.kind === 'batch' && r.header.brokerId === 'a')).toBe(true);
    } finally {
      await cluster.close();
    }
  });

  it('lost reply: the fence keeps a resent create from landing twice (one copy in the log)', async () => {
    const cluster = await zookeeperCluster();
    try {
      const [a] = await startBrokers(cluster, ['a']);
      const lost = cluster.faults.loseReplyOfNextAppend('a');
      const acks = appendAll(a!, 'a', 10, 10);
      await lost;
      await acks;
      await appendAll(a!, 'a', 5, 5, 10);
      const client = (a as ZooKeeperCoordination).internals().client;
      const segment = (await listSegments(client))[0]!;
      const { children } = await client.getChildren(paths.segment(segment));
      const headers = await Promise.all(
        children.map(async (n) =>
          decodeBatchHeader((await client.getData(`${paths.segment(segment)}/${n}`))!.data),
        ),
      );
      const seqs = headers.map((h) => h!.seq).sort((x, y) => x - y);
      expect(seqs).toEqual([...new Set(seqs)]);
      expect(seqs.length).toBe(2);
      // The first batch was in doubt and found to have landed: not resent.
      expect((a as ZooKeeperCoordination).internals().writer.counters.landedInDoubt).toBe(1);
    } finally {
      await cluster.close();
    }
  });

  it('hung server: the watchdog drops the frozen connection and the broker carries on elsewhere', async () => {
    const cluster = await zookeeperCluster();
    try {
      const [a, b] = await startBrokers(cluster, ['a', 'b']);
      const viewB = collect(b!);
      const proxy = cluster.proxies.get('a')!;
      const frozen = proxy.connectedTo();
      const session = (a as ZooKeeperCoordination).internals().client.sessionId;
      proxy.freeze(frozen); // the server a talks to stops answering, its socket stays open
      const acks = appendAll(a!, 'a', 10, 10);
      for (const ack of await acks) expect(ack.err).toBeNull();
      await eventually(() => viewB.events.length === 10);
      expect((a as ZooKeeperCoordination).internals().watchdog.stalls).toBeGreaterThanOrEqual(1);
      expect(proxy.connectedTo().some((i) => !frozen.includes(i))).toBe(true);
      expect((a as ZooKeeperCoordination).internals().client.sessionId).toBe(session); // same session
    } finally {
      await cluster.close();
    }
  });

  it('no server at start: start() waits, then connects once a server answers', async () => {
    const cluster = await zookeeperCluster();
    try {
      const a = await cluster.broker('a');
      cluster.proxies.get('a')!.refuse();
      let started = false;
      const starting = a.start().then(() => (started = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(started).toBe(false);
      expect(a.linkState).toBe('connecting');
      cluster.proxies.get('a')!.pass();
      await starting;
      expect(a.linkState).toBe('connected');
    } finally {
      await cluster.close();
    }
  });

  it('ZooKeeper leader killed: appends pause, then complete; nothing acknowledged is lost', async () => {
    const cluster = await zookeeperCluster();
    const leader = (await ensemble.leader())!;
    try {
      const [a, b] = await startBrokers(cluster, ['a', 'b']);
      const viewB = collect(b!);
      const before = appendAll(a!, 'a', 200, 20);
      await leader.kill();
      const after = appendAll(a!, 'a', 100, 20, 200);
      const acked = [...(await before), ...(await after)].filter((ack) => ack.err === null);
      expect(acked.length).toBe(300);
      await eventually(() => viewB.events.length === 300);
      expect(new Set(viewB.events).size).toBe(300);
    } finally {
      await cluster.close();
      await leader.start();
      await ensemble.waitForQuorum();
    }
  });

  it('faults in turn under load (expiry, link loss, hung server, leader killed): one order, nothing lost or repeated', async () => {
    const cluster = await zookeeperCluster();
    const leader = (await ensemble.leader())!;
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      const brokers = await startBrokers(cluster, ['a', 'b', 'c'], { segmentEntries: 20 });
      const views = brokers.map((b) => collect(b));
      const written = [0, 0, 0];
      let stop = false;
      const writers = brokers.map(async (broker, i) => {
        for (let round = 0; round < 1000 && !stop; round++) {
          for (const ack of await appendAll(broker, broker.brokerId, 10, 10, written[i])) {
            expect(ack.err).toBeNull();
          }
          written[i]! += 10;
        }
      });
      await pause(200);
      await cluster.faults.expire('a');
      await cluster.faults.disconnect('b');
      await pause(300);
      await cluster.faults.reconnect('b');
      const proxy = cluster.proxies.get('c')!;
      proxy.freeze(proxy.connectedTo());
      await leader.kill();
      await pause(1500);
      proxy.pass();
      stop = true;
      await Promise.all(writers);
      const total = written[0]! + written[1]! + written[2]!;
      await eventually(() => views.every((v) => v.events.length === total), 30_000);
      for (const view of views.slice(1)) expect(view.events).toEqual(views[0]!.events);
      for (const [i, w] of ['a', 'b', 'c'].entries()) {
        expect(fromWriter(views[0]!, w)).toEqual([...Array(written[i]).keys()]);
      }
    } finally {
      await cluster.close();
      await leader.start();
      await ensemble.waitForQuorum();
    }
  }, 60_000);
});
