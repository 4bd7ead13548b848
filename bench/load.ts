/**
 * One run of one scenario against one target: connect, warm up, measure, drain, close.
 *
 * Subscribers connect and subscribe before any publisher connects. The warm-up phase sends the
 * same load briefly and is discarded; the measured phase uses a different payload tag, so late
 * warm-up deliveries never count. A phase ends when every expected delivery arrived (and every
 * QoS 1 publish was acknowledged), or when nothing progressed for `idleMs`, or at `drainMs`.
 */
import { BenchClient, type Endpoint } from './client.js';
import { nowUs, sleep } from './clock.js';
import { CpuWindow, type CpuUsage, type LabeledPid } from './cpu.js';
import { fixedRate, saturateQos0, saturateQos1 } from './drive.js';
import { DeliveryLedger, type LedgerSummary } from './ledger.js';
import { Publisher, Subscriber } from './roles.js';
import { subscriptionMatrix, type Bounds, type Scenario } from './scenarios.js';

export interface Endpoints {
  publish: readonly Endpoint[];
  subscribe: readonly Endpoint[];
}

export interface RunOptions {
  scenario: Scenario;
  endpoints: Endpoints;
  warmup: Bounds;
  measured: Bounds;
  /** Unique per run: topics live under bench/<runId>/ and client ids carry it. */
  runId: string;
  drainMs: number;
  idleMs: number;
  connectTimeoutMs: number;
  /** Processes whose CPU is accounted over the measured window. */
  pids: readonly LabeledPid[];
}

export interface PhaseResult extends LedgerSummary {
  sent: number;
  acked: number;
  /** From the first send to the last delivery (the throughput window). */
  windowSeconds: number;
  sendSeconds: number;
  deliveriesPerSecond: number;
  publishedPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number; mean: number; count: number };
  complete: boolean;
  stale: number;
  errors: string[];
}

export interface RunResult {
  warmup: PhaseResult;
  measured: PhaseResult;
  cpu: CpuUsage;
}

interface Clients {
  publishers: BenchClient[];
  subscribers: BenchClient[];
}

export class RunTimeoutError extends Error {
  override name = 'RunTimeoutError';
}

/** One run; a watchdog fails it (and destroys its clients) if it outlives every bound it has. */
export async function runOnce(options: RunOptions): Promise<RunResult> {
  const clients: Clients = { publishers: [], subscribers: [] };
  const limitMs =
    (options.warmup.seconds + options.measured.seconds) * 1000 +
    2 * options.drainMs +
    4 * options.connectTimeoutMs +
    30_000;
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      for (const c of [...clients.publishers, ...clients.subscribers]) c.destroy();
      reject(new RunTimeoutError(`run did not finish within ${Math.round(limitMs / 1000)} s`));
    }, limitMs);
  });
  try {
    return await Promise.race([measure(options, clients), watchdog]);
  } finally {
    clearTimeout(timer);
    for (const c of [...clients.publishers, ...clients.subscribers]) c.close();
  }
}

async function measure(options: RunOptions, clients: Clients): Promise<RunResult> {
  await connectAll(options, clients);
  const warmup = await runPhase(options, clients, 1, options.warmup, null);
  const cpuWindow = new CpuWindow(options.pids);
  const measured = await runPhase(options, clients, 2, options.measured, cpuWindow);
  const cpu = cpuWindow.stop();
  return { warmup, measured, cpu };
}

async function connectAll(options: RunOptions, clients: Clients): Promise<void> {
  const { scenario, endpoints, runId, connectTimeoutMs } = options;
  for (let i = 0; i < scenario.subscribers; i++) {
    const endpoint = pick(endpoints.subscribe, i);
    const client = await BenchClient.connect(endpoint, `bench-${runId}-s${i}`, connectTimeoutMs);
    clients.subscribers.push(client);
    await client.subscribe(`bench/${runId}/${scenario.subscriberTopics[i]!}`, scenario.qos, connectTimeoutMs);
  }
  for (let i = 0; i < scenario.publishers; i++) {
    const endpoint = pick(endpoints.publish, i);
    clients.publishers.push(await BenchClient.connect(endpoint, `bench-${runId}-p${i}`, connectTimeoutMs));
  }
}

