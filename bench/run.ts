/**
 * `make bench` (node dist/bench/run.js): every selected scenario against every selected target.
 *
 * Each target is started fresh for each scenario (ports chosen now, 127.0.0.1 only) and stopped by
 * PID afterwards, also on failure or Ctrl-C. Before each run we wait (bounded) for a quiet machine
 * and note its CPU. A target that cannot run here is reported as unavailable and skipped. Prints
 * one table and writes the full results to bench/results/<timestamp>.json. Settings: config.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseConfig, type BenchConfig } from './config.js';
import { CORES, waitForQuiet } from './cpu.js';
import { runOnce } from './load.js';
import { renderReport } from './report.js';
import type { CellRecord, RunRecord } from './results.js';
import { findScenarios, measuredBounds, warmupBounds, type Scenario } from './scenarios.js';
import { waitForBroker } from './targets/probe.js';
import { stopStarting } from './targets/processes.js';
import { TARGETS } from './targets/registry.js';
import { TargetUnavailableError, type RunningTarget, type Target } from './targets/target.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// dist/bench/run.js -> the repository root two levels up (also right for bench/run.ts under tsx).
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

let current: RunningTarget | null = null;

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env);
  const scenarios = findScenarios(config.scenarios);
  const workRoot = mkdtempSync(path.join(os.tmpdir(), 'mqttzoo-bench-'));
  const startedAt = new Date();
  log(
    `bench: ${scenarios.length} scenarios x ${config.targets.length} targets, ${config.runs} run(s) each${config.quick ? ' (quick)' : ''}; logs in ${workRoot}`,
  );
  const cells: CellRecord[] = [];
  for (const name of config.targets) {
    const target = TARGETS.find((t) => t.name === name)!;
    let unavailable: string | null = null;
    for (const scenario of scenarios) {
      if (unavailable !== null) {
        cells.push(cell(target, scenario, 'unavailable', unavailable, [], []));
        continue;
      }
      const record = await runCell(config, target, scenario, path.join(workRoot, target.name));
      if (record.status === 'unavailable') unavailable = record.reason;
      cells.push(record);
    }
  }
  const report = renderReport(
    cells,
    config.targets,
    scenarios.map((s) => s.name),
  );
  console.log(`\n${report}`);
  const outDir = config.outDir ?? path.join(repoRoot, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ startedAt, machine: machine(), config, cells }, null, 1));
  log(`results: ${file}`);
}

async function runCell(
  config: BenchConfig,
  target: Target,
  scenario: Scenario,
  workDir: string,
): Promise<CellRecord> {
  mkdirSync(workDir, { recursive: true });
  const readyTimeoutMs = target.kind === 'cluster' ? config.clusterReadyTimeoutMs : config.readyTimeoutMs;
  let running: RunningTarget;
  try {
    running = await target.start({ repoRoot, workDir, readyTimeoutMs });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const status = err instanceof TargetUnavailableError ? 'unavailable' : 'error';
    log(`${target.name}: ${status}: ${reason.split('\n')[0] ?? ''}`);
    return cell(target, scenario, status, reason, [], []);
  }
  current = running;
  const runs: RunRecord[] = [];
  try {
    for (let run = 1; run <= config.runs; run++) {
      // A target still digesting the previous run (a cluster after a QoS 0 flood) is waited for.
      const readyMs = await targetReady(running, readyTimeoutMs);
      const before = await waitForQuiet(config.quietWaitMs);
      const runId = `${process.pid}${Date.now().toString(36)}`;
      if (readyMs < 0) {
        const error = `target did not answer CONNECT within ${readyTimeoutMs / 1000} s (after the previous run)`;
        runs.push({ run, before, readyMs, result: null, error });
        log(`${target.name} ${scenario.name} run ${run}: ${error}`);
        continue;
      }
      try {
        const result = await runOnce({
          scenario,
          endpoints: running.endpoints,
          warmup: warmupBounds(scenario, config.quick),
          measured: measuredBounds(scenario, config.quick),
          runId,
          drainMs: config.quick ? 10_000 : 20_000,
          // Clusters pause longer (ZooKeeper commits, leader changes) before a delivery is late.
          idleMs: target.kind === 'cluster' ? 5000 : 3000,
          connectTimeoutMs: 10_000,
          pids: running.processes,
        });
        runs.push({ run, before, readyMs, result, error: null });
        const m = result.measured;
        log(
          `${target.name} ${scenario.name} run ${run}: ${Math.round(m.deliveriesPerSecond)} deliveries/s, ` +
            `${m.received}/${m.expected} received, p50 ${m.latencyMs.p50.toFixed(3)} ms p99 ${m.latencyMs.p99.toFixed(3)} ms, ` +
            `gen cpu ${result.cpu.generatorPct.toFixed(0)}%`,
        );
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        runs.push({ run, before, readyMs, result: null, error });
        log(`${target.name} ${scenario.name} run ${run}: error: ${error}`);
      }
    }
  } finally {
    current = null;
    await running.stop();
  }
  const ok = runs.some((r) => r.result !== null);
  return cell(
    target,
    scenario,
    ok ? 'ok' : 'error',
    ok ? null : (runs[0]?.error ?? 'no run'),
    running.notes,
    runs,
  );
}

/** Milliseconds until every endpoint answered CONNECT with CONNACK again; -1 if it never did. */
async function targetReady(running: RunningTarget, timeoutMs: number): Promise<number> {
  const start = Date.now();
  const endpoints = [...running.endpoints.publish, ...running.endpoints.subscribe];
  try {
    for (const endpoint of endpoints) await waitForBroker(endpoint, timeoutMs, () => true);
    return Date.now() - start;
  } catch {
    return -1;
  }
}

function cell(
  target: Target,
  scenario: Scenario,
  status: CellRecord['status'],
  reason: string | null,
  notes: string[],
  runs: RunRecord[],
): CellRecord {
  return {
    target: target.name,
    scenario: scenario.name,
    figure: scenario.figure,
    status,
    reason,
    notes,
    runs,
  };
}

function machine(): Record<string, string | number> {
  return {
    cores: CORES,
    cpu: os.cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kernel: os.release(),
    commit: gitDescribe(),
  };
}

/** The commit the run measured, with "-dirty" when the working tree had changes. */
function gitDescribe(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
  } catch {
    return '?';
  }
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function shutdown(signal: string): Promise<void> {
  log(`bench: ${signal}, stopping what was started`);
  if (current !== null) await current.stop();
  await stopStarting();
  process.exit(130);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (err: unknown) => {
  if (current !== null) await current.stop();
  console.error(err instanceof ConfigError ? `bench: ${err.message}` : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
