/** Turns an inbound PUBLISH into the log's publish event (MQTT 5.0 properties forwarded, 3.3.2.3). */
import type { IPublishPacket } from 'mqtt-packet';
import type { MessageProperties, PublishEvent } from '../coordination/log-events.js';
import { userPropertyPairs } from '../protocol/properties.js';
import type { UserPropertyList } from '../protocol/wire-checks.js';
import type { BrokerServices } from './services.js';

interface Publisher {
  readonly services: BrokerServices;
  readonly clientId: string;
  readonly logged: boolean;
}

/**
 * The properties a server forwards unaltered to subscribers [MQTT-3.3.2-4], [MQTT-3.3.2-15..20]:
 * User Properties as ordered pairs, in wire order when the decoder recorded it (`ordered`)
 * [MQTT-3.3.2-18], [MQTT-3.1.3-10].
 */
export function forwardedProperties(
  props: IPublishPacket['properties'],
  ordered?: UserPropertyList,
): MessageProperties | undefined {
  if (props === undefined) return undefined;
  const out: MessageProperties = {};
  if (props.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = props.payloadFormatIndicator;
  if (props.contentType !== undefined) out.contentType = props.contentType;
  if (props.responseTopic !== undefined) out.responseTopic = props.responseTopic;
  if (props.correlationData !== undefined) out.correlationData = Buffer.from(props.correlationData);
  if (props.userProperties !== undefined) {
    out.userProperties = ordered?.userPropertyList ?? userPropertyPairs(props.userProperties);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function publishEventOf(publisher: Publisher, packet: IPublishPacket): PublishEvent {
  const { services } = publisher;
  const at = services.now();
  const event: PublishEvent = {
    type: 'publish',
    topic: packet.topic,
    // a copy: the parsed payload is a view into the socket's read buffer, which a retained message,
    // a queued message or the log would otherwise keep alive whole
    payload: Buffer.from(packet.payload),
    qos: packet.qos,
    retain: packet.retain,
    clientId: publisher.clientId,
    brokerId: services.brokerId,
    at,
  };
  const props = packet.properties;
  if (props !== undefined) {
    const forwarded = forwardedProperties(props, packet as UserPropertyList);
    if (forwarded !== undefined) event.properties = forwarded;
    if (props.messageExpiryInterval !== undefined) event.expiresAt = at + props.messageExpiryInterval * 1000;
  }
  // a persistent session's inbound QoS 2 id is replicated so a retry elsewhere is not published twice
  if (packet.qos === 2 && publisher.logged) event.qos2PacketId = packet.messageId!;
  return event;
}