function pick(list: readonly Endpoint[], i: number): Endpoint {
  const endpoint = list[i % list.length];
  if (endpoint === undefined) throw new Error('target has no endpoints');
  return endpoint;
}

async function runPhase(
  options: RunOptions,
  clients: Clients,
  tag: number,
  bounds: Bounds,
  cpu: CpuWindow | null,
): Promise<PhaseResult> {
  const { scenario, runId } = options;
  const ledger = new DeliveryLedger({
    publishers: scenario.publishers,
    subscribers: scenario.subscribers,
    maxPerPublisher: bounds.messagesPerPublisher,
    subscribedTo: subscriptionMatrix(scenario),
  });
  const subscribers = clients.subscribers.map((c, i) => new Subscriber(c, i, tag, ledger));
  const publishers = clients.publishers.map(
    (c, i) =>
      new Publisher(
        c,
        i,
        `bench/${runId}/${scenario.publisherTopics[i]!}`,
        scenario.qos,
        tag,
        bounds.messagesPerPublisher,
      ),
  );
  const startUs = nowUs();
  const deadlineUs = startUs + bounds.seconds * 1e6;
  if (scenario.rate > 0) await fixedRate(publishers, scenario.rate, deadlineUs);
  else if (scenario.qos === 0) await saturateQos0(publishers, deadlineUs);
  else await saturateQos1(publishers, scenario.window, deadlineUs);
  const sendEndUs = nowUs();
  cpu?.mark();
  const complete = await drain(options, ledger, publishers, cpu);
  const summary = ledger.summarize(publishers.map((p) => ({ sent: p.sent, acked: p.acked })));
  const lastUs = Math.max(startUs, ...subscribers.map((s) => s.lastDeliveryUs));
  const windowSeconds = (lastUs - startUs) / 1e6;
  const sent = publishers.reduce((a, p) => a + p.sent, 0);
  const h = ledger.latencyNs;
  const errors = [...clients.publishers, ...clients.subscribers]
    .filter((c) => c.failure !== null)
    .map((c) => `${c.clientId}: ${c.failure?.message ?? ''}`);
  return {
    ...summary,
    sent,
    acked: publishers.reduce((a, p) => a + p.ackedCount, 0),
    windowSeconds,
    sendSeconds: (sendEndUs - startUs) / 1e6,
    deliveriesPerSecond: windowSeconds > 0 ? summary.received / windowSeconds : 0,
    publishedPerSecond: sendEndUs > startUs ? sent / ((sendEndUs - startUs) / 1e6) : 0,
    latencyMs: {
      p50: h.percentile(50) / 1e6,
      p99: h.percentile(99) / 1e6,
      max: h.max / 1e6,
      mean: h.mean / 1e6,
      count: h.count,
    },
    complete,
    stale: subscribers.reduce((a, s) => a + s.stale, 0),
    errors,
  };
}

/** Waits until everything expected arrived and was acknowledged; false when it gave up. */
async function drain(
  options: RunOptions,
  ledger: DeliveryLedger,
  publishers: readonly Publisher[],
  cpu: CpuWindow | null,
): Promise<boolean> {
  const start = nowUs();
  const sent = publishers.map((p) => p.sent);
  const expected = ledger.expectedDeliveries(sent);
  const progress = (): number => ledger.totalReceived + publishers.reduce((a, p) => a + p.ackedCount, 0);
  let last = progress();
  let lastChange = start;
  for (;;) {
    const acksDone = publishers.every((p) => p.qos === 0 || p.inflight === 0);
    if (ledger.totalReceived >= expected && acksDone) {
      cpu?.mark();
      return true;
    }
    const now = nowUs();
    const current = progress();
    if (current !== last) {
      last = current;
      lastChange = now;
      cpu?.mark();
    }
    if (now - lastChange > options.idleMs * 1000 || now - start > options.drainMs * 1000) return false;
    await sleep(10);
  }
}
