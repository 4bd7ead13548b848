/**
 * Prometheus metrics (`GET /metrics`) with prom-client, one registry per broker (tests run several
 * brokers in one process). Everything is read when scraped from the broker's plain counters, its
 * state and the coordination's stats: the hot path pays increments, never a metrics call.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Broker } from '../broker/broker.js';
import type { Buckets } from '../broker/buckets.js';
import type { LinkState } from '../coordination/coordination.js';
import { METRICS_PATH, type Route } from './http.js';

export interface MetricsSources {
  broker: Broker;
  version: string;
  ready: () => boolean;
  draining: () => boolean;
  /** Live-stream viewers and the events dropped for slow ones (debug endpoint). */
  debug: () => { viewers: number; dropped: number };
}

const LINK_STATES: readonly LinkState[] = ['connecting', 'connected', 'suspended', 'lost', 'closed'];

type HistogramData = Awaited<ReturnType<Histogram['get']>>;

/** A histogram whose buckets live in a Buckets (src/broker/buckets.ts), exported as they are. */
class BucketsHistogram extends Histogram {
  constructor(
    registry: Registry,
    private readonly metricName: string,
    private readonly metricHelp: string,
    private readonly source: Buckets,
  ) {
    super({ name: metricName, help: metricHelp, buckets: [...source.bounds], registers: [registry] });
  }

  override get(): Promise<HistogramData> {
    const name = this.metricName;
    const values: HistogramData['values'] = this.source.cumulative().map(({ le, count }) => ({
      labels: { le: le === Infinity ? '+Inf' : le },
      value: count,
      metricName: `${name}_bucket`,
    }));
    values.push({ labels: {}, value: this.source.sum, metricName: `${name}_sum` });
    values.push({ labels: {}, value: this.source.count, metricName: `${name}_count` });
    // prom-client's typings say `type: MetricType` (an enum); the registry reads the string
    const data = { name, help: this.metricHelp, type: 'histogram', aggregator: 'sum', values };
    return Promise.resolve(data as unknown as HistogramData);
  }

  /** What the registry calls for the text format (prom-client reads it before `get`). */
  getForPromString(): Promise<HistogramData> {
    return this.get();
  }
}

