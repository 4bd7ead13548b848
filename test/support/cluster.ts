/**
 * A whole local cluster per test file (src/cli/cluster/local-cluster.ts): 3 ZooKeeper servers, 3
 * `mqttzoo broker` processes and HAProxy, on ports reserved at run time (lock files, outside the
 * ephemeral range: test/support/zookeeper.ts), in its own temporary directory.
 *
 * Every process is killed by PID in `stop()` (afterAll), and again, synchronously, if the test
 * process exits without it; processes left by a test process that was itself SIGKILLed are reaped
 * by the next run (their directory names their owner).
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster, type ClusterLayout } from '../../src/cli/cluster/local-cluster.js';
import { requireBuild } from '../cli/processes.js';
import { FaultProxy } from './fault-proxy.js';
import { reservePorts, unlockPort } from './zookeeper.js';

const HOST = '127.0.0.1';
const PREFIX = 'mqttzoo-cluster-';

export interface TestClusterOptions {
  /** Flags for every broker. */
  brokerArgs?: string[];
  /** ZooKeeper tick (default 500 ms: sessions of 1-10 s, quick elections). */
  tickTimeMs?: number;
  /** Brokers (by index) that reach ZooKeeper through a FaultProxy of this process, to cut the link. */
  proxied?: number[];
}

export interface CoordinatorView {
  role: string;
  leaderId: string | null;
  link: string;
  applied: number;
  log: { head: number; applied: number; tail: number };
  context: {
    lastSnapshotAt: number | null;
    dutyRuns: number;
    dutyErrors: number;
    lastDutyError: string | null;
    lastDuty: { appended: number; trimmed: number; snapshotAt?: number } | null;
  };
  members: { brokerId: string; applied: number }[];
  quota: { stateBytes: number; exceeded: boolean; refused: number };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killNow(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** PID files under `dir` (two levels: dir/<component>/<name>.pid). */
function pidFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const name of readdirSync(join(dir, entry.name))) {
      if (name.endsWith('.pid')) out.push(join(dir, entry.name, name));
    }
  }
  return out;
}

