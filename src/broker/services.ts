/**
 * What a client connection may use of its broker: the narrow interface (NATS.js's `PH` idea) that
 * keeps ClientConnection testable and the Broker class small.
 */
import type { Logger } from 'pino';
import type { ConnectionLimits } from '../actors/connection/context.js';
import type { AppendCallback } from '../coordination/coordination.js';
import type { LogEvent } from '../coordination/log-events.js';
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
  dropped: Record<'queue-full' | 'expired' | 'too-large' | 'slow-consumer', number>;
  protocolErrors: number;
}

export function newCounters(): BrokerCounters {
  return {
    connectionsAccepted: 0,
    connectionsRefused: 0,
    publishesReceived: 0,
    publishesSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    dropped: { 'queue-full': 0, expired: 0, 'too-large': 0, 'slow-consumer': 0 },
    protocolErrors: 0,
  };
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
  now(): number;
  append(event: LogEvent, done?: AppendCallback): void;
}
