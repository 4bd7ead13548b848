/**
 * Checks on parsed client-to-server packets that mqtt-packet does not make. mqtt-packet already
 * refuses bad fixed-header flags [MQTT-2.2.2-2], QoS 3 [MQTT-3.3.1-4], reserved CONNECT and SUBSCRIBE
 * bits [MQTT-3.1.2-3], [MQTT-3.8.3-4], inconsistent will flags [MQTT-3.1.2-11..15] and a password
 * without a user name [MQTT-3.1.2-22]. What is left is checked here, in the order a packet is read.
 */
import type { IConnectPacket, Packet } from 'mqtt-packet';
import type { ProtocolVersion } from './codec.js';
import { ProtocolError } from './reason-codes.js';
import { stringProblem, topicNameProblem } from './topic.js';

/** Client ids every server must accept: 1-23 characters of [0-9a-zA-Z] [MQTT-3.1.3-5]. */
export const MAX_PORTABLE_CLIENT_ID_LENGTH = 23;

/** Returns the problem with a CONNECT, or null. `maxClientIdLength` bounds what we accept beyond 23. */
export function connectProblem(packet: IConnectPacket, maxClientIdLength: number): ProtocolError | null {
  const { protocolId, protocolVersion } = packet;
  // [MQTT-3.1.2-1], [MQTT-3.1.2-2]: the name must fit the level, the level must be one we speak
  const nameFits = protocolVersion === 3 ? protocolId === 'MQIsdp' : protocolId === 'MQTT';
  if (!nameFits) {
    return new ProtocolError(
      'unsupported-version',
      `protocol name ${protocolId} does not match level ${protocolVersion}`,
    );
  }
  const clientId = packet.clientId;
  if (stringProblem(clientId) !== null) return new ProtocolError('malformed', 'client id is not valid UTF-8');
  if (clientId.length > maxClientIdLength || (protocolVersion === 3 && clientId.length > 23)) {
    return new ProtocolError('client-id-rejected', `client id longer than ${maxClientIdLength} characters`);
  }
  if (packet.will) {
    const problem = topicNameProblem(packet.will.topic);
    if (problem !== null) return new ProtocolError('topic-name-invalid', `will topic: ${problem}`);
  }
  if (packet.username !== undefined && stringProblem(packet.username) !== null) {
    return new ProtocolError('malformed', 'user name is not valid UTF-8');
  }
  return null;
}

/**
 * Returns the problem with a packet received after CONNECT, or null. Per-filter problems of
 * SUBSCRIBE and UNSUBSCRIBE are not errors of the packet: they get a failure code in the ack.
 */
export function packetProblem(packet: Packet, version: ProtocolVersion): ProtocolError | null {
  switch (packet.cmd) {
    case 'publish': {
      if (packet.qos > 0 && !packet.messageId) {
        return new ProtocolError(
          'protocol',
          'PUBLISH with QoS > 0 needs a non-zero packet id [MQTT-2.3.1-1]',
        );
      }
      const topic = packet.topic;
      // MQTT 5.0: an empty topic is allowed with a topic alias, which the connection resolves
      if (version === 5 && topic.length === 0 && packet.properties?.topicAlias !== undefined) return null;
      const problem = topicNameProblem(topic);
      if (problem === null) return null;
      const kind =
        problem === 'null character' || problem === 'ill-formed UTF-8' ? 'malformed' : 'topic-name-invalid';
      return new ProtocolError(kind, `PUBLISH topic ${JSON.stringify(topic)}: ${problem} [MQTT-3.3.2-2]`);
    }
    case 'subscribe':
      if (!packet.messageId) return new ProtocolError('protocol', 'SUBSCRIBE needs a non-zero packet id');
      if (packet.subscriptions.length === 0) {
        return new ProtocolError('protocol', 'SUBSCRIBE without topic filters [MQTT-3.8.3-3]');
      }
      return null;
    case 'unsubscribe':
      if (!packet.messageId) return new ProtocolError('protocol', 'UNSUBSCRIBE needs a non-zero packet id');
      if (packet.unsubscriptions.length === 0) {
        return new ProtocolError('protocol', 'UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]');
      }
      return null;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      if (!packet.messageId)
        return new ProtocolError('protocol', `${packet.cmd.toUpperCase()} with packet id 0`);
      return null;
    case 'connack':
    case 'suback':
    case 'unsuback':
    case 'pingresp':
      return new ProtocolError('protocol', `${packet.cmd.toUpperCase()} is sent by servers, not clients`);
    case 'auth':
      return new ProtocolError(
        'protocol',
        'AUTH without an authentication method in CONNECT [MQTT-4.12.0-1]',
      );
    default:
      return null;
  }
}
