/**
 * Benchmark settings from flags and environment (flags win):
 *   --targets a,b     BENCH_TARGETS     targets to run (default: all, in the order listed below)
 *   --scenarios x,y   BENCH_SCENARIOS   scenarios to run (default: all)
 *   --runs N          BENCH_RUNS        measured runs per scenario, median reported (default 3)
 *   --quick           BENCH_QUICK=1     one short run of each scenario (a smoke test, not figures)
 *   --out DIR         BENCH_OUT         where the JSON results go (default bench/results)
 *   BENCH_QUIET_WAIT_MS   longest wait for a quiet machine before each run (default 10000)
 *   BENCH_READY_TIMEOUT_MS  how long a target may take to become ready (default 30000; 120000
 *                           for cluster targets)
 */
import { parseArgs } from 'node:util';

export const ALL_TARGETS = ['mqttzoo', 'aedes', 'mosquitto', 'mqttzoo-cluster', 'aedes-redis'] as const;

export interface BenchConfig {
  targets: string[];
  scenarios: string[];
  runs: number;
  quick: boolean;
  outDir: string | null;
  quietWaitMs: number;
  readyTimeoutMs: number;
  clusterReadyTimeoutMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function positiveInt(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(`${what} must be a positive integer, got ${value}`);
  return n;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): BenchConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      targets: { type: 'string' },
      scenarios: { type: 'string' },
      runs: { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick === true || truthy(env.BENCH_QUICK);
  const targets = list(values.targets ?? env.BENCH_TARGETS);
  const known: readonly string[] = ALL_TARGETS;
  for (const t of targets) {
    if (!known.includes(t)) throw new ConfigError(`unknown target ${t}; known: ${ALL_TARGETS.join(', ')}`);
  }
  return {
    targets: targets.length > 0 ? targets : [...ALL_TARGETS],
    scenarios: list(values.scenarios ?? env.BENCH_SCENARIOS),
    runs: quick ? 1 : positiveInt(values.runs ?? env.BENCH_RUNS, 3, 'BENCH_RUNS'),
    quick,
    outDir: values.out ?? env.BENCH_OUT ?? null,
    quietWaitMs: positiveInt(env.BENCH_QUIET_WAIT_MS, quick ? 3000 : 10_000, 'BENCH_QUIET_WAIT_MS'),
    readyTimeoutMs: positiveInt(env.BENCH_READY_TIMEOUT_MS, 30_000, 'BENCH_READY_TIMEOUT_MS'),
    clusterReadyTimeoutMs: positiveInt(env.BENCH_READY_TIMEOUT_MS, 120_000, 'BENCH_READY_TIMEOUT_MS'),
  };
}
