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
import {
  parseSharedFilter,
  stringProblem,
  topicFilterProblem,
  topicNameProblem,
  type TopicProblem,
} from './topic.js';

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
  if (idProblem !== null) {
    // 5.0: CONNACK 0x85 Client Identifier not valid [MQTT-3.1.3-8] (Mosquitto's test data); 3.1.1 closes
    const kind = protocolVersion === 5 ? 'client-id-rejected' : 'malformed';
    return new ProtocolError(kind, `client id: ${idProblem} [MQTT-3.1.3-4]`);
  }
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
  if (userProblem !== null)
    return new ProtocolError('malformed', `user name: ${userProblem} [MQTT-3.1.3-11]`);
  // MQTT 5.0 enhanced authentication (section 4.12) is not supported: no method is [MQTT-4.12.0-1]
  const method = protocolVersion === 5 ? packet.properties?.authenticationMethod : undefined;
  return method === undefined
    ? null
    : new ProtocolError(
        'bad-authentication-method',
        `authentication method ${JSON.stringify(method)} not supported`,
      );
}

const CHARACTER_PROBLEMS: ReadonlySet<TopicProblem> = new Set<TopicProblem>([
  'null character',
  'ill-formed UTF-8',
  'control or non-character',
]);

/**
 * Bad characters make a packet malformed [MQTT-1.5.3-1], [MQTT-1.5.3-2] (5.0: [MQTT-1.5.4-1],
 * [MQTT-1.5.4-2]); a topic name that is empty or holds a wildcard is a protocol error (5.0: DISCONNECT
 * 0x82, as Mosquitto 2.0; 3.1.1 just closes).
 */
function kindOf(problem: TopicProblem): 'malformed' | 'protocol' {
  return CHARACTER_PROBLEMS.has(problem) ? 'malformed' : 'protocol';
}

/**
 * A topic filter in SUBSCRIBE or UNSUBSCRIBE. Bad characters, and a filter that breaks the wildcard
 * or length rules [MQTT-4.7.1-1], [MQTT-4.7.1-2], [MQTT-4.7.3-1], make the packet malformed: the
 * connection closes, in 5.0 with DISCONNECT 0x81 [MQTT-4.8.0-1], [MQTT-4.13.1-1] (as Mosquitto does;
 * see docs/CONFORMANCE.md). In 5.0 a shared subscription's filter must also have a share name without
 * wildcards and a filter after it [MQTT-4.8.2-1], [MQTT-4.8.2-2] (else a protocol error).
 */
function filterProblem(filter: string, version: ProtocolVersion, what: string): ProtocolError | null {
  const problem = topicFilterProblem(filter);
  if (problem !== null) {
    return new ProtocolError('malformed', `${what} topic filter ${JSON.stringify(filter)}: ${problem}`);
  }
  if (version === 5 && parseSharedFilter(filter) === 'invalid') {
    return new ProtocolError(
      'protocol',
      `${what} shared subscription ${JSON.stringify(filter)} [MQTT-4.8.2-2]`,
    );
  }
  return null;
}

/** Returns the problem with a packet received after CONNECT, or null. */
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
        // [MQTT-3.8.3-4] No Local on a shared subscription is a protocol error
        if (version === 5 && sub.nl === true && parseSharedFilter(sub.topic) !== null) {
          return new ProtocolError(
            'protocol',
            `No Local on the shared subscription ${sub.topic} [MQTT-3.8.3-4]`,
          );
        }
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
      // no CONNECT with an Authentication Method is accepted, so no AUTH is expected [MQTT-4.12.0-7]
      return new ProtocolError(
        'protocol',
        'AUTH without an Authentication Method in CONNECT [MQTT-4.12.0-7]',
      );
    default:
      return null;
  }
}
