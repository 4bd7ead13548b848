/**
 * Processes the benchmark starts: spawned with their output in a log file, stopped by PID
 * (SIGTERM, then SIGKILL after a grace period), and killed at exit if anything is still running,
 * so a failed or interrupted run leaves nothing behind. Also: free loopback ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { sleep } from '../clock.js';
import type { LabeledPid } from '../cpu.js';

export interface ManagedProcess extends LabeledPid {
  logFile: string;
  /** Exit code or signal once the process ended, else null. */
  exited: () => string | null;
}

const live = new Map<number, ChildProcess>();
/** PIDs started for us by another program (the cluster launcher): killed at exit too. */
const adopted = new Set<number>();

export function adopt(pid: number): void {
  adopted.add(pid);
}

export function release(pid: number): void {
  adopted.delete(pid);
}

/** Stoppers for targets still starting (a cluster launcher's detached processes): run on Ctrl-C. */
const pendingStops = new Set<() => Promise<void>>();

export function whileStarting<T>(stop: () => Promise<void>, start: () => Promise<T>): Promise<T> {
  pendingStops.add(stop);
  return start().finally(() => pendingStops.delete(stop));
}

export async function stopStarting(): Promise<void> {
  for (const stop of [...pendingStops]) await stop().catch(() => undefined);
}

process.on('exit', () => {
  for (const pid of [...live.keys(), ...adopted]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function spawnLogged(
  label: string,
  command: string,
  args: readonly string[],
  logFile: string,
): ManagedProcess {
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${label}: could not start ${command}`);
  let exit: string | null = null;
  live.set(pid, child);
  child.on('exit', (code, signal) => {
    exit = signal ?? `exit code ${code ?? '?'}`;
    live.delete(pid);
  });
  child.on('error', (err) => {
    exit = err.message;
    live.delete(pid);
  });
  return { label, pid, logFile, exited: () => exit };
}

/** Stops one process: SIGTERM, wait up to `graceMs`, then SIGKILL. */
export async function stopProcess(p: ManagedProcess, graceMs = 3000): Promise<void> {
  if (p.exited() !== null) return;
  signal(p.pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (p.exited() === null && Date.now() < until) await sleep(20);
  if (p.exited() === null) {
    signal(p.pid, 'SIGKILL');
    const hard = Date.now() + 2000;
    while (p.exited() === null && Date.now() < hard) await sleep(20);
  }
}

/** Stops every process of a target in reverse start order. */
export async function stopAll(processes: readonly ManagedProcess[]): Promise<void> {
  for (const p of [...processes].reverse()) await stopProcess(p);
}

/** Sends a signal to a PID we were told about (not our child); false when it is gone. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The last `lines` lines of a log file, for error messages. */
export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
