/**
 * What a client connection may use of its broker: the narrow interface (NATS.js's `PH` idea) that
 * keeps ClientConnection testable and the Broker class small.
 */
import type { PacketCmd } from 'mqtt-packet';
import type { Logger } from 'pino';
import type { ConnectionLimits } from '../actors/connection/context.js';
import type { Delivery } from '../actors/connection/types.js';
import type { AppendCallback } from '../coordination/coordination.js';
import type { LogEvent, SubscriptionOptions } from '../coordination/log-events.js';
import { APPEND_LATENCY_BOUNDS, BATCH_SIZE_BOUNDS, Buckets } from './buckets.js';
import type { FlowControl, FlowSettings } from './flow-control.js';
import type { LocalRouter } from './local-router.js';
import type { Quota, QuotaSettings } from './quota.js';
import type { ClusterState } from './state/cluster-state.js';

/** Settings of the broker core (the server's config maps onto these). */
export interface BrokerSettings {
  limits: ConnectionLimits;
  /** Client connections at once; beyond it CONNECT is refused with "server unavailable". */
  maxConnections: number;
  /** QoS 1/2 messages kept per persistent session (replicated: the same on every broker). */
  maxQueuedMessages: number;
  /** Session expiry, in seconds, for MQTT 3.1.1 clients connecting with clean session 0. */
  persistentSessionExpiry: number;
  /** Bytes waiting on a socket beyond which QoS 0 messages to that client are dropped. */
  maxWriteBuffer: number;
  /** Log appends pending commit beyond which the broker stops reading clients' sockets. */
  maxPendingAppends: number;
  /** How long shutdown waits for closing events (wills, session ends) to commit. */
  shutdownFlushMs: number;
  /** What the log and the replicated state may hold (docs/QUOTA.md). */
  quota: QuotaSettings;
  /** When slow output pauses intake (flow-control.ts). */
  flow: FlowSettings;
  /** Topic filters no client may subscribe to: they get SUBACK 0x80. */
  refusedFilters: ReadonlySet<string>;
}

export const defaultPersistentSessionExpiry = 2 * 3600;

/** Counters the metrics endpoint reads; plain numbers so the hot path pays an increment. */
export interface BrokerCounters {
  connectionsAccepted: number;
  connectionsRefused: number;
  publishesReceived: number;
  publishesSent: number;
  bytesReceived: number;
  bytesSent: number;
  /** MQTT packets by type, in (counted by the listener per read) and out (per write). */
  packetsReceived: Record<PacketCmd, number>;
  packetsSent: Record<PacketCmd, number>;
  /** PUBLISH packets by QoS (index 0..2), in and out. */
  publishesReceivedByQos: [number, number, number];
  publishesSentByQos: [number, number, number];
  /** Messages handed to local connection actors by the log's apply (fan-out). */
  deliveries: number;
  /** `sys-topic`: client publishes to `$SYS/` topics, refused (MQTT 4.7.2). */
  dropped: Record<'queue-full' | 'expired' | 'too-large' | 'slow-consumer' | 'sys-topic', number>;
  protocolErrors: number;
  /** Seconds from a QoS 1/2 publish's append to its commit callback. */
  appendLatency: Buckets;
  /** Events per applied log entry. */
  batchSize: Buckets;
}

const PACKET_CMDS: readonly PacketCmd[] = [
  'connect',
  'connack',
  'publish',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'suback',
  'unsubscribe',
  'unsuback',
  'pingreq',
  'pingresp',
  'disconnect',
  'auth',
];

/** Every packet type at 0, in one fixed shape (the hot path increments a known property). */
export function packetCounts(): Record<PacketCmd, number> {
  const out = {} as Record<PacketCmd, number>;
  for (const cmd of PACKET_CMDS) out[cmd] = 0;
  return out;
}

export function newCounters(): BrokerCounters {
  return {
    connectionsAccepted: 0,
    connectionsRefused: 0,
    publishesReceived: 0,
    publishesSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    packetsReceived: packetCounts(),
    packetsSent: packetCounts(),
    publishesReceivedByQos: [0, 0, 0],
    publishesSentByQos: [0, 0, 0],
    deliveries: 0,
    dropped: { 'queue-full': 0, expired: 0, 'too-large': 0, 'slow-consumer': 0, 'sys-topic': 0 },
    protocolErrors: 0,
    appendLatency: new Buckets(APPEND_LATENCY_BOUNDS),
    batchSize: new Buckets(BATCH_SIZE_BOUNDS),
  };
}

/** The broker's `$SYS/` values a new subscriber gets as retained messages (src/broker/sys-topics.ts). */
export interface SysRetained {
  retainedFor(subscriptions: readonly { filter: string; options: SubscriptionOptions }[]): Delivery[];
}

export interface BrokerServices {
  readonly brokerId: string;
  readonly epoch: string;
  readonly settings: BrokerSettings;
  readonly state: ClusterState;
  readonly router: LocalRouter;
  readonly log: Logger;
  readonly counters: BrokerCounters;
  readonly quota: Quota;
  readonly flow: FlowControl;
  /** `$SYS/` topics of this broker, when they are published (sysInterval > 0). */
  readonly sys?: SysRetained | null;
  now(): number;
  append(event: LogEvent, done?: AppendCallback): void;
}
