/**
 * MQTT 5.0 helpers for black-box tests on a RawClient: connect with properties, subscribe with
 * subscription options and identifiers, expect a DISCONNECT with a reason code, and build packets
 * byte by byte with their Remaining Length computed (`frame('32', '0001 74 ...')`).
 */
import type { IConnackPacket, IConnectPacket, IPublishPacket, QoS } from 'mqtt-packet';
import { expect } from 'vitest';
import { nextId } from './flows.js';
import { connectPacket, hex, RawClient } from './raw-client.js';
import type { SpecBroker } from './spec-setup.js';

/** A 5.0 CONNECT with harmless defaults (clean start, no keep-alive, a unique id). */
export const connect5 = (over: Partial<IConnectPacket> = {}): IConnectPacket =>
  connectPacket({ protocolVersion: 5, ...over });

/** A tracked 5.0 connection that got CONNACK 0, and that CONNACK. */
export async function open5(
  broker: SpecBroker,
  over: Partial<IConnectPacket> = {},
): Promise<{ client: RawClient; connack: IConnackPacket }> {
  const client = await broker.open(5);
  const connack = await client.handshake(connect5(over));
  expect(connack.reasonCode, 'CONNACK reason code').toBe(0);
  return { client, connack };
}

/** A tracked 5.0 connection that got CONNACK 0. */
export async function client5(broker: SpecBroker, over: Partial<IConnectPacket> = {}): Promise<RawClient> {
  return (await open5(broker, over)).client;
}

/** Bytes of a variable byte integer. */
export function vbi(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

/** A whole packet as hex: first byte, Remaining Length computed, then `body` (hex, spaces allowed). */
export function frame(first: string, body: string): string {
  const b = hex(body);
  return Buffer.concat([hex(first), vbi(b.length), b]).toString('hex');
}

/** A UTF-8 string field as hex: two length bytes, then the bytes. */
export function str(s: string): string {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]).toString('hex');
}

/** A property section as hex: its length, then the properties (hex). */
export function props(body = ''): string {
  const b = hex(body);
  return Buffer.concat([vbi(b.length), b]).toString('hex');
}

/** A 5.0 CONNECT as hex: `flags` (hex), keep-alive 10, properties, client id, then `rest` (hex). */
export function connectFrame(flags: string, properties: string, clientId: string, rest = ''): string {
  return frame('10', `0004 4D515454 05 ${flags} 000A ${properties} ${str(clientId)} ${rest}`);
}

export interface Subscription {
  topic: string;
  qos: QoS;
  nl?: boolean;
  rap?: boolean;
  rh?: 0 | 1 | 2;
}

/** SUBSCRIBE (5.0) with options and an optional subscription identifier; returns the reason codes. */
export async function subscribe5(
  client: RawClient,
  subscriptions: Subscription[] | string,
  options: { qos?: QoS; id?: number; userProperties?: Record<string, string> } = {},
): Promise<number[]> {
  const subs =
    typeof subscriptions === 'string' ? [{ topic: subscriptions, qos: options.qos ?? 0 }] : subscriptions;
  const messageId = nextId(client);
  const properties: Record<string, unknown> = {};
  if (options.id !== undefined) properties.subscriptionIdentifier = options.id;
  if (options.userProperties !== undefined) properties.userProperties = options.userProperties;
  client.send({
    cmd: 'subscribe',
    messageId,
    subscriptions: subs.map((s) => ({
      topic: s.topic,
      qos: s.qos,
      nl: s.nl ?? false,
      rap: s.rap ?? false,
      rh: s.rh ?? 0,
    })),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  });
  const suback = await client.nextOf('suback', messageId);
  return suback.granted as number[];
}

/** PUBLISH (5.0) with properties; for QoS 1 and 2 the whole flow as the sender. Returns the ack's reason code. */
export async function publish5(
  client: RawClient,
  topic: string,
  payload: string | Buffer,
  options: { qos?: QoS; retain?: boolean; properties?: IPublishPacket['properties'] } = {},
): Promise<number> {
  const qos = options.qos ?? 0;
  const packet: IPublishPacket = {
    cmd: 'publish',
    topic,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    qos,
    retain: options.retain ?? false,
    dup: false,
    ...(options.properties !== undefined ? { properties: options.properties } : {}),
  };
  if (qos > 0) packet.messageId = nextId(client);
  client.send(packet);
  if (qos === 1) return (await client.nextOf('puback', packet.messageId)).reasonCode ?? 0;
  if (qos === 2) {
    const rec = await client.nextOf('pubrec', packet.messageId);
    if ((rec.reasonCode ?? 0) >= 0x80) return rec.reasonCode!;
    client.send({ cmd: 'pubrel', messageId: packet.messageId! });
    await client.nextOf('pubcomp', packet.messageId);
    return rec.reasonCode ?? 0;
  }
  return 0;
}

/** The next packet must be DISCONNECT with `reasonCode`, then the server closes the connection. */
export async function expectDisconnect(client: RawClient, reasonCode: number, ms?: number): Promise<void> {
  const frameIn = await client.nextFrame(ms);
  expect(frameIn.packet.cmd, `expected DISCONNECT 0x${reasonCode.toString(16)}`).toBe('disconnect');
  expect((frameIn.packet as { reasonCode?: number }).reasonCode ?? 0).toBe(reasonCode);
  expect(await client.closed(), 'nothing after DISCONNECT [MQTT-3.14.4-1]').toEqual([]);
}

/** Opens a 5.0 connection for a CONNECT given as hex and returns the connection and its first frame's bytes. */
export async function rawConnect(broker: SpecBroker, bytes: string): Promise<RawClient> {
  const client = await broker.open(5);
  client.sendBytes(bytes);
  return client;
}

export { RawClient };
