/**
 * Test harness over src/cli/cluster/zookeeper-server.ts: a real ZooKeeper ensemble of 1 or 3
 * servers per test file, in its own temporary directory, on ports reserved at run time, always
 * cleaned up. Two test files never share ports (a lock file per port, outside the ephemeral range
 * so that no client socket takes a port between reservation and bind), and JVMs left behind by a
 * worker that was SIGKILLed are reaped by the next run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ZooKeeperServer,
  waitForQuorum,
  type ServerMode,
  type ZooKeeperPeer,
} from '../../src/cli/cluster/zookeeper-server.js';

export interface ServerHandle {
  readonly id: number;
  readonly clientPort: number;
  readonly pid: number | undefined;
  /** `host:port` of this server alone. */
  readonly connectString: string;
  /** SIGKILL. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL. */
  stop(): Promise<void>;
  /** Starts the server again and waits until it serves. */
  start(): Promise<void>;
  mode(): Promise<ServerMode | null>;
  /** SIGSTOP / SIGCONT: a hung server. */
  pause(): void;
  resume(): void;
}

export interface Ensemble {
  /** `127.0.0.1:p1,127.0.0.1:p2,...` */
  readonly connectString: string;
  readonly servers: ServerHandle[];
  readonly dir: string;
  /** The server that currently leads, or null. */
  leader(): Promise<ServerHandle | null>;
  waitForQuorum(timeoutMs?: number): Promise<void>;
  /** Stops every server and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const LOCKS = join(tmpdir(), 'mqttzoo-port-locks');
const PREFIX = 'mqttzoo-zk-';
/** Below Linux's default ephemeral range (32768-60999). */
const PORT_RANGE = { from: 20_000, to: 32_000 };

const live = new Set<{ servers: ZooKeeperServer[]; dir: string; ports: number[] }>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** Reserves `count` ports for this process (lock files), outside the ephemeral range. */
export async function reservePorts(count: number): Promise<number[]> {
  mkdirSync(LOCKS, { recursive: true });
  const ports: number[] = [];
  for (let attempt = 0; attempt < 1000 && ports.length < count; attempt++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (ports.includes(port) || !lockPort(port)) continue;
    if (await canBind(port)) ports.push(port);
    else unlockPort(port);
  }
  if (ports.length < count) throw new Error(`could not reserve ${count} ports`);
  return ports;
}

function lockPort(port: number): boolean {
  const file = join(LOCKS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      let owner = Number.NaN;
      try {
        owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
      } catch {
        // removed meanwhile: try again
      }
      if (Number.isInteger(owner) && isAlive(owner)) return false;
      rmSync(file, { force: true }); // its owner died: take the port over
    }
  }
  return false;
}

export function unlockPort(port: number): void {
  rmSync(join(LOCKS, String(port)), { force: true });
}

/** Kills JVMs of ensembles whose test process died without cleaning up (SIGKILLed worker). */
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
    for (const server of readdirSync(dir).filter((n) => n.startsWith('server-'))) {
      try {
        const pid = Number.parseInt(readFileSync(join(dir, server, 'zookeeper.pid'), 'utf8'), 10);
        // Only a JVM running from this directory: the PID may have been reused since.
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.includes('QuorumPeerMain') && cmdline.includes(dir)) process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function killAllNow(): void {
  for (const ensemble of live) {
    for (const server of ensemble.servers) {
      if (server.pid !== undefined && server.running) process.kill(server.pid, 'SIGKILL');
    }
    for (const port of ensemble.ports) unlockPort(port);
    rmSync(ensemble.dir, { recursive: true, force: true });
  }
  live.clear();
}

let hooksInstalled = false;
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

export async function startEnsemble(options: { size?: 1 | 3; tickTimeMs?: number } = {}): Promise<Ensemble> {
  installExitHooks();
  reapOrphans();
  const size = options.size ?? 3;
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(dir, 'owner'), String(process.pid));
  const ports = await reservePorts(size * 3);
  const peers: ZooKeeperPeer[] = Array.from({ length: size }, (_, i) => ({
    id: i + 1,
    host: HOST,
    clientPort: ports[i * 3]!,
    peerPort: ports[i * 3 + 1]!,
    electionPort: ports[i * 3 + 2]!,
  }));
  const servers = peers.map(
    (peer) =>
      new ZooKeeperServer({
        id: peer.id,
        dir: join(dir, `server-${peer.id}`),
        ensemble: peers,
        // Short ticks: sessions of 1-10 s and quick elections in tests.
        tickTimeMs: options.tickTimeMs ?? 500,
        initLimit: 10,
        syncLimit: 5,
        preAllocSizeKb: 1024,
      }),
  );
  const record = { servers, dir, ports };
  live.add(record);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(servers.map((server) => server.stop(5000)));
    for (const port of ports) unlockPort(port);
    rmSync(dir, { recursive: true, force: true });
    live.delete(record);
  };
  try {
    for (const server of servers) server.start();
    await waitForQuorum(servers, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const handles = servers.map((server): ServerHandle => handle(server));
  return {
    connectString: peers.map((peer) => `${HOST}:${peer.clientPort}`).join(','),
    servers: handles,
    dir,
    async leader() {
      for (const [i, server] of servers.entries()) {
        const mode = await server.mode(500);
        if (mode === 'leader' || mode === 'standalone') return handles[i]!;
      }
      return null;
    },
    waitForQuorum: (timeoutMs = 60_000) => waitForQuorum(servers, timeoutMs),
    stop,
  };
}

function handle(server: ZooKeeperServer): ServerHandle {
  return {
    id: server.id,
    clientPort: server.clientPort,
    get pid() {
      return server.pid;
    },
    connectString: `${HOST}:${server.clientPort}`,
    kill: () => server.kill(),
    stop: () => server.stop(5000),
    async start() {
      server.start();
      await server.waitReady(60_000);
    },
    mode: () => server.mode(500),
    pause: () => server.pause(),
    resume: () => server.resume(),
  };
}

/** PIDs of QuorumPeerMain processes started from `dir` (for leak checks in tests). */
export function jvmsUnder(dir: string): number[] {
  try {
    const out = execFileSync('pgrep', ['-f', `QuorumPeerMain.*${dir}`], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => Number.parseInt(line, 10));
  } catch {
    return [];
  }
}
