/**
 * CPU accounting from /proc (Linux): per-process utime+stime deltas over the measured window, the
 * whole machine's busy time over the same window, and a bounded wait for a quiet machine.
 *
 * Percentages are of one core (a process saturating one core shows ~100%; the machine has
 * `os.availableParallelism()` cores, so "machine" can reach 100 x cores).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { nowUs, sleep } from './clock.js';

export interface LabeledPid {
  label: string;
  pid: number;
}

export interface ProcessCpu extends LabeledPid {
  cpuPct: number;
}

export interface CpuUsage {
  windowMs: number;
  processes: ProcessCpu[];
  generatorPct: number;
  /** Every core's busy time during the window, in % of one core. */
  machinePct: number;
  /** machinePct minus the processes above and the generator: what else ran. */
  otherPct: number;
}

const TICKS_PER_SECOND = clockTicks();

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** utime + stime of `pid` in seconds, or null when the process is gone. */
export function processCpuSeconds(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  return parseStatCpuTicks(text) / TICKS_PER_SECOND;
}

/** utime + stime (fields 14 and 15) from a /proc/PID/stat line; the name may hold spaces. */
export function parseStatCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy and total seconds of all cores since boot, from the first line of /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  return parseMachineCpu(line, TICKS_PER_SECOND);
}

export function parseMachineCpu(line: string, ticksPerSecond: number): { busy: number; total: number } {
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond };
}

interface Reading {
  us: number;
  machine: number;
  self: number;
  processes: (number | null)[];
}

/**
 * CPU over a window that starts at construction and ends at the last `mark()` (the last moment
 * the phase made progress), so a drain timeout spent idle does not dilute the figures.
 */
export class CpuWindow {
  private readonly start: Reading;
  private end: Reading;

  constructor(private readonly pids: readonly LabeledPid[]) {
    this.start = this.read();
    this.end = this.start;
  }

  mark(): void {
    this.end = this.read();
  }

  stop(): CpuUsage {
    const { start, end } = this;
    const seconds = (end.us - start.us) / 1e6;
    const pct = (delta: number): number => (seconds > 0 ? (100 * delta) / seconds : NaN);
    const processes = this.pids.map((p, i) => {
      const a = start.processes[i];
      const b = end.processes[i];
      return {
        ...p,
        cpuPct: a === null || a === undefined || b === null || b === undefined ? NaN : pct(b - a),
      };
    });
    const generatorPct = pct(end.self - start.self);
    const machinePct = pct(end.machine - start.machine);
    const accounted = processes.reduce((a, p) => a + (Number.isNaN(p.cpuPct) ? 0 : p.cpuPct), generatorPct);
    return {
      windowMs: seconds * 1000,
      processes,
      generatorPct,
      machinePct,
      otherPct: Math.max(0, machinePct - accounted),
    };
  }

  private read(): Reading {
    return {
      us: nowUs(),
      machine: machineCpuSeconds().busy,
      self: processCpuSeconds(process.pid) ?? 0,
      processes: this.pids.map((p) => processCpuSeconds(p.pid)),
    };
  }
}

export interface QuietResult {
  /** Machine busy % (of one core) in the last sample, processes under test included. */
  backgroundPct: number;
  waitedMs: number;
  quiet: boolean;
}

/**
 * Samples the machine every `sampleMs` until its busy time is under `thresholdPct` (of one core),
 * for at most `maxWaitMs`. Returns the last sample either way.
 */
export async function waitForQuiet(
  maxWaitMs: number,
  thresholdPct = 15,
  sampleMs = 300,
): Promise<QuietResult> {
  const start = nowUs();
  let backgroundPct = NaN;
  for (;;) {
    const before = machineCpuSeconds();
    await sleep(sampleMs);
    const after = machineCpuSeconds();
    backgroundPct = (100 * (after.busy - before.busy)) / (sampleMs / 1000);
    const waitedMs = (nowUs() - start) / 1000;
    if (backgroundPct < thresholdPct) return { backgroundPct, waitedMs, quiet: true };
    if (waitedMs >= maxWaitMs) return { backgroundPct, waitedMs, quiet: false };
  }
}

export const CORES = os.availableParallelism();