export function createMetrics(sources: MetricsSources): Registry {
  const { broker } = sources;
  const c = broker.counters;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  const labelled = (
    kind: 'counter' | 'gauge',
    name: string,
    help: string,
    label: string,
    read: () => Iterable<[string, number | null]>,
  ): void => {
    const collect = function (this: Counter | Gauge): void {
      this.reset();
      for (const [value, n] of read()) {
        if (n === null) continue;
        if (this instanceof Gauge) this.set({ [label]: value }, n);
        else this.inc({ [label]: value }, n);
      }
    };
    if (kind === 'counter') new Counter({ name, help, labelNames: [label], registers: [registry], collect });
    else new Gauge({ name, help, labelNames: [label], registers: [registry], collect });
  };
  const gauge = (name: string, help: string, read: () => number | null): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        const v = read();
        if (v !== null) this.set(v);
      },
    });
  };
  const qos = (counts: readonly number[]) => () => counts.map((n, i): [string, number] => [String(i), n]);

  new Gauge({
    name: 'mqttzoo_info',
    help: 'This broker: its id and version (always 1).',
    labelNames: ['broker_id', 'version'],
    registers: [registry],
  }).set({ broker_id: broker.brokerId, version: sources.version }, 1);

  // connections and traffic
  gauge(
    'mqttzoo_connections',
    'Connection actors on this broker (every state).',
    () => broker.connections.size,
  );
  gauge('mqttzoo_clients_connected', 'Clients connected (CONNACK granted) on this broker.', () => {
    let n = 0;
    for (const conn of broker.connections.values()) if (conn.granted) n++;
    return n;
  });
  counter(
    'mqttzoo_connections_accepted_total',
    'Connections granted a session.',
    () => c.connectionsAccepted,
  );
  counter(
    'mqttzoo_connections_refused_total',
    'Connections closed before their CONNECT was accepted.',
    () => c.connectionsRefused,
  );
  labelled('counter', 'mqttzoo_packets_received_total', 'MQTT packets received, by type.', 'type', () =>
    Object.entries(c.packetsReceived),
  );
  labelled('counter', 'mqttzoo_packets_sent_total', 'MQTT packets sent, by type.', 'type', () =>
    Object.entries(c.packetsSent),
  );
  counter('mqttzoo_bytes_received_total', 'Bytes read from client sockets.', () => c.bytesReceived);
  counter('mqttzoo_bytes_sent_total', 'Bytes written to client sockets.', () => c.bytesSent);
  labelled(
    'counter',
    'mqttzoo_messages_received_total',
    'PUBLISH packets accepted from clients, by QoS.',
    'qos',
    qos(c.publishesReceivedByQos),
  );
  labelled(
    'counter',
    'mqttzoo_messages_sent_total',
    'PUBLISH packets sent to clients, by QoS.',
    'qos',
    qos(c.publishesSentByQos),
  );
  counter(
    'mqttzoo_deliveries_total',
    'Messages handed to local subscribers by the log apply (fan-out).',
    () => c.deliveries,
  );
  labelled('counter', 'mqttzoo_messages_dropped_total', 'Messages dropped, by reason.', 'reason', () =>
    Object.entries(c.dropped),
  );
  counter('mqttzoo_protocol_errors_total', 'Connections ended by a protocol error.', () => c.protocolErrors);

  // the log
  new BucketsHistogram(
    registry,
    'mqttzoo_log_append_latency_seconds',
    'From a QoS 1/2 publish appended to its commit.',
    c.appendLatency,
  );
  new BucketsHistogram(
    registry,
    'mqttzoo_log_batch_events',
    'Events per applied log entry (group commit).',
    c.batchSize,
  );
  const stats = () => broker.coordination.stats();
  gauge('mqttzoo_log_apply_lag_entries', 'Committed log entries not yet applied here (head - applied).', () =>
    Math.max(0, stats().head - broker.applied),
  );
  gauge('mqttzoo_log_head_position', 'Newest committed log position known here.', () => stats().head);
  gauge('mqttzoo_log_applied_position', 'Last log position applied here.', () => broker.applied);
  gauge('mqttzoo_log_tail_position', 'Oldest log position still held (after trims).', () => stats().tail);
  gauge('mqttzoo_log_entries', 'Log entries between tail and head.', () => stats().entries);
  gauge('mqttzoo_log_bytes', 'Encoded bytes between tail and head.', () => stats().bytes);
  gauge(
    'mqttzoo_log_pending_events',
    'Events appended here and not yet committed.',
    () => stats().pendingEvents,
  );
  gauge(
    'mqttzoo_log_inflight_batches',
    'Log batches being written right now.',
    () => stats().inFlightBatches,
  );

  // coordination
  labelled(
    'gauge',
    'mqttzoo_coordination_link_state',
    'Link to the coordination service: 1 for the current state.',
    'state',
    () => LINK_STATES.map((s): [string, number] => [s, broker.coordination.linkState === s ? 1 : 0]),
  );
  gauge('mqttzoo_leader', '1 while this broker is the cluster leader.', () =>
    broker.coordination.isLeader() ? 1 : 0,
  );
  gauge('mqttzoo_cluster_members', 'Brokers in the membership.', () => broker.coordination.members().length);
  gauge('mqttzoo_ready', '1 while /readyz answers ready.', () => (sources.ready() ? 1 : 0));
  gauge('mqttzoo_draining', '1 once shutdown started (SIGTERM).', () => (sources.draining() ? 1 : 0));

  // state and quota
  gauge(
    'mqttzoo_sessions',
    'Sessions in the replicated state (cluster-wide).',
    () => broker.state.sessions.size,
  );
  labelled(
    'gauge',
    'mqttzoo_subscriptions',
    'Subscriptions: clean (this broker), persistent and shared (cluster-wide).',
    'kind',
    () => [
      ['clean', broker.router.size],
      ['persistent', broker.state.sessions.subscriptionCount],
      ['shared', broker.state.sessions.shared.memberCount],
    ],
  );
  gauge('mqttzoo_retained_messages', 'Retained messages (cluster-wide).', () => broker.state.retained.size);
  const quota = () => broker.quota.current();
  labelled(
    'gauge',
    'mqttzoo_quota_used',
    'What the quota bounds, used: log bytes, log entries, state bytes.',
    'bound',
    () => {
      const q = quota();
      return [
        ['log_bytes', q.logBytes],
        ['log_entries', q.logEntries],
        ['state_bytes', q.stateBytes],
      ];
    },
  );
  labelled('gauge', 'mqttzoo_quota_limit', 'The quota bounds (absent: no bound).', 'bound', () => {
    const l = quota().limits;
    const or = (n: number): number | null => (n > 0 ? n : null);
    return [
      ['log_bytes', or(l.maxLogBytes)],
      ['log_entries', or(l.maxLogEntries)],
      ['state_bytes', or(l.maxStateBytes)],
    ];
  });
  gauge('mqttzoo_quota_exceeded', '1 while new publishes are refused for the quota.', () =>
    quota().exceeded ? 1 : 0,
  );
  counter('mqttzoo_quota_refused_total', 'Publishes refused for the quota.', () => quota().refused);

  // the debug endpoint itself
  gauge('mqttzoo_debug_viewers', 'Viewers of /debug/events.', () => sources.debug().viewers);
  counter(
    'mqttzoo_debug_events_dropped_total',
    'Live events dropped for slow /debug/events viewers.',
    () => sources.debug().dropped,
  );
  return registry;
}

/** `GET /metrics` in Prometheus' text format. */
export function metricsRoute(registry: Registry): Route {
  return async (req, res, url) => {
    if (url.pathname !== METRICS_PATH) return false;
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
