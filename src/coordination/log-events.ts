/**
 * The events of the cluster log. Every replica applies the same events in the same order, so
 * everything derived from them (retained messages, persistent sessions, wills) is the same on every
 * replica. Events are plain data: coordination encodes them (msgpackr) without knowing their meaning.
 *
 * Timestamps come from the writer and travel in the event, never from the reader's clock, so that
 * applying an event gives the same result on every replica.
 */

/** The MQTT 5.0 PUBLISH properties a message carries to its subscribers (section 3.3.2.3). */
export interface MessageProperties {
  payloadFormatIndicator?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  /** Ordered pairs [MQTT-3.3.2-18]; entries written before that change hold mqtt-packet's object form. */
  userProperties?: [string, string][] | Record<string, string | string[]>;
}

/** An application message as published, with what routing needs. */
export interface PublishEvent {
  type: 'publish';
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** The publishing client (no-local, QoS 2 dedupe); '' for messages the broker publishes itself. */
  clientId: string;
  /** Broker that accepted the message. */
  brokerId: string;
  /** Writer's wall clock when accepted (ms since epoch). */
  at: number;
  /** Absolute expiry (ms since epoch) from MQTT 5.0 message expiry interval. */
  expiresAt?: number;
  properties?: MessageProperties;
  /**
   * For an inbound QoS 2 publish of a persistent session: its packet id, kept in the session until
   * PUBREL, so that a retry on another replica is acknowledged but not published twice [MQTT-4.3.3-2].
   */
  qos2PacketId?: number;
}

/** A will message as stored with its session (MQTT 3.1.2.5, 5.0 3.1.3.2). */
export interface WillMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  properties?: MessageProperties;
  /** MQTT 5.0 Will Delay Interval, seconds. */
  delayInterval: number;
  /** MQTT 5.0 Message Expiry Interval of the will, seconds. */
  expiryInterval?: number;
}

/** The options of one subscription (MQTT 5.0 3.8.3.1; 3.1.1 has only the QoS). */
export interface SubscriptionOptions {
  qos: 0 | 1 | 2;
  noLocal: boolean;
  retainAsPublished: boolean;
  /** 0: send retained on subscribe; 1: only if the subscription is new; 2: never. */
  retainHandling: 0 | 1 | 2;
  subscriptionId?: number;
}

/** A connection announces itself for a client id: takes the session over, cluster-wide. */
export interface SessionOpenEvent {
  type: 'session-open';
  clientId: string;
  brokerId: string;
  /** The broker process incarnation (a restarted broker has a new epoch). */
  epoch: string;
  connId: string;
  /** Clean session (3.1.1) / Clean Start (5.0): discard any existing session. */
  cleanStart: boolean;
  /** Seconds the session outlives its connection: 0 ends it with the connection. */
  expiryInterval: number;
  will?: WillMessage;
  protocolVersion: 3 | 4 | 5;
  at: number;
}

/** A connection ended. The will, if due now, is a publish event the closing broker appends first. */
export interface SessionCloseEvent {
  type: 'session-close';
  clientId: string;
  connId: string;
  /** Set when the will is still owed later (MQTT 5.0 will delay): the leader publishes it when due. */
  willDueAt?: number;
  /** MQTT 5.0 DISCONNECT may change the session expiry. */
  expiryInterval?: number;
  at: number;
}

/**
 * Subscriptions of a persistent session, and the shared subscriptions of any session (a clean
 * session subscribes to ordinary filters locally, outside the log).
 */
export interface SubscribeEvent {
  type: 'subscribe';
  clientId: string;
  connId: string;
  subscriptions: { filter: string; options: SubscriptionOptions }[];
  at: number;
}

export interface UnsubscribeEvent {
  type: 'unsubscribe';
  clientId: string;
  connId: string;
  filters: string[];
  at: number;
}

/**
 * Delivery progress of a persistent session: 'delivered' (PUBACK / PUBCOMP) removes the messages
 * from the session; 'released' (PUBREC) means only PUBREL is owed for them; 'unsent' (written when
 * a connection ends) names queued messages it never sent, so a resume sends them with DUP=0.
 */
export interface AckEvent {
  type: 'ack';
  clientId: string;
  connId: string;
  phase: 'delivered' | 'released' | 'unsent';
  packetIds: number[];
}

/** An inbound QoS 2 message of a persistent session was released by PUBREL. */
export interface InboundReleaseEvent {
  type: 'inbound-release';
  clientId: string;
  packetId: number;
}

/** Leader duty: a broker left the cluster; its clients are disconnected from the log's point of view. */
export interface BrokerGoneEvent {
  type: 'broker-gone';
  brokerId: string;
  epoch: string;
  at: number;
}

/**
 * Leader duty: a disconnected session reached its expiry. Applies only if the session is still the
 * one that disconnected at `disconnectedAt` (a reconnect in between keeps it).
 */
export interface SessionExpireEvent {
  type: 'session-expire';
  clientId: string;
  disconnectedAt: number;
  at: number;
}

/**
 * Leader duty: a will is due (its delay passed, or its client's broker vanished). Applying it
 * publishes the session's stored will and forgets it, so a duty that runs twice publishes once.
 */
export interface WillPublishEvent {
  type: 'will-publish';
  clientId: string;
  at: number;
}

/** Leader duty: drop expired messages from retained state and offline queues (MQTT 5.0 3.3.2.3.3). */
export interface ExpireMessagesEvent {
  type: 'expire-messages';
  at: number;
}

export type LogEvent =
  | PublishEvent
  | SessionOpenEvent
  | SessionCloseEvent
  | SubscribeEvent
  | UnsubscribeEvent
  | AckEvent
  | InboundReleaseEvent
  | BrokerGoneEvent
  | SessionExpireEvent
  | WillPublishEvent
  | ExpireMessagesEvent;
