/**
 * What goes into and out of a connection actor. Events in are packets from the wire and answers
 * from the broker; effects out (emitted events) are the closed vocabulary that the broker's
 * connection glue executes: send a packet, close, publish, subscribe, ... (EMQX's `{outgoing, ...}`).
 */
import type {
  IConnectPacket,
  IDisconnectPacket,
  IPublishPacket,
  ISubscribePacket,
  IUnsubscribePacket,
  Packet,
} from 'mqtt-packet';
import type { ErrorKind, ProtocolError } from '../../protocol/reason-codes.js';
import type { ProtocolVersion } from '../../protocol/codec.js';
import type { MessageProperties } from '../../coordination/log-events.js';

/** An application message on its way to this client. */
export interface Delivery {
  topic: string;
  payload: Buffer;
  /** Already reduced to the subscription's maximum QoS. */
  qos: 0 | 1 | 2;
  retain: boolean;
  properties?: MessageProperties;
  /** MQTT 5.0 subscription identifiers of the matching subscriptions. */
  subscriptionIds?: number[];
  /** Absolute expiry (ms since epoch). */
  expiresAt?: number;
  /** Set for persistent sessions, whose packet ids are assigned in the replicated session state. */
  packetId?: number;
  /** Set when the message may have been sent before (resumed session) [MQTT-3.3.1-1]. */
  dup?: boolean;
  /** Set when the message is already acknowledged with PUBREC and only PUBREL is owed (QoS 2). */
  released?: boolean;
}

/** The session as the broker hands it over after CONNECT. */
export interface SessionGrant {
  sessionPresent: boolean;
  /** The client id, assigned by the server when the client sent an empty one. */
  clientId: string;
  /** Inbound QoS 2 packet ids received and not yet released (resumed sessions). */
  awaitingRelease: number[];
  /** Queued messages of a resumed session, in order. */
  queued: Delivery[];
  /** MQTT 5.0: the session expiry the server settled on, if it differs from the request. */
  sessionExpiryInterval?: number;
  /**
   * The queue bound for this connection, when not the configured one: a persistent session's
   * messages are already bounded in its replicated state, so its connection must keep all of them.
   */
  maxQueued?: number;
}

export interface GrantedSubscription {
  /** Granted QoS, or a failure reason code (0x80 in 3.1.1; >= 0x80 in 5.0). */
  code: number;
}

/** Events the actor takes. */
export type ConnectionEvent =
  /** The packets of one read from the socket, in order. */
  | { type: 'packets'; packets: Packet[] }
  /** Raised for the CONNECT among them (and usable alone). */
  | { type: 'connect'; packet: IConnectPacket }
  /** Raised for a DISCONNECT among them. */
  | { type: 'disconnect'; packet: IDisconnectPacket }
  /** Raised for a packet a server never receives (CONNACK, SUBACK, ...): a protocol error. */
  | { type: 'unexpected'; packet: Packet }
  /** The decoder failed: malformed bytes, too large, unsupported version. */
  | { type: 'protocol.error'; error: ProtocolError }
  /** The broker accepted the CONNECT. */
  | { type: 'session.granted'; grant: SessionGrant }
  /** The broker refused the CONNECT. */
  | { type: 'session.refused'; kind: ErrorKind; reason: string }
  /** Another connection took this client id over [MQTT-3.1.4-2]. */
  | { type: 'session.takenOver' }
  /** Inbound publishes (QoS > 0) whose log entry committed, in receive order: their acks are due. */
  | { type: 'publish.committed'; acks: { packetId: number; qos: 1 | 2 }[] }
  /** Inbound publishes the log refused (quota, link lost). */
  | { type: 'publish.failed'; packetId: number; qos: 1 | 2; kind: ErrorKind; reason: string }
  | { type: 'subscribe.done'; packetId: number; granted: GrantedSubscription[] }
  | { type: 'unsubscribe.done'; packetId: number; codes: number[] }
  /** Messages for this client, in log order. */
  | { type: 'deliver'; messages: Delivery[] }
  /** The broker is shutting down or an operator ends the connection. */
  | { type: 'server.disconnect'; kind: ErrorKind; reason: string }
  /** The network connection ended (reset, EOF). */
  | { type: 'socket.closed' };

/** How the connection ended, for the will and the log. */
export type CloseReason =
  | { kind: 'client-disconnect'; sendWill: boolean; sessionExpiryInterval?: number }
  | { kind: 'socket-closed' }
  | { kind: 'error'; error: ErrorKind; message: string }
  | { kind: 'taken-over' }
  | { kind: 'server'; error: ErrorKind; message: string };

/** Effects the actor emits; the broker's connection glue executes them. */
export type ConnectionEffect =
  | { type: 'send'; packet: Packet }
  /** End the network connection (after sending what was queued). */
  | { type: 'close'; reason: CloseReason }
  | { type: 'connect'; packet: IConnectPacket }
  | { type: 'publish'; packet: IPublishPacket }
  | { type: 'subscribe'; packet: ISubscribePacket }
  | { type: 'unsubscribe'; packet: IUnsubscribePacket }
  /** Outbound QoS 1 acknowledged (PUBACK) or QoS 2 completed (PUBCOMP). */
  | { type: 'delivered'; packetId: number }
  /** Outbound QoS 2 got PUBREC: from now on only PUBREL is owed. */
  | { type: 'released'; packetId: number }
  /** Inbound QoS 2 released by PUBREL. */
  | { type: 'inboundReleased'; packetId: number }
  /** Messages dropped for this client (queue full, expired, too large for the client). */
  | { type: 'dropped'; count: number; reason: 'queue-full' | 'expired' | 'too-large' }
  /** The connection is over: the broker records it (will, session end). Emitted exactly once. */
  | { type: 'ended'; reason: CloseReason };

export type { ProtocolVersion };
