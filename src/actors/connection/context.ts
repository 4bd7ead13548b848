/**
 * The connection actor's context: what one client connection knows about itself. Mutable helpers
 * (Outbound, the inbound maps) are owned by the context and changed only by the machine's actions,
 * which keeps per-message work to a map operation instead of a copied context (see
 * docs/ARCHITECTURE.md, "Why the hot path mutates").
 */
import type { IConnectPacket } from 'mqtt-packet';
import type { ProtocolVersion } from '../../protocol/codec.js';
import { Outbound } from './outbound.js';
import type { OutboundTopicAliases } from './topic-aliases.js';
import type { CloseReason, ConnectionEvent } from './types.js';

export interface ConnectionLimits {
  /** Time allowed between the TCP connection and CONNECT. */
  connectTimeoutMs: number;
  /** Longest client id accepted (23 is the minimum every server must accept). */
  maxClientIdLength: number;
  /** Outbound QoS 1/2 messages in flight per client (lowered to the client's MQTT 5.0 Receive Maximum). */
  maxInflight: number;
  /** Outbound messages queued per client behind the window. */
  maxQueued: number;
  /** Inbound QoS 1/2 publishes not yet acknowledged (advertised as MQTT 5.0 Receive Maximum). */
  receiveMaximum: number;
  /** Largest packet accepted (advertised as MQTT 5.0 Maximum Packet Size). */
  maxPacketSize: number;
  /** Topic aliases a 5.0 client may use, and the most the server sets for one (0 disables them). */
  topicAliasMaximum: number;
  /** Highest keep-alive allowed, in seconds (0: whatever the client asks). 5.0 clients are told. */
  maxKeepAlive: number;
  /** Packets buffered between CONNECT and CONNACK. */
  maxDeferred: number;
}

export const defaultConnectionLimits: ConnectionLimits = {
  connectTimeoutMs: 10_000,
  maxClientIdLength: 256,
  maxInflight: 100,
  maxQueued: 1000,
  receiveMaximum: 1024,
  maxPacketSize: 1024 * 1024,
  topicAliasMaximum: 64,
  maxKeepAlive: 0,
  maxDeferred: 1024,
};

export interface ConnectionInput {
  connId: string;
  remoteAddress: string;
  limits: ConnectionLimits;
  /** Wall clock in ms; injected so tests can use XState's SimulatedClock. */
  now: () => number;
}

export interface ConnectionStats {
  packetsIn: number;
  publishesIn: number;
  publishesOut: number;
  dropped: number;
}

export interface ConnectionContext {
  readonly connId: string;
  readonly remoteAddress: string;
  readonly limits: ConnectionLimits;
  readonly now: () => number;
  readonly connectedAt: number;
  version: ProtocolVersion;
  clientId: string;
  /** True when the server assigned the client id (the client sent an empty one). */
  assignedClientId: boolean;
  /** The CONNECT as received (will, properties); null before it. */
  connect: IConnectPacket | null;
  /** Keep-alive in ms (0: none); the actor closes after 1.5 times this without a packet. */
  keepAliveMs: number;
  lastPacketAt: number;
  outbound: Outbound;
  /** Inbound QoS 2 packet ids: being committed, or committed and awaiting PUBREL [MQTT-4.3.3-2]. */
  inboundQos2: Map<number, 'committing' | 'received'>;
  /** Inbound QoS 1/2 publishes whose ack is not yet sent (MQTT 5.0 Receive Maximum). */
  inboundUnacked: number;
  /** MQTT 5.0 topic aliases set by the client. */
  topicAliases: Map<number, string>;
  /** MQTT 5.0 Maximum Packet Size the client accepts (Infinity if it did not say). */
  clientMaxPacketSize: number;
  /** MQTT 5.0 topic aliases the server sets on PUBLISH to this client; null when the client allows none. */
  outboundAliases: OutboundTopicAliases | null;
  /** True once a CONNACK accepting the connection was sent: only then may a DISCONNECT be [MQTT-3.14.0-1]. */
  connackSent: boolean;
  /** Packets received between CONNECT and CONNACK, replayed after CONNACK. */
  deferred: ConnectionEvent[];
  closeReason: CloseReason | null;
  stats: ConnectionStats;
}

export function initialContext(input: ConnectionInput): ConnectionContext {
  const now = input.now();
  return {
    connId: input.connId,
    remoteAddress: input.remoteAddress,
    limits: input.limits,
    now: input.now,
    connectedAt: now,
    version: 4,
    clientId: '',
    assignedClientId: false,
    connect: null,
    keepAliveMs: 0,
    lastPacketAt: now,
    outbound: new Outbound({ maxInflight: input.limits.maxInflight, maxQueued: input.limits.maxQueued }),
    inboundQos2: new Map(),
    inboundUnacked: 0,
    topicAliases: new Map(),
    clientMaxPacketSize: Infinity,
    outboundAliases: null,
    connackSent: false,
    deferred: [],
    closeReason: null,
    stats: { packetsIn: 0, publishesIn: 0, publishesOut: 0, dropped: 0 },
  };
}
