/**
 * Outbound packets, one builder per type (EMQX's handle_out): the only place that knows how each
 * packet differs between MQTT 3.1.1 and 5.0. The server sends no Reason String and no User
 * Property on any packet (the reason goes to the log), so the client's Request Problem Information
 * [MQTT-3.1.2-29] and Maximum Packet Size rules for them ([MQTT-3.2.2-19], [MQTT-3.2.2-20],
 * [MQTT-3.14.2-3], [MQTT-3.14.2-4], ...) always hold; Mosquitto sends none either.
 */
import type {
  IConnackPacket,
  IDisconnectPacket,
  IPublishPacket,
  ISubackPacket,
  IUnsubackPacket,
  Packet,
} from 'mqtt-packet';
import type { ProtocolVersion } from '../../protocol/codec.js';
import type { OutboundPublish } from '../../protocol/encode5.js';
import { userPropertyPairs } from '../../protocol/properties.js';
import { connackReturnCodeOf, reasonCodeOf, type ErrorKind } from '../../protocol/reason-codes.js';
import type { Delivery } from './types.js';

/** What the server tells an MQTT 5.0 client in CONNACK about its limits (section 3.2.2.3). */
export interface ServerLimits {
  receiveMaximum: number;
  maximumPacketSize: number;
  topicAliasMaximum: number;
  /** Set when the server overrides the client's keep-alive. */
  serverKeepAlive?: number;
}

export function buildConnackAccepted(
  version: ProtocolVersion,
  sessionPresent: boolean,
  limits: ServerLimits,
  assignedClientId?: string,
  sessionExpiryInterval?: number,
): IConnackPacket {
  // MQTT 3.1 has no Session Present flag: that byte is reserved there and stays 0
  if (version !== 5)
    return { cmd: 'connack', returnCode: 0, sessionPresent: version === 4 && sessionPresent };
  return {
    cmd: 'connack',
    reasonCode: 0,
    sessionPresent,
    properties: {
      receiveMaximum: limits.receiveMaximum,
      maximumPacketSize: limits.maximumPacketSize,
      topicAliasMaximum: limits.topicAliasMaximum,
      sharedSubscriptionAvailable: true,
      ...(limits.serverKeepAlive !== undefined ? { serverKeepAlive: limits.serverKeepAlive } : {}),
      ...(assignedClientId !== undefined ? { assignedClientIdentifier: assignedClientId } : {}),
      ...(sessionExpiryInterval !== undefined ? { sessionExpiryInterval } : {}),
    },
  };
}

/**
 * A refusing CONNACK, with Session Present 0 [MQTT-3.2.2-6], or null when 3.1.1 has no return code
 * for the error (then: just close).
 */
export function buildConnackRefused(version: ProtocolVersion, kind: ErrorKind): IConnackPacket | null {
  if (version === 5) return { cmd: 'connack', reasonCode: reasonCodeOf(kind), sessionPresent: false };
  const returnCode = connackReturnCodeOf(kind);
  return returnCode === undefined ? null : { cmd: 'connack', returnCode, sessionPresent: false };
}

/**
 * DISCONNECT from the server exists only in 5.0; for 3.1.1 the server just closes. It never carries
 * a Session Expiry Interval [MQTT-3.14.2-2].
 */
export function buildDisconnect(version: ProtocolVersion, kind: ErrorKind): IDisconnectPacket | null {
  if (version !== 5) return null;
  return { cmd: 'disconnect', reasonCode: reasonCodeOf(kind) };
}

export function buildAck(
  cmd: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp',
  messageId: number,
  version: ProtocolVersion,
  reasonCode = 0,
): Packet {
  if (version === 5 && reasonCode !== 0) return { cmd, messageId, reasonCode };
  return { cmd, messageId };
}

export function buildSuback(messageId: number, codes: number[], version: ProtocolVersion): ISubackPacket {
  // 3.1.1 knows only 0x80 for failure [MQTT-3.9.3-2]
  const granted = version === 5 ? codes : codes.map((c) => (c >= 0x80 ? 0x80 : c));
  return { cmd: 'suback', messageId, granted };
}

export function buildUnsuback(messageId: number, codes: number[], version: ProtocolVersion): IUnsubackPacket {
  // 3.1.1's UNSUBACK has no payload; mqtt-packet writes `granted` only for 5.0
  return { cmd: 'unsuback', messageId, granted: version === 5 ? codes : [] };
}

/**
 * A PUBLISH to the client. 5.0 properties are forwarded unaltered [MQTT-3.3.2-4], [MQTT-3.3.2-15],
 * [MQTT-3.3.2-16], [MQTT-3.3.2-17], [MQTT-3.3.2-20], User Properties in order [MQTT-3.3.2-18]; the
 * Message Expiry Interval is what is left of it [MQTT-3.3.2-6]; the Subscription Identifiers are
 * those of every matching subscription [MQTT-3.3.4-3], [MQTT-3.3.4-4].
 */
export function buildPublish(
  delivery: Delivery,
  packetId: number,
  version: ProtocolVersion,
  now: number,
): OutboundPublish {
  const packet: OutboundPublish = {
    cmd: 'publish',
    topic: delivery.topic,
    payload: delivery.payload,
    qos: delivery.qos,
    retain: delivery.retain,
    dup: delivery.dup === true && delivery.qos > 0,
  };
  if (packetId !== 0) packet.messageId = packetId;
  if (version === 5) {
    const props: NonNullable<IPublishPacket['properties']> = {};
    const forwarded = delivery.properties;
    if (forwarded !== undefined) {
      if (forwarded.payloadFormatIndicator !== undefined) {
        props.payloadFormatIndicator = forwarded.payloadFormatIndicator;
      }
      if (forwarded.contentType !== undefined) props.contentType = forwarded.contentType;
      if (forwarded.responseTopic !== undefined) props.responseTopic = forwarded.responseTopic;
      if (forwarded.correlationData !== undefined) props.correlationData = forwarded.correlationData;
      if (forwarded.userProperties !== undefined) {
        packet.userPropertyList = userPropertyPairs(forwarded.userProperties);
      }
    }
    if (delivery.expiresAt !== undefined) {
      props.messageExpiryInterval = Math.max(0, Math.ceil((delivery.expiresAt - now) / 1000));
    }
    if (delivery.subscriptionIds !== undefined && delivery.subscriptionIds.length > 0) {
      props.subscriptionIdentifier =
        delivery.subscriptionIds.length === 1 ? delivery.subscriptionIds[0]! : delivery.subscriptionIds;
    }
    if (Object.keys(props).length > 0) packet.properties = props;
  }
  return packet;
}
