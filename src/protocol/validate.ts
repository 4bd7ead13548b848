/**
 * Checks on parsed client-to-server packets that mqtt-packet does not make. mqtt-packet already
 * refuses bad fixed-header flags [MQTT-2.2.2-2], QoS 3 [MQTT-3.3.1-4], reserved CONNECT and SUBSCRIBE
 * bits [MQTT-3.1.2-3], [MQTT-3-8.3-4] and will QoS or retain without a will [MQTT-3.1.2-13],
 * [MQTT-3.1.2-15]. Lengths, trailing bytes and packet id 0 in the acks are checked as packets are
 * decoded (wire-checks.ts); what is left is checked here, in the order a packet is read.
 */
import type { IConnectPacket, Packet } from 'mqtt-packet';
import type { ProtocolVersion } from './codec.js';
import { ProtocolError } from './reason-codes.js';
import { stringProblem, topicFilterProblem, topicNameProblem, type TopicProblem } from './topic.js';

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
  // [MQTT-3.1.2-14] a will QoS of 3 is malformed
  if (packet.will && (packet.will.qos as number) > 2) {
    return new ProtocolError('malformed', 'will QoS 3 [MQTT-3.1.2-14]');
  }
  // [MQTT-3.1.2-22] before 5.0 a password needs a user name
  if (protocolVersion !== 5 && packet.password !== undefined && packet.username === undefined) {
    return new ProtocolError('malformed', 'password without a user name [MQTT-3.1.2-22]');
  }
  const clientId = packet.clientId;
  const idProblem = stringProblem(clientId);
  if (idProblem !== null) return new ProtocolError('malformed', `client id: ${idProblem} [MQTT-3.1.3-4]`);
  if (clientId.length > maxClientIdLength || (protocolVersion === 3 && clientId.length > 23)) {
    return new ProtocolError('client-id-rejected', `client id longer than ${maxClientIdLength} characters`);
  }
  // MQTT 3.1 (section 3.1) requires 1 to 23 characters: it has no server-assigned ids
  if (protocolVersion === 3 && clientId.length === 0) {
    return new ProtocolError('client-id-rejected', 'MQTT 3.1 needs a client id of 1 to 23 characters');
  }
  if (packet.will) {
    const problem = topicNameProblem(packet.will.topic);
    if (problem !== null) return new ProtocolError(kindOf(problem), `will topic: ${problem} [MQTT-3.1.3-10]`);
  }
  const userProblem = packet.username === undefined ? null : stringProblem(packet.username);
  return userProblem === null
    ? null
    : new ProtocolError('malformed', `user name: ${userProblem} [MQTT-3.1.3-11]`);
}

const CHARACTER_PROBLEMS: ReadonlySet<TopicProblem> = new Set<TopicProblem>([
  'null character',
  'ill-formed UTF-8',
  'control or non-character',
]);

/** Bad characters make a packet malformed [MQTT-1.5.3-1], [MQTT-1.5.3-2]; the rest is about the topic. */
function kindOf(problem: TopicProblem): 'malformed' | 'topic-name-invalid' {
  return CHARACTER_PROBLEMS.has(problem) ? 'malformed' : 'topic-name-invalid';
}

/**
 * A topic filter in SUBSCRIBE or UNSUBSCRIBE. Bad characters close the connection in every version
 * [MQTT-1.5.3-1], [MQTT-1.5.3-2]. A filter that breaks the wildcard or length rules [MQTT-4.7.1-2],
 * [MQTT-4.7.1-3], [MQTT-4.7.3-1] is a protocol violation in 3.1.1, which closes too [MQTT-4.8.0-1]
 * (as Mosquitto does; see docs/CONFORMANCE.md); 5.0 answers it with reason code 0x8F in the ack.
 */
function filterProblem(filter: string, version: ProtocolVersion, what: string): ProtocolError | null {
  const problem = stringProblem(filter) ?? (version === 5 ? null : topicFilterProblem(filter));
  if (problem === null) return null;
  return new ProtocolError('malformed', `${what} topic filter ${JSON.stringify(filter)}: ${problem}`);
}

/**
 * Returns the problem with a packet received after CONNECT, or null. In 5.0 a filter that breaks
 * the wildcard rules is not an error of the packet: it gets a failure code in the ack.
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
      return new ProtocolError(
        kindOf(problem),
        `PUBLISH topic ${JSON.stringify(topic)}: ${problem} [MQTT-3.3.2-2]`,
      );
    }
    case 'subscribe':
      if (!packet.messageId) return new ProtocolError('protocol', 'SUBSCRIBE needs a non-zero packet id');
      if (packet.subscriptions.length === 0) {
        return new ProtocolError('protocol', 'SUBSCRIBE without topic filters [MQTT-3.8.3-3]');
      }
      for (const sub of packet.subscriptions) {
        const problem = filterProblem(sub.topic, version, 'SUBSCRIBE');
        if (problem !== null) return problem;
      }
      return null;
    case 'unsubscribe':
      if (!packet.messageId) return new ProtocolError('protocol', 'UNSUBSCRIBE needs a non-zero packet id');
      if (packet.unsubscriptions.length === 0) {
        return new ProtocolError('protocol', 'UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]');
      }
      for (const filter of packet.unsubscriptions) {
        const problem = filterProblem(filter, version, 'UNSUBSCRIBE');
        if (problem !== null) return problem;
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
