/**
 * One `mqttzoo broker` as a child process of the local cluster: started detached with its own log
 * file and PID file, ready when GET /readyz says so (ZooKeeper link up, log caught up).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killProcess, readPid, spawnDetached, stopProcess } from './processes.js';

export interface BrokerProcessOptions {
  brokerId: string;
  dir: string;
  host: string;
  mqttPort: number;
  httpPort: number;
  zookeeper: string;
  zkRoot: string;
  /** The CLI's entry (dist/src/cli/main.js). */
  entry: string;
  /** More flags, e.g. limits. */
  extraArgs?: string[];
}

export class BrokerProcess {
  constructor(readonly options: BrokerProcessOptions) {}

  get pidFile(): string {
    return join(this.options.dir, 'broker.pid');
  }

  get logFile(): string {
    return join(this.options.dir, 'broker.log');
  }

  get pid(): number | undefined {
    return readPid(this.pidFile);
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  get httpUrl(): string {
    return `http://${this.options.host}:${this.options.httpPort}`;
  }

  start(): number {
    if (this.running) throw new Error(`broker ${this.options.brokerId} already runs (pid ${this.pid})`);
    const o = this.options;
    mkdirSync(o.dir, { recursive: true });
    const args = [
      o.entry,
      'broker',
      '--broker-id',
      o.brokerId,
      '--host',
      o.host,
      '--port',
      String(o.mqttPort),
      '--http-host',
      o.host,
      '--http-port',
      String(o.httpPort),
      '--zookeeper',
      o.zookeeper,
      '--zk-root',
      o.zkRoot,
      '--log-format',
      'json',
      ...(o.extraArgs ?? []),
    ];
    return spawnDetached(process.execPath, args, {
      cwd: o.dir,
      logFile: this.logFile,
      pidFile: this.pidFile,
    });
  }

  /** GET /readyz answers 200. */
  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`${this.httpUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`broker ${this.options.brokerId} exited; see ${this.logFile}`);
      if (await this.ready()) return;
      await sleep(100);
    }
    throw new Error(`broker ${this.options.brokerId} not ready after ${timeoutMs} ms; see ${this.logFile}`);
  }

  /** SIGTERM: the broker drains (clients get DISCONNECT and reconnect elsewhere), then exits. */
  stop(timeoutMs = 15_000): Promise<void> {
    return stopProcess(this.pidFile, timeoutMs);
  }

  /** SIGKILL: the broker dies without a word. */
  kill(): Promise<void> {
    return killProcess(this.pidFile);
  }
}
