/**
 * Debian ZooKeeper 3.8 servers as child processes: start, stop (SIGTERM, then SIGKILL after a
 * timeout), kill (SIGKILL) and restart one server; wait until an ensemble serves. Each server's
 * files live in its own directory (zookeeper-config.ts) and its PID is recorded in zookeeper.pid,
 * so a server started detached by `mqttzoo cluster up` can be stopped by a later command.
 *
 * Readiness is the `srvr` four-letter word reporting Mode leader, follower or standalone: `ruok`
 * answers imok on a server that has no quorum and serves nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  javaArgs,
  log4jProperties,
  peerOf,
  zooCfg,
  zookeeperClasspath,
  type ZooKeeperServerOptions,
} from './zookeeper-config.js';

export type { ZooKeeperPeer, ZooKeeperServerOptions } from './zookeeper-config.js';

export type ServerMode = 'leader' | 'follower' | 'standalone' | 'observer';

/** Sends a four-letter word and returns the whole answer ('' when the server does not answer in time). */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('connect', () => socket.end(word));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', done);
    socket.on('error', () => undefined); // 'close' follows and resolves
  });
}

/** A port that was free a moment ago on `host` (the caller races other processes for it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ZooKeeperServer {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private currentPid: number | undefined;

  constructor(readonly options: ZooKeeperServerOptions) {}

  get id(): number {
    return this.options.id;
  }

  get host(): string {
    return peerOf(this.options).host;
  }

  get clientPort(): number {
    return peerOf(this.options).clientPort;
  }

  get pid(): number | undefined {
    return this.currentPid;
  }

  get pidFile(): string {
    return join(this.options.dir, 'zookeeper.pid');
  }

  get logFile(): string {
    return join(this.options.dir, 'zookeeper.log');
  }

  /** True while the process runs (ours, or the one named in the PID file). */
  get running(): boolean {
    return this.currentPid !== undefined && isAlive(this.currentPid);
  }

  /**
   * Writes the server's files and starts the JVM; does not wait for it to serve (see waitReady).
   * `detached` leaves the server running after this process exits.
   */
  start(opts: { detached?: boolean } = {}): void {
    if (this.running) throw new Error(`ZooKeeper server ${this.id} already runs (pid ${this.currentPid})`);
    const dir = this.options.dir;
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'zoo.cfg'), zooCfg(this.options));
    writeFileSync(join(dir, 'data', 'myid'), `${this.id}\n`);
    writeFileSync(join(dir, 'log4j.properties'), log4jProperties(dir));
    // stdout/stderr go to a file, not a pipe: a pipe nobody drains would block the JVM when full.
    const out = openSync(join(dir, 'zookeeper.out'), 'a');
    try {
      const child = spawn(this.options.java ?? 'java', javaArgs(this.options, zookeeperClasspath()), {
        cwd: dir,
        stdio: ['ignore', out, out],
        detached: opts.detached === true,
      });
      if (child.pid === undefined) throw new Error(`could not start java for ZooKeeper server ${this.id}`);
      if (opts.detached === true) child.unref();
      this.child = child;
      this.currentPid = child.pid;
      this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
      writeFileSync(this.pidFile, `${child.pid}\n`);
    } finally {
      closeSync(out);
    }
  }

  /** Takes over a server started by another process, from its PID file. */
  adopt(): boolean {
    let pid: number;
    try {
      pid = Number.parseInt(readFileSync(this.pidFile, 'utf8'), 10);
    } catch {
      return false;
    }
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
    this.child = null;
    this.currentPid = pid;
    this.exited = waitForPidExit(pid);
    return true;
  }

  /** The server's mode from `srvr`, or null while it does not serve. */
  async mode(timeoutMs = 1000): Promise<ServerMode | null> {
    const answer = await fourLetterWord(this.host, this.clientPort, 'srvr', timeoutMs);
    const match = /^Mode: (leader|follower|standalone|observer)$/m.exec(answer);
    return match ? (match[1] as ServerMode) : null;
  }

  /** Waits until `srvr` reports a serving mode; polls every 100 ms, bounded by `timeoutMs`. */
  async waitReady(timeoutMs = 30_000): Promise<ServerMode> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; attempt < 10_000; attempt++) {
      if (!this.running) throw new Error(`ZooKeeper server ${this.id} exited; see ${this.logFile}`);
      const mode = await this.mode(Math.max(100, Math.min(1000, deadline - Date.now())));
      if (mode !== null) return mode;
      if (Date.now() >= deadline) break;
      await sleep(100);
    }
    throw new Error(`ZooKeeper server ${this.id} not serving after ${timeoutMs} ms; see ${this.logFile}`);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.signal('SIGTERM', timeoutMs);
    if (this.running) await this.kill();
  }

  /** SIGKILL: the server dies without closing sessions or sockets cleanly. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 10_000);
  }

  /** Suspends the JVM (SIGSTOP): a hung server whose sockets stay open. */
  pause(): void {
    if (this.currentPid !== undefined) process.kill(this.currentPid, 'SIGSTOP');
  }

  resume(): void {
    if (this.currentPid !== undefined) process.kill(this.currentPid, 'SIGCONT');
  }

  async restart(opts: { detached?: boolean } = {}): Promise<void> {
    await this.stop();
    this.start(opts);
  }

  private async signal(signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
    const pid = this.currentPid;
    if (pid === undefined || !isAlive(pid)) return;
    try {
      // A stopped (paused) JVM ignores SIGTERM until continued.
      process.kill(pid, 'SIGCONT');
      process.kill(pid, signal);
    } catch {
      return; // exited meanwhile
    }
    const timeout = sleep(timeoutMs).then(() => 'timeout' as const);
    const result = await Promise.race([this.exited.then(() => 'exited' as const), timeout]);
    if (result === 'exited') {
      this.child = null;
    }
  }
}

/** Polls until a process that is not our child exits (bounded: about a minute). */
async function waitForPidExit(pid: number): Promise<void> {
  for (let i = 0; i < 600 && isAlive(pid); i++) await sleep(100);
}

/**
 * Waits until every server serves and exactly one leads (or the single server is standalone).
 * Polls each server's `srvr`; bounded by `timeoutMs`.
 */
export async function waitForQuorum(servers: ZooKeeperServer[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const modes = await Promise.all(servers.map((server) => server.mode(500)));
    const leaders = modes.filter((mode) => mode === 'leader' || mode === 'standalone').length;
    if (modes.every((mode) => mode !== null) && leaders === 1) return;
    const dead = servers.find((server) => !server.running);
    if (dead) throw new Error(`ZooKeeper server ${dead.id} exited; see ${dead.logFile}`);
    if (Date.now() >= deadline) {
      throw new Error(`ZooKeeper ensemble not serving after ${timeoutMs} ms: modes ${JSON.stringify(modes)}`);
    }
    await sleep(100);
  }
}
