/**
 * What a benchmark target is: something that starts broker process(es) on ports chosen at run
 * time, on 127.0.0.1 only, says where publishers and subscribers connect and which PIDs to
 * account CPU to, and stops everything it started. A target that cannot run here (binary missing,
 * command not implemented yet) throws TargetUnavailableError and the run goes on without it.
 */
import path from 'node:path';
import type { LabeledPid } from '../cpu.js';
import type { Endpoints } from '../load.js';
import { logTail, spawnLogged, stopAll, type ManagedProcess } from './processes.js';
import { waitForBroker } from './probe.js';

export interface TargetContext {
  repoRoot: string;
  /** A fresh folder for this target's configs, state and logs. */
  workDir: string;
  readyTimeoutMs: number;
}

export interface RunningTarget {
  endpoints: Endpoints;
  processes: readonly LabeledPid[];
  /** Settings a reader needs to interpret the figures (limits, defaults, versions). */
  notes: string[];
  stop(): Promise<void>;
}

export interface Target {
  name: string;
  kind: 'single' | 'cluster';
  /** For cluster targets: the single-broker or cluster target its ratios compare against. */
  description: string;
  start(ctx: TargetContext): Promise<RunningTarget>;
}

export class TargetUnavailableError extends Error {
  override name = 'TargetUnavailableError';
}

/**
 * Starts one broker process listening on `port`, waits for CONNACK readiness, and returns it as a
 * running target; on any failure stops it and throws TargetUnavailableError with the log's tail.
 */
export async function startSingleBroker(
  ctx: TargetContext,
  label: string,
  command: string,
  args: readonly string[],
  port: number,
  notes: string[],
): Promise<RunningTarget> {
  const proc = spawnLogged(label, command, args, path.join(ctx.workDir, `${label}.log`));
  try {
    await waitForBroker({ host: '127.0.0.1', port }, ctx.readyTimeoutMs, () => proc.exited() === null);
  } catch (err) {
    await stopAll([proc]);
    const reason = err instanceof Error ? err.message : String(err);
    throw new TargetUnavailableError(`${label}: ${reason}\n${logTail(proc.logFile)}`, { cause: err });
  }
  return runningTarget(
    [proc],
    { publish: [{ host: '127.0.0.1', port }], subscribe: [{ host: '127.0.0.1', port }] },
    notes,
  );
}

export function runningTarget(
  processes: readonly ManagedProcess[],
  endpoints: Endpoints,
  notes: string[],
): RunningTarget {
  return {
    endpoints,
    processes: processes.map((p) => ({ label: p.label, pid: p.pid })),
    notes,
    stop: () => stopAll(processes),
  };
}
