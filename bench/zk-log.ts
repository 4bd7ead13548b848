/**
 * Measures the ZooKeeper log through our writer and follower: a 3-server ensemble (Debian's
 * ZooKeeper, started here), W writers (one ZooKeeperCoordination each, as W brokers would be)
 * appending 100-byte publish events, and one more instance following the log.
 *
 *   npm run build && node dist/bench/zk-log.js [--writers 4] [--events 100000] [--rates 1000,10000]
 *     [--seconds 5] [--batch-bytes 262144] [--in-flight 8]
 *
 * Runs: saturation (each writer appends its events as fast as back-pressure lets it) gives
 * throughput; fixed-rate runs well below saturation give commit latency (append → callback) and
 * follower lag (append → delivered to the follower), both p50/p99. CPU of the bench process and of
 * each ZooKeeper server is reported beside the figures, so a saturated process is visible.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { freePort, waitForQuorum, ZooKeeperServer } from '../src/cli/cluster/zookeeper-server.js';
import type { LogEntry } from '../src/coordination/coordination.js';
import type { PublishEvent } from '../src/coordination/log-events.js';
import { ZooKeeperCoordination } from '../src/coordination/zookeeper/index.js';

interface Args {
  writers: number;
  batchBytes: number;
  inFlight: number;
  events: number;
  rates: number[];
  seconds: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, fallback: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  return {
    writers: Number(get('writers', '4')),
    batchBytes: Number(get('batch-bytes', String(256 * 1024))),
    inFlight: Number(get('in-flight', '8')),
    events: Number(get('events', '100000')),
    rates: get('rates', '1000,10000').split(',').map(Number),
    seconds: Number(get('seconds', '5')),
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(samples: number[]): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(samples).sort();
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

/** CPU seconds (user + system) of a process, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

async function startEnsemble(dir: string): Promise<{ servers: ZooKeeperServer[]; connect: string }> {
  const ports: number[] = [];
  for (let i = 0; i < 9; i++) ports.push(await freePort());
  const peers = [0, 1, 2].map((i) => ({
    id: i + 1,
    host: '127.0.0.1',
    clientPort: ports[i * 3]!,
    peerPort: ports[i * 3 + 1]!,
    electionPort: ports[i * 3 + 2]!,
  }));
  // The bench does not trim: everything it writes stays in ZooKeeper's memory (as the quota
  // would bound it in production). A gigabyte of heap holds a few million 100-byte events.
  const servers = peers.map(
    (p) => new ZooKeeperServer({ id: p.id, dir: join(dir, `zk-${p.id}`), ensemble: peers, heapMb: 1024 }),
  );
  for (const server of servers) server.start();
  await waitForQuorum(servers, 60_000);
  return { servers, connect: peers.map((p) => `127.0.0.1:${p.clientPort}`).join(',') };
}

function event(writer: number, seq: number): PublishEvent {
  const payload = Buffer.alloc(100, 0x61);
  payload.writeUInt32BE(seq, 0);
  return {
    type: 'publish',
    topic: `bench/${writer}`,
    payload,
    qos: 1,
    retain: false,
    clientId: `w${writer}`,
    brokerId: `w${writer}`,
    at: performance.now(), // one process, one clock: lag is comparable
  };
}

interface Run {
  events: number;
  seconds: number;
  msgPerSec: number;
  commitMs: { p50: number; p99: number; max: number };
  followerLagMs: { p50: number; p99: number; max: number };
  batches: number;
  eventsPerBatch: number;
  cpu: { bench: number; zookeeper: number[] };
  /** How late this process ran its callbacks: what of the latency is ours, not ZooKeeper's. */
  eventLoopDelayMs: { p50: number; p99: number };
}

