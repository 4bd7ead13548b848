/**
 * The shapes of benchmark results (what bench/results/<timestamp>.json holds) and the reductions
 * over runs: medians for figures, sums for anomalies (a loss in any run is reported).
 */
import type { QuietResult } from './cpu.js';
import type { RunResult } from './load.js';
import type { Figure } from './scenarios.js';
import { median, medianIndex } from './stats.js';

export interface RunRecord {
  run: number;
  /** Machine CPU just before the run (bounded wait for quiet). */
  before: QuietResult;
  /** How long the target took to answer CONNECT again before this run (-1: it did not). */
  readyMs: number;
  result: RunResult | null;
  error: string | null;
}

export interface CellRecord {
  target: string;
  scenario: string;
  figure: Figure;
  status: 'ok' | 'unavailable' | 'error';
  reason: string | null;
  notes: string[];
  runs: RunRecord[];
}

export interface CellSummary {
  /** Median deliveries/s (throughput rows) over successful runs. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** The run whose main figure is the median (throughput, or p99 for latency rows). */
  representative: RunResult | null;
  lost: number;
  lostQos0: number;
  unacked: number;
  duplicates: number;
  outOfOrder: number;
  crossOrder: number;
  incompleteRuns: number;
  errors: string[];
  generatorBound: boolean;
}

/** A process at or above this share of one core during the window is called saturated. */
export const SATURATED_PCT = 90;

export function summarizeCell(cell: CellRecord): CellSummary {
  const results = cell.runs.map((r) => r.result).filter((r): r is RunResult => r !== null);
  const throughputs = results.map((r) => r.measured.deliveriesPerSecond);
  const p99s = results.map((r) => r.measured.latencyMs.p99);
  const main = cell.figure === 'latency' ? p99s : throughputs;
  const rep = results[medianIndex(main)] ?? null;
  const sum = (f: (r: RunResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  return {
    throughput: median(throughputs),
    p50Ms: median(results.map((r) => r.measured.latencyMs.p50)),
    p99Ms: median(p99s),
    representative: rep,
    lost: sum((r) => r.measured.lost),
    lostQos0: sum((r) => r.measured.lostQos0),
    unacked: sum((r) => r.measured.unacked),
    duplicates: sum((r) => r.measured.duplicates),
    outOfOrder: sum((r) => r.measured.outOfOrder),
    crossOrder: sum((r) => r.measured.crossOrder),
    incompleteRuns: results.filter((r) => !r.measured.complete).length,
    errors: [
      ...cell.runs.flatMap((r) => (r.error !== null ? [r.error] : [])),
      ...results.flatMap((r) => r.measured.errors),
    ],
    generatorBound: results.some((r) => r.cpu.generatorPct >= SATURATED_PCT),
  };
}

/** a / b, or NaN when either is missing. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN;
}
