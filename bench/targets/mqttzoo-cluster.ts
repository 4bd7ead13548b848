/**
 * Target `mqttzoo-cluster`: 3 MQTTZoo brokers + 3 ZooKeeper servers (and the HAProxy the launcher
 * starts, unused here), through the local-cluster launcher's module (interface in
 * cluster-info.ts). Publishers connect to broker 1, subscribers to brokers 2 and 3, so every
 * delivery crosses the log. Unavailable while the launcher is not built.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { asClusterHandle, asClusterModule, clusterPids, type ClusterHandle } from './cluster-info.js';
import { adopt, isAlive, release, signal, whileStarting } from './processes.js';
import { waitForBroker } from './probe.js';
import { TargetUnavailableError, type Target } from './target.js';
import { sleep } from '../clock.js';

const LAUNCHER = 'dist/src/cli/cluster/local-cluster.js';

export const mqttzooCluster: Target = {
  name: 'mqttzoo-cluster',
  kind: 'cluster',
  description: '3 MQTTZoo brokers + 3 ZooKeeper servers; publishers on broker 1, subscribers on 2 and 3',
  async start(ctx) {
    const file = path.join(ctx.repoRoot, LAUNCHER);
    if (!existsSync(file)) throw new TargetUnavailableError(`${LAUNCHER} not built (npm run build)`);
    let cluster: ClusterHandle;
    try {
      const mod = asClusterModule(await import(pathToFileURL(file).href));
      cluster = asClusterHandle(
        new mod.LocalCluster(await mod.freeLayout(path.join(ctx.workDir, 'cluster'), 3)),
      );
    } catch (err) {
      throw new TargetUnavailableError(`mqttzoo-cluster: ${message(err)}`, { cause: err });
    }
    const stop = async (): Promise<void> => {
      const pids = clusterPids(cluster);
      await withTimeout(cluster.down(), 60_000).catch(() => undefined);
      for (const { pid } of pids) await killIfAlive(pid);
    };
    try {
      await whileStarting(stop, () => withTimeout(cluster.up(), ctx.readyTimeoutMs));
      for (const { pid } of clusterPids(cluster)) adopt(pid);
      const { host, brokers } = cluster.layout;
      const endpoints = brokers.map((b) => ({ host, port: b.mqttPort }));
      for (const endpoint of endpoints) await waitForBroker(endpoint, ctx.readyTimeoutMs, () => true);
      return {
        endpoints: { publish: endpoints.slice(0, 1), subscribe: endpoints.slice(1) },
        processes: clusterPids(cluster),
        notes: [
          `${brokers.length} brokers, ${cluster.zookeepers.length} ZooKeeper servers, logs in ${ctx.workDir}`,
        ],
        stop,
      };
    } catch (err) {
      for (const { pid } of clusterPids(cluster)) adopt(pid);
      await stop();
      throw new TargetUnavailableError(`mqttzoo-cluster: ${message(err)}`, { cause: err });
    }
  },
};

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function killIfAlive(pid: number): Promise<void> {
  if (isAlive(pid)) {
    signal(pid, 'SIGTERM');
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(30);
    if (isAlive(pid)) signal(pid, 'SIGKILL');
  }
  release(pid);
}
