/**
 * The interface the benchmark needs from MQTTZoo's local-cluster launcher, checked at run time
 * (the launcher lives in src/, built to dist/src/cli/cluster/local-cluster.js, and is loaded
 * dynamically so that the benchmark builds and runs whether or not it exists yet):
 *
 *   freeLayout(stateDir, size = 3): Promise<layout>   ports chosen now, all on 127.0.0.1
 *   new LocalCluster(layout)
 *     .up(say?)      starts 3 ZooKeeper servers, 3 brokers (and HAProxy), resolves when all serve
 *     .down(say?)    stops everything up() started
 *     .layout        { host, brokers: [{ brokerId, mqttPort }] }
 *     .brokers[i].pid, .zookeepers[i].pid, .lb.pid     PIDs (number | undefined) for CPU accounting
 */

export interface ClusterHandle {
  layout: { host: string; brokers: { brokerId: string; mqttPort: number }[] };
  brokers: readonly { pid: number | undefined }[];
  zookeepers: readonly { pid: number | undefined }[];
  lb: { pid: number | undefined };
  up(say?: (line: string) => void): Promise<void>;
  down(say?: (line: string) => void): Promise<void>;
}

export interface ClusterModule {
  freeLayout(stateDir: string, size?: number): Promise<unknown>;
  LocalCluster: new (layout: unknown) => ClusterHandle;
}

export class ClusterInterfaceError extends Error {
  override name = 'ClusterInterfaceError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null;
}

/** Checks that a loaded module exports what ClusterModule describes. */
export function asClusterModule(mod: unknown): ClusterModule {
  if (!isRecord(mod) || typeof mod.freeLayout !== 'function' || typeof mod.LocalCluster !== 'function') {
    throw new ClusterInterfaceError('local-cluster module lacks freeLayout() or LocalCluster');
  }
  return mod as unknown as ClusterModule;
}

/** Checks a constructed cluster's shape (layout with broker ports, up/down, pid holders). */
export function asClusterHandle(cluster: unknown): ClusterHandle {
  if (!isRecord(cluster) || typeof cluster.up !== 'function' || typeof cluster.down !== 'function') {
    throw new ClusterInterfaceError('LocalCluster lacks up() or down()');
  }
  const { layout, brokers, zookeepers } = cluster;
  if (!isRecord(layout) || typeof layout.host !== 'string' || !Array.isArray(layout.brokers)) {
    throw new ClusterInterfaceError('LocalCluster.layout lacks host or brokers');
  }
  for (const b of layout.brokers as unknown[]) {
    if (!isRecord(b) || typeof b.mqttPort !== 'number' || typeof b.brokerId !== 'string') {
      throw new ClusterInterfaceError('a layout broker lacks brokerId or mqttPort');
    }
  }
  if (layout.brokers.length < 2 || !Array.isArray(brokers) || !Array.isArray(zookeepers)) {
    throw new ClusterInterfaceError(
      'LocalCluster needs at least two brokers and lists of brokers and zookeepers',
    );
  }
  return cluster as unknown as ClusterHandle;
}

/** Every PID the cluster runs right now, labelled for CPU accounting. */
export function clusterPids(cluster: ClusterHandle): { label: string; pid: number }[] {
  const out: { label: string; pid: number }[] = [];
  cluster.brokers.forEach((b, i) => {
    if (b.pid !== undefined)
      out.push({ label: cluster.layout.brokers[i]?.brokerId ?? `broker-${i + 1}`, pid: b.pid });
  });
  cluster.zookeepers.forEach((z, i) => {
    if (z.pid !== undefined) out.push({ label: `zk-${i + 1}`, pid: z.pid });
  });
  if (cluster.lb.pid !== undefined) out.push({ label: 'haproxy', pid: cluster.lb.pid });
  return out;
}
