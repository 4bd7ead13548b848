/**
 * The MQTT 5.0 packets the server sends most, encoded here rather than by mqtt-packet:
 * - PUBLISH, so that User Properties go out in the order they came in [MQTT-3.3.2-18] (mqtt-packet
 *   takes them as an object, which groups repeated names and puts numeric names first), and so that
 *   its exact size is known before it is built (`publishSize`, for the client's Maximum Packet Size
 *   [MQTT-3.1.2-24]);
 * - PUBACK, PUBREC, PUBREL, PUBCOMP and DISCONNECT in their short forms: without properties the
 *   Property Length is left out, and so is a reason code of 0 (sections 3.4.2.1, 3.14.2.1), as
 *   Mosquitto does.
 * Anything else (or one of these with properties) returns null and goes to mqtt-packet. Pure.
 */
import type { IPublishPacket, Packet } from 'mqtt-packet';
import { userPropertyPairs } from './properties.js';
import type { UserPropertyList } from './wire-checks.js';

/** A PUBLISH on its way out; `userPropertyList`, when set, replaces `properties.userProperties`. */
export type OutboundPublish = IPublishPacket & UserPropertyList;

const ACK_TYPES = { puback: 0x40, pubrec: 0x50, pubrel: 0x62, pubcomp: 0x70 } as const;

export function encode5(packet: Packet): Buffer | null {
  switch (packet.cmd) {
    case 'publish':
      return encodePublish(packet);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp': {
      if (hasProperties(packet.properties)) return null;
      const id = packet.messageId ?? 0;
      const code = packet.reasonCode ?? 0;
      const head = [ACK_TYPES[packet.cmd], code === 0 ? 2 : 3, id >> 8, id & 0xff];
      return Buffer.from(code === 0 ? head : [...head, code]);
    }
    case 'disconnect': {
      if (hasProperties(packet.properties)) return null;
      const code = packet.reasonCode ?? 0;
      return Buffer.from(code === 0 ? [0xe0, 0] : [0xe0, 1, code]);
    }
    default:
      return null;
  }
}

function hasProperties(props: object | undefined): boolean {
  return props !== undefined && Object.values(props).some((v) => v !== undefined);
}

/** Property identifiers of a PUBLISH (section 3.3.2.3). */
const ID = {
  payloadFormatIndicator: 0x01,
  messageExpiryInterval: 0x02,
  contentType: 0x03,
  responseTopic: 0x08,
  correlationData: 0x09,
  subscriptionIdentifier: 0x0b,
  topicAlias: 0x23,
  userProperty: 0x26,
} as const;

const vbiSize = (n: number): number => (n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4);
const strSize = (s: string): number => 2 + Buffer.byteLength(s);

const userPairs = (packet: OutboundPublish): [string, string][] =>
  packet.userPropertyList ?? userPropertyPairs(packet.properties?.userProperties);

function subscriptionIds(packet: OutboundPublish): number[] {
  const ids = packet.properties?.subscriptionIdentifier;
  return ids === undefined ? [] : Array.isArray(ids) ? ids : [ids];
}

function propertiesSize(packet: OutboundPublish): number {
  const p = packet.properties ?? {};
  let n = 0;
  if (p.payloadFormatIndicator !== undefined) n += 2;
  if (p.messageExpiryInterval !== undefined) n += 5;
  if (p.contentType !== undefined) n += 1 + strSize(p.contentType);
  if (p.responseTopic !== undefined) n += 1 + strSize(p.responseTopic);
  if (p.correlationData !== undefined) n += 3 + p.correlationData.length;
  for (const id of subscriptionIds(packet)) n += 1 + vbiSize(id);
  if (p.topicAlias !== undefined) n += 3;
  for (const [k, v] of userPairs(packet)) n += 1 + strSize(k) + strSize(v);
  return n;
}

const payloadOf = (packet: IPublishPacket): Buffer =>
  typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;

/** Bytes the PUBLISH takes on the wire in MQTT 5.0, fixed header included. */
export function publishSize(packet: OutboundPublish): number {
  const props = propertiesSize(packet);
  const remaining =
    strSize(packet.topic) + (packet.qos > 0 ? 2 : 0) + vbiSize(props) + props + payloadOf(packet).length;
  return 1 + vbiSize(remaining) + remaining;
}

function encodePublish(packet: OutboundPublish): Buffer {
  const payload = payloadOf(packet);
  const propsLength = propertiesSize(packet);
  const remaining =
    strSize(packet.topic) + (packet.qos > 0 ? 2 : 0) + vbiSize(propsLength) + propsLength + payload.length;
  const out = Buffer.allocUnsafe(1 + vbiSize(remaining) + remaining);
  let pos = 0;
  const byte = (b: number): void => {
    out[pos++] = b;
  };
  const vbi = (n: number): void => {
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      byte(b);
    } while (n > 0);
  };
  const u16 = (n: number): void => {
    pos = out.writeUInt16BE(n, pos);
  };
  const bin = (b: Buffer): void => {
    u16(b.length);
    pos += b.copy(out, pos);
  };
  const str = (s: string): void => {
    const n = Buffer.byteLength(s);
    u16(n);
    pos += out.write(s, pos, n, 'utf8');
  };
  byte(0x30 | (packet.dup ? 0x08 : 0) | (packet.qos << 1) | (packet.retain ? 1 : 0));
  vbi(remaining);
  str(packet.topic);
  if (packet.qos > 0) u16(packet.messageId ?? 0);
  vbi(propsLength);
  const p = packet.properties ?? {};
  if (p.payloadFormatIndicator !== undefined) {
    byte(ID.payloadFormatIndicator);
    byte(p.payloadFormatIndicator ? 1 : 0);
  }
  if (p.messageExpiryInterval !== undefined) {
    byte(ID.messageExpiryInterval);
    pos = out.writeUInt32BE(p.messageExpiryInterval, pos);
  }
  if (p.contentType !== undefined) {
    byte(ID.contentType);
    str(p.contentType);
  }
  if (p.responseTopic !== undefined) {
    byte(ID.responseTopic);
    str(p.responseTopic);
  }
  if (p.correlationData !== undefined) {
    byte(ID.correlationData);
    bin(p.correlationData);
  }
  for (const id of subscriptionIds(packet)) {
    byte(ID.subscriptionIdentifier);
    vbi(id);
  }
  if (p.topicAlias !== undefined) {
    byte(ID.topicAlias);
    u16(p.topicAlias);
  }
  for (const [k, v] of userPairs(packet)) {
    byte(ID.userProperty);
    str(k);
    str(v);
  }
  pos += payload.copy(out, pos);
  return out;
}