/** Kills processes of clusters whose test process died without cleaning up. */
function reapOrphans(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number.parseInt(readFileSync(join(dir, 'owner'), 'utf8'), 10);
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || isAlive(owner)) continue;
    try {
      for (const file of pidFilesUnder(join(dir, 'state'))) {
        const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
        try {
          // only a process still running in this cluster's directory: the PID may have been reused
          if (readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) killNow(pid);
        } catch {
          // gone already
        }
      }
    } catch {
      // no state folder
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const live = new Set<TestCluster>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = (): void => {
    for (const cluster of live) cluster.killAllNow();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

export class TestCluster {
  private stopped = false;

  private constructor(
    readonly cluster: LocalCluster,
    readonly dir: string,
    private readonly ports: number[],
    private readonly proxies: Map<number, FaultProxy>,
  ) {}

  static async start(options: TestClusterOptions = {}): Promise<TestCluster> {
    requireBuild();
    installExitHooks();
    reapOrphans();
    const dir = mkdtempSync(join(tmpdir(), PREFIX));
    writeFileSync(join(dir, 'owner'), String(process.pid));
    const ports = await reservePorts(3 * 3 + 3 * 2 + 1);
    const at = (i: number): number => ports[i]!;
    const proxies = new Map<number, FaultProxy>();
    for (const i of options.proxied ?? []) {
      proxies.set(i, await FaultProxy.start([0, 1, 2].map((z) => ({ host: HOST, port: at(z * 3) }))));
    }
    const layout: ClusterLayout = {
      stateDir: join(dir, 'state'),
      host: HOST,
      zookeepers: [0, 1, 2].map((i) => ({
        id: i + 1,
        host: HOST,
        clientPort: at(i * 3),
        peerPort: at(i * 3 + 1),
        electionPort: at(i * 3 + 2),
      })),
      brokers: [0, 1, 2].map((i) => ({
        brokerId: `broker-${i + 1}`,
        mqttPort: at(9 + i * 2),
        httpPort: at(9 + i * 2 + 1),
        ...(proxies.has(i) ? { zookeeper: proxies.get(i)!.connectString } : {}),
      })),
      lbPort: at(15),
      statsPort: 0,
      zkRoot: '/mqttzoo',
      brokerArgs: options.brokerArgs ?? [],
      zookeeperTuning: {
        tickTimeMs: options.tickTimeMs ?? 500,
        initLimit: 10,
        syncLimit: 10,
        preAllocSizeKb: 1024,
      },
    };
    const test = new TestCluster(new LocalCluster(layout), dir, ports, proxies);
    live.add(test);
    try {
      await test.cluster.up();
    } catch (err) {
      await test.stop();
      throw err;
    }
    return test;
  }

  /** Stops every cluster this process started (afterAll: also when beforeAll failed half-way). */
  static async stopAll(): Promise<void> {
    await Promise.all([...live].map((cluster) => cluster.stop()));
  }

  /** The fault proxy between broker `i` and ZooKeeper (TestClusterOptions.proxied). */
  proxy(i: number): FaultProxy {
    const proxy = this.proxies.get(i);
    if (proxy === undefined) throw new Error(`broker ${i} reaches ZooKeeper directly`);
    return proxy;
  }

  /** MQTT port of broker `i` (0, 1, 2). */
  port(i: number): number {
    return this.cluster.layout.brokers[i]!.mqttPort;
  }

  /** The load balancer's MQTT port. */
  get lbPort(): number {
    return this.cluster.layout.lbPort;
  }

  http(i: number): string {
    return this.cluster.brokers[i]!.httpUrl;
  }

  /** Starts every broker that is not running and waits until all are ready. */
  async restoreBrokers(timeoutMs = 60_000): Promise<void> {
    for (const broker of this.cluster.brokers) if (!broker.running) broker.start();
    await Promise.all(this.cluster.brokers.map((b) => b.waitReady(timeoutMs)));
  }

  /** Starts every ZooKeeper server that is not running and waits until all serve. */
  async restoreZooKeepers(timeoutMs = 60_000): Promise<void> {
    for (const zk of this.cluster.zookeepers) if (!zk.running) zk.start();
    await Promise.all(this.cluster.zookeepers.map((zk) => zk.waitReady(timeoutMs)));
  }

  /** Index of the ZooKeeper server that leads now, or null (during an election). */
  async zkLeader(): Promise<number | null> {
    const modes = await Promise.all(this.cluster.zookeepers.map((zk) => zk.mode(1000)));
    const i = modes.indexOf('leader');
    return i >= 0 ? i : null;
  }

  async coordinator(i: number): Promise<CoordinatorView> {
    const res = await fetch(`${this.http(i)}/debug/coordinator`, { signal: AbortSignal.timeout(3000) });
    return (await res.json()) as CoordinatorView;
  }

  /**
   * Polls `check` every 100 ms until it holds; fails after `ms` with what it waited for and each
   * broker's coordinator as it stood then (role, link, log positions, last duty).
   */
  async until(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) {
        const views = await Promise.all(
          this.cluster.brokers.map((_, i) =>
            this.coordinator(i).then(
              (v) => JSON.stringify({ role: v.role, link: v.link, log: v.log, context: v.context }),
              (err: unknown) => String(err),
            ),
          ),
        );
        throw new Error(`timed out after ${ms} ms waiting for ${what}; coordinators:\n${views.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** One sample of a Prometheus metric of broker `i` (labels as `{kind="persistent"}`), or null. */
  async metric(i: number, name: string, labels = ''): Promise<number | null> {
    const res = await fetch(`${this.http(i)}/metrics`, { signal: AbortSignal.timeout(3000) });
    const text = await res.text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
    return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  /** Index of the broker where `clientId` is connected now, or null. */
  async brokerOf(clientId: string): Promise<number | null> {
    for (let i = 0; i < this.cluster.brokers.length; i++) {
      if (!this.cluster.brokers[i]!.running) continue;
      try {
        const res = await fetch(`${this.http(i)}/debug/actors/${encodeURIComponent(clientId)}`, {
          signal: AbortSignal.timeout(3000),
        });
        if (res.status === 200 && ((await res.json()) as { live?: boolean }).live === true) return i;
      } catch {
        // that broker does not answer: not there
      }
    }
    return null;
  }

  /** Every process of this cluster, SIGKILLed now (exit hook; also the end of stop()). */
  killAllNow(): void {
    for (const broker of this.cluster.brokers) killNow(broker.pid);
    killNow(this.cluster.lb.pid);
    for (const zk of this.cluster.zookeepers) killNow(zk.pid);
  }

  /** Kills everything by PID, waits (bounded) until it is gone, removes the directory. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const pids = [
      ...this.cluster.brokers.map((b) => b.pid),
      this.cluster.lb.pid,
      ...this.cluster.zookeepers.map((zk) => zk.pid),
    ].filter((pid): pid is number => pid !== undefined);
    this.killAllNow();
    const deadline = Date.now() + 10_000;
    while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
    for (const port of this.ports) unlockPort(port);
    // MQTTZOO_KEEP_CLUSTER=1 keeps the logs for a look after a failure (the next run reaps them)
    if (process.env.MQTTZOO_KEEP_CLUSTER !== '1') rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}
