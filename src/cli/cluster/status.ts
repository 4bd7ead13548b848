/** What `mqttzoo cluster status` reports: every process, whether it serves, and where its log is. */
import type { LocalCluster } from './local-cluster.js';

export interface ComponentStatus {
  name: string;
  pid: number | undefined;
  /** ZooKeeper mode, broker readiness, load balancer listening. */
  state: string;
  endpoint: string;
  log: string;
}

async function brokerRole(url: string): Promise<string | null> {
  try {
    const res = await fetch(`${url}/debug/coordinator`, { signal: AbortSignal.timeout(1000) });
    if (res.status !== 200) return null;
    const body = (await res.json()) as { state?: unknown; role?: unknown };
    const role = body.role ?? body.state;
    return typeof role === 'string' ? role : null;
  } catch {
    return null;
  }
}

export async function clusterStatus(cluster: LocalCluster): Promise<ComponentStatus[]> {
  const out: ComponentStatus[] = [];
  for (const zk of cluster.zookeepers) {
    zk.adopt();
    const mode = zk.running ? await zk.mode(1000) : null;
    out.push({
      name: `zookeeper-${zk.id}`,
      pid: zk.pid,
      state: zk.running ? (mode ?? 'not serving') : 'stopped',
      endpoint: `${zk.host}:${zk.clientPort}`,
      log: zk.logFile,
    });
  }
  for (const b of cluster.brokers) {
    const ready = b.running && (await b.ready());
    const role = ready ? await brokerRole(b.httpUrl) : null;
    out.push({
      name: b.options.brokerId,
      pid: b.pid,
      state: !b.running ? 'stopped' : ready ? `ready${role !== null ? ` (${role})` : ''}` : 'not ready',
      endpoint: `mqtt://${b.options.host}:${b.options.mqttPort} ${b.httpUrl}`,
      log: b.logFile,
    });
  }
  const lb = cluster.lb;
  out.push({
    name: 'haproxy',
    pid: lb.pid,
    state: lb.running ? 'running' : 'stopped',
    endpoint: `mqtt://${lb.options.host}:${lb.options.port}`,
    log: lb.logFile,
  });
  return out;
}

export function formatStatus(rows: ComponentStatus[]): string {
  const header: [string, string, string, string, string] = ['component', 'pid', 'state', 'endpoint', 'log'];
  const cells = rows.map((r) => [
    r.name,
    r.pid === undefined ? '-' : String(r.pid),
    r.state,
    r.endpoint,
    r.log,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}
