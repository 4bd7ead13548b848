/**
 * Child processes that outlive the command that started them (`mqttzoo cluster up` returns while
 * the cluster runs): PID files, liveness, and signals with a bounded wait for the exit.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live PID recorded in `pidFile`, or undefined. */
export function readPid(pidFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Starts `command` detached, output appended to `logFile`, PID written to `pidFile`. */
export function spawnDetached(
  command: string,
  args: string[],
  opts: { cwd: string; logFile: string; pidFile: string; env?: NodeJS.ProcessEnv },
): number {
  const out = openSync(opts.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      stdio: ['ignore', out, out],
      detached: true,
      env: opts.env ?? process.env,
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    writeFileSync(opts.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** Waits (bounded) until `pid` is gone; returns whether it is. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** SIGTERM, then SIGKILL after `timeoutMs`; removes the PID file. */
export async function stopProcess(pidFile: string, timeoutMs: number): Promise<void> {
  const pid = readPid(pidFile);
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // exited meanwhile
    }
    if (!(await waitForExit(pid, timeoutMs))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
      await waitForExit(pid, 5000);
    }
  }
  rmSync(pidFile, { force: true });
}

/** SIGKILL at once (fault tests: the process gets no chance to clean up). */
export async function killProcess(pidFile: string): Promise<void> {
  const pid = readPid(pidFile);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitForExit(pid, 5000);
}
