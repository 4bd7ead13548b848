/**
 * The benchmark scenarios. Each is bounded in message count and in wall time, and says how many
 * publishers and subscribers it uses, which topics connect them, and which figure it reports:
 *   - saturation runs report deliveries per second (for fan-in and pairs that is msg/s);
 *   - fixed-rate runs report end-to-end latency (saturation latency is queueing, BENCHMARKING.md).
 * On a cluster target publishers use the first broker and subscribers the others, round-robin.
 */

export type Figure = 'throughput' | 'latency';

export interface Scenario {
  name: string;
  summary: string;
  qos: 0 | 1;
  publishers: number;
  subscribers: number;
  /** Topic suffix of each publisher and each subscriber (exact topics, no wildcards). */
  publisherTopics: readonly string[];
  subscriberTopics: readonly string[];
  figure: Figure;
  /** QoS 1 messages in flight per publisher (saturation runs). */
  window: number;
  /** Fixed-rate runs: messages per second, all publishers together; 0 for saturation. */
  rate: number;
  /** Upper bounds of the measured phase in full mode. */
  messagesPerPublisher: number;
  seconds: number;
}

export interface Bounds {
  messagesPerPublisher: number;
  seconds: number;
}

const WINDOW = 64;

function repeat(n: number, topic: (i: number) => string): string[] {
  return Array.from({ length: n }, (_, i) => topic(i));
}

function fanIn(qos: 0 | 1): Scenario {
  return {
    name: `fan-in-qos${qos}`,
    summary: `4 publishers -> 1 subscriber, QoS ${qos}${qos === 1 ? `, ${WINDOW} in flight per publisher` : ''}`,
    qos,
    publishers: 4,
    subscribers: 1,
    publisherTopics: repeat(4, () => 'fan-in'),
    subscriberTopics: ['fan-in'],
    figure: 'throughput',
    window: WINDOW,
    rate: 0,
    messagesPerPublisher: 500_000,
    seconds: 5,
  };
}

function fanOut(qos: 0 | 1): Scenario {
  return {
    name: `fan-out-qos${qos}`,
    summary: `1 publisher -> 10 subscribers, QoS ${qos} (deliveries/s)`,
    qos,
    publishers: 1,
    subscribers: 10,
    publisherTopics: ['fan-out'],
    subscriberTopics: repeat(10, () => 'fan-out'),
    figure: 'throughput',
    window: WINDOW,
    rate: 0,
    messagesPerPublisher: 300_000,
    seconds: 5,
  };
}

function pairs(qos: 0 | 1): Scenario {
  return {
    name: `pairs-qos${qos}`,
    summary: `10 publisher/subscriber pairs, one topic each, QoS ${qos}`,
    qos,
    publishers: 10,
    subscribers: 10,
    publisherTopics: repeat(10, (i) => `pair/${i}`),
    subscriberTopics: repeat(10, (i) => `pair/${i}`),
    figure: 'throughput',
    window: WINDOW,
    rate: 0,
    messagesPerPublisher: 200_000,
    seconds: 5,
  };
}

function latency(qos: 0 | 1): Scenario {
  return {
    name: `latency-qos${qos}`,
    summary: `fixed 1,000 msg/s total: 4 publishers (250/s each) -> 2 subscribers, QoS ${qos}`,
    qos,
    publishers: 4,
    subscribers: 2,
    publisherTopics: repeat(4, () => 'latency'),
    subscriberTopics: repeat(2, () => 'latency'),
    figure: 'latency',
    window: WINDOW,
    rate: 1000,
    messagesPerPublisher: 2_500,
    seconds: 10,
  };
}

export const SCENARIOS: readonly Scenario[] = [
  fanIn(0),
  fanIn(1),
  fanOut(0),
  fanOut(1),
  pairs(0),
  pairs(1),
  latency(1),
  latency(0),
];

/** Measured-phase bounds: full, or shortened for BENCH_QUICK. */
export function measuredBounds(s: Scenario, quick: boolean): Bounds {
  if (!quick) return { messagesPerPublisher: s.messagesPerPublisher, seconds: s.seconds };
  if (s.rate > 0) return { messagesPerPublisher: Math.ceil(s.messagesPerPublisher * 0.3), seconds: 3 };
  return { messagesPerPublisher: Math.ceil(s.messagesPerPublisher / 4), seconds: 1.5 };
}

/** Warm-up bounds: the same load, briefly (about a tenth of the measured phase). */
export function warmupBounds(s: Scenario, quick: boolean): Bounds {
  const measured = measuredBounds(s, quick);
  return {
    messagesPerPublisher: Math.max(10, Math.ceil(measured.messagesPerPublisher / 10)),
    seconds: Math.min(1, measured.seconds / 5),
  };
}

/** subscribedTo[s][p] for a scenario: exact topic equality. */
export function subscriptionMatrix(s: Scenario): boolean[][] {
  return s.subscriberTopics.map((st) => s.publisherTopics.map((pt) => pt === st));
}

export function findScenarios(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...SCENARIOS];
  return names.map((n) => {
    const found = SCENARIOS.find((s) => s.name === n);
    if (found === undefined) {
      throw new Error(`unknown scenario ${n}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    }
    return found;
  });
}
