/**
 * Checks on a packet as it comes off the wire that mqtt-packet does not make, run by the decoder
 * before the packet goes anywhere: a Remaining Length that does not fit the packet, bytes left over
 * after the last field, a packet id of 0 in an acknowledgement, DUP on QoS 0. Each is a malformed
 * packet or a protocol violation, and the connection closes [MQTT-4.8.0-1]. Pure.
 */
import type { IConnectPacket, Packet } from 'mqtt-packet';
import type { ProtocolVersion } from './codec.js';
import { ProtocolError } from './reason-codes.js';

const malformed = (message: string): ProtocolError => new ProtocolError('malformed', message);

/** The problem with a freshly decoded packet, or null. `version` is the connection's (CONNECT: its own). */
export function wireProblem(packet: Packet, version: ProtocolVersion): ProtocolError | null {
  const length = packet.length ?? -1;
  switch (packet.cmd) {
    case 'connect':
      return packet.protocolVersion === 5 ? null : connectLengthProblem(packet, length);
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

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * A 3.1 / 3.1.1 CONNECT holds exactly the fields its flags announce [MQTT-3.1.2-9], [MQTT-3.1.2-11],
 * [MQTT-3.1.2-18..21]: bytes after the last announced field make it malformed. Strings holding
 * U+FFFD are left to the string checks, as their length on the wire is unknown.
 */
function connectLengthProblem(packet: IConnectPacket, length: number): ProtocolError | null {
  const strings = [packet.protocolId ?? '', packet.clientId, packet.will?.topic ?? '', packet.username ?? ''];
  if (strings.some((s) => s.includes('\uFFFD'))) return null;
  let expected = 2 + utf8(packet.protocolId ?? '') + 4 + 2 + utf8(packet.clientId);
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
