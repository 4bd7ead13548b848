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
  userProperties?: Record<string, string | string[]>;
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

/** Every event type; later issues add session and membership events here. */
export type LogEvent = PublishEvent;
