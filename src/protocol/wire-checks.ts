/**
 * Checks on a packet as it comes off the wire that mqtt-packet does not make, run by the decoder
 * before the packet goes anywhere: a Remaining Length that does not fit the packet, bytes left over
 * after the last field, a packet id of 0 in an acknowledgement, DUP on QoS 0, and in MQTT 5.0 its
 * property sections (properties.ts). Each is a malformed packet or a protocol violation, and the
 * connection closes [MQTT-4.8.0-1], [MQTT-4.13.1-1]. Pure, except that it records the User
 * Properties' wire order on the PUBLISH packets and wills it passes (`userPropertyList`).
 */
import type { IConnectPacket, Packet } from 'mqtt-packet';
import type { ProtocolVersion } from './codec.js';
import { scanProperties, type PropertySection } from './properties.js';
import { ProtocolError } from './reason-codes.js';

/** User Properties in wire order, which mqtt-packet's object form loses (repeated and numeric keys). */
export interface UserPropertyList {
  userPropertyList?: [string, string][];
}

const malformed = (message: string): ProtocolError => new ProtocolError('malformed', message);

/**
 * The problem with a freshly decoded packet, or null. `version` is the connection's (CONNECT: its
 * own); `sections` are the raw property sections mqtt-packet read from it, in order.
 */
export function wireProblem(
  packet: Packet,
  version: ProtocolVersion,
  sections: Buffer[] = [],
): ProtocolError | null {
  const problem = version === 5 ? v5Problem(packet, sections) : null;
  if (problem !== null) return problem;
  const length = packet.length ?? -1;
  switch (packet.cmd) {
    case 'connect': {
      const propertyBytes = sections.reduce((n, s) => n + s.length, 0);
      return connectLengthProblem(packet, length, propertyBytes);
    }
    case 'publish':
      // [MQTT-3.3.1-2] the DUP flag must be 0 on QoS 0 (Mosquitto's test data and others close here)
      return packet.qos === 0 && packet.dup ? malformed('PUBLISH with QoS 0 and DUP 1 [MQTT-3.3.1-2]') : null;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp': {
      const name = packet.cmd.toUpperCase();
      // 3.1.1: the variable header is the packet id alone; 5.0 may add a reason code and properties
      if (version !== 5 ? length !== 2 : length < 2) {
        return malformed(`${name} with a Remaining Length of ${length}`);
      }
      if (!packet.messageId) return new ProtocolError('protocol', `${name} with packet id 0 [MQTT-2.3.1-1]`);
      return null;
    }
    case 'pingreq':
      return length === 0 ? null : malformed(`PINGREQ with a Remaining Length of ${length}`);
    case 'disconnect':
      return version === 5 || length === 0
        ? null
        : malformed(`DISCONNECT with a Remaining Length of ${length}`);
    default:
      return null;
  }
}

/** The property sections each packet type has, in the order mqtt-packet reads them. */
function sectionsOf(packet: Packet): PropertySection[] {
  switch (packet.cmd) {
    case 'connect':
      return packet.will ? ['connect', 'will'] : ['connect'];
    case 'publish':
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'subscribe':
    case 'unsubscribe':
    case 'disconnect':
    case 'auth':
      return [packet.cmd];
    default:
      return [];
  }
}

/**
 * MQTT 5.0: every property section, and the packets whose variable header ends with an optional
 * reason code and properties (the acks, DISCONNECT, AUTH): nothing may follow their properties.
 */
function v5Problem(packet: Packet, sections: Buffer[]): ProtocolError | null {
  const length = packet.length ?? -1;
  const kinds = sectionsOf(packet);
  let props = sections;
  if (packet.cmd === 'disconnect' || packet.cmd === 'auth') {
    // mqtt-packet reads a property section even when the packet ends after its reason code
    if (length < 2) props = [];
    else if (1 + (props[0]?.length ?? 0) !== length) {
      return malformed(`${packet.cmd.toUpperCase()} with bytes after its properties`);
    }
  } else if (
    packet.cmd === 'puback' ||
    packet.cmd === 'pubrec' ||
    packet.cmd === 'pubrel' ||
    packet.cmd === 'pubcomp'
  ) {
    if (length > 3 && 3 + (props[0]?.length ?? 0) !== length) {
      return malformed(`${packet.cmd.toUpperCase()} with bytes after its properties`);
    }
  }
  for (let i = 0; i < props.length && i < kinds.length; i++) {
    const { error, userProperties } = scanProperties(kinds[i]!, props[i]!);
    if (error !== null) return error;
    if (userProperties.length === 0) continue;
    if (packet.cmd === 'publish') (packet as UserPropertyList).userPropertyList = userProperties;
    if (packet.cmd === 'connect' && kinds[i] === 'will' && packet.will) {
      (packet.will as UserPropertyList).userPropertyList = userProperties;
    }
  }
  return null;
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * A CONNECT holds exactly the fields its flags announce [MQTT-3.1.2-9], [MQTT-3.1.2-11],
 * [MQTT-3.1.2-18..21] (5.0: [MQTT-3.1.2-9], [MQTT-3.1.2-16..19]), and in 5.0 its property
 * sections: bytes after the last announced field make it malformed. Strings holding U+FFFD are left
 * to the string checks, as their length on the wire is unknown.
 */
function connectLengthProblem(
  packet: IConnectPacket,
  length: number,
  propertyBytes: number,
): ProtocolError | null {
  const strings = [packet.protocolId ?? '', packet.clientId, packet.will?.topic ?? '', packet.username ?? ''];
  if (strings.some((s) => s.includes('\uFFFD'))) return null;
  let expected = 2 + utf8(packet.protocolId ?? '') + 4 + 2 + utf8(packet.clientId) + propertyBytes;
  if (packet.will) {
    const payload = packet.will.payload;
    expected +=
      2 + utf8(packet.will.topic) + 2 + (typeof payload === 'string' ? utf8(payload) : payload.length);
  }
  if (packet.username !== undefined) expected += 2 + utf8(packet.username);
  if (packet.password !== undefined) expected += 2 + packet.password.length;
  return expected === length
    ? null
    : malformed(`CONNECT of ${length} bytes whose fields take ${expected} [MQTT-3.1.2-18], [MQTT-3.1.2-20]`);
}