/** Appends `perWriter` events from each writer, at `rate` events/s in total (0: as fast as allowed). */
async function run(
  writers: ZooKeeperCoordination[],
  follower: { entries: LogEntry[]; lag: number[] },
  servers: ZooKeeperServer[],
  perWriter: number,
  rate: number,
  oneByOne = false,
): Promise<Run> {
  follower.entries.length = 0;
  follower.lag.length = 0;
  const commit: number[] = [];
  const total = perWriter * writers.length;
  const cpu0 = { bench: process.cpuUsage(), zk: servers.map((s) => cpuSeconds(s.pid!)) };
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = performance.now();
  await Promise.all(
    writers.map(async (writer, w) => {
      const interval = rate > 0 ? (1000 * writers.length) / rate : 0;
      let acked = 0;
      const done = new Promise<void>((resolve) => {
        const ack = (sentAt: number) => (err: Error | null) => {
          if (err) throw err;
          commit.push(performance.now() - sentAt);
          if (++acked === perWriter) resolve();
        };
        void (async () => {
          for (let i = 0; i < perWriter; i++) {
            if (oneByOne) {
              const done = ack(performance.now());
              await new Promise<void>((r) => writer.append(event(w, i), (err) => (done(err), r())));
              continue;
            }
            if (interval > 0) {
              const due = started + i * interval;
              const wait = due - performance.now();
              if (wait > 1) await new Promise((r) => setTimeout(r, wait));
            } else if (writer.stats().pendingEvents >= 20_000) {
              await new Promise<void>((r) => {
                const off = writer.onDrain(() => (off(), r()));
              });
            } else if (i % 1000 === 0) {
              await new Promise((r) => setImmediate(r)); // let replies in
            }
            writer.append(event(w, i), ack(performance.now()));
          }
        })();
      });
      await done;
    }),
  );
  const appendedFor = (performance.now() - started) / 1000;
  for (let i = 0; i < 60_000 && follower.lag.length < total; i += 10)
    await new Promise((r) => setTimeout(r, 10));
  const cpuBench = process.cpuUsage(cpu0.bench);
  loopDelay.disable();
  const batches = follower.entries.filter((e) => e.brokerId.startsWith('w')).length;
  return {
    events: total,
    seconds: Math.round(appendedFor * 100) / 100,
    msgPerSec: Math.round(total / appendedFor),
    commitMs: summary(commit),
    followerLagMs: summary(follower.lag),
    batches,
    eventsPerBatch: Math.round((total / Math.max(1, batches)) * 10) / 10,
    cpu: {
      bench: Math.round(((cpuBench.user + cpuBench.system) / 1e6 / appendedFor) * 100) / 100,
      zookeeper: servers.map(
        (s, i) => Math.round(((cpuSeconds(s.pid!) - cpu0.zk[i]!) / appendedFor) * 100) / 100,
      ),
    },
    eventLoopDelayMs: {
      p50: Math.round(loopDelay.percentile(50) / 1e4) / 100,
      p99: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'mqttzoo-zk-bench-'));
  let servers: ZooKeeperServer[] = [];
  const cleanup = () => {
    for (const s of servers) if (s.pid !== undefined && s.running) process.kill(s.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  // Bounded: a broken ensemble must not leave the bench (and its JVMs) waiting forever.
  setTimeout(() => {
    console.error('zk-log bench: no result after 10 minutes');
    process.exit(1);
  }, 600_000).unref();
  const ensemble = await startEnsemble(dir);
  servers = ensemble.servers;
  const options = {
    connectString: ensemble.connect,
    root: '/bench',
    maxBatchBytes: args.batchBytes,
    maxInFlightBatches: args.inFlight,
  };
  const writers = Array.from(
    { length: args.writers },
    (_, i) => new ZooKeeperCoordination({ ...options, brokerId: `w${i}` }),
  );
  const reader = new ZooKeeperCoordination({ ...options, brokerId: 'reader' });
  for (const c of [...writers, reader]) await c.start();
  const follower = { entries: [] as LogEntry[], lag: [] as number[] };
  reader.follow(0, (entry) => {
    const now = performance.now();
    follower.entries.push({ ...entry, events: [] });
    for (const e of entry.events) if (e.type === 'publish') follower.lag.push(now - e.at);
  });
  const results: Record<string, Run> = {};
  results.warmup = await run(writers, follower, servers, 5000, 0);
  // The anchor: one writer, one event per create, each awaited (BENCHMARKING.md: ~0.55 ms p50).
  const awaited = await run(writers.slice(0, 1), follower, servers, 1000, 0, true);
  results.saturation = await run(writers, follower, servers, args.events, 0);
  for (const rate of args.rates) {
    const perWriter = Math.max(1, Math.round((rate * args.seconds) / args.writers));
    results[`rate-${rate}`] = await run(writers, follower, servers, perWriter, rate);
  }
  delete results.warmup;
  results['one-awaited'] = awaited;
  for (const c of [...writers, reader]) await c.close();
  await Promise.all(servers.map((s) => s.stop(5000)));
  const report = {
    bench: 'zk-log',
    writers: args.writers,
    payloadBytes: 100,
    maxInFlightBatches: args.inFlight,
    maxBatchBytes: args.batchBytes,
    loadAverage: loadavg(),
    cpuPressure: readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0],
    results,
  };
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(12)} ${String(r.msgPerSec).padStart(8)} msg/s  commit p50 ${r.commitMs.p50} ms p99 ${r.commitMs.p99} ms  ` +
        `follower lag p50 ${r.followerLagMs.p50} ms p99 ${r.followerLagMs.p99} ms  ${r.eventsPerBatch} ev/batch  ` +
        `cpu bench ${r.cpu.bench} zk ${r.cpu.zookeeper.join('/')}  loop delay p99 ${r.eventLoopDelayMs.p99} ms`,
    );
  }
  console.log(JSON.stringify(report));
}

await main();
