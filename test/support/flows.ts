/**
 * The usual exchanges of a black-box test, on a RawClient: subscribe and wait for SUBACK, publish
 * and finish the QoS flow, receive a PUBLISH and acknowledge it. Acknowledgements are picked out of
 * what arrives (other packets stay queued in order), so a client may publish and receive at once.
 */
import type { IPublishPacket, QoS } from 'mqtt-packet';
import { expect } from 'vitest';
import type { RawClient } from './raw-client.js';

const ids = new WeakMap<RawClient, number>();

/** The next packet id for this client: 1, 2, ... (wrapping at 65535, never 0). */
export function nextId(client: RawClient): number {
  const id = ((ids.get(client) ?? 0) % 65535) + 1;
  ids.set(client, id);
  return id;
}

/** SUBSCRIBE and the SUBACK for it (same packet id); returns the granted codes. */
export async function subscribe(
  client: RawClient,
  filters: string | [string, QoS][],
  qos: QoS = 0,
): Promise<number[]> {
  const subscriptions =
    typeof filters === 'string'
      ? [{ topic: filters, qos }]
      : filters.map(([topic, q]) => ({ topic, qos: q }));
  const messageId = nextId(client);
  client.send({ cmd: 'subscribe', messageId, subscriptions });
  const suback = await client.expect('suback');
  expect(suback.messageId).toBe(messageId);
  return suback.granted as number[];
}

/** UNSUBSCRIBE and the UNSUBACK for it. */
export async function unsubscribe(client: RawClient, filters: string[]): Promise<void> {
  const messageId = nextId(client);
  client.send({ cmd: 'unsubscribe', messageId, unsubscriptions: filters });
  const unsuback = await client.expect('unsuback');
  expect(unsuback.messageId).toBe(messageId);
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  dup?: boolean;
  messageId?: number;
}

/** PUBLISH, and for QoS 1 and 2 the whole acknowledgement flow as the sender. */
export async function publish(
  client: RawClient,
  topic: string,
  payload: string | Buffer,
  options: PublishOptions = {},
): Promise<void> {
  const qos = options.qos ?? 0;
  const packet: IPublishPacket = {
    cmd: 'publish',
    topic,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    qos,
    retain: options.retain ?? false,
    dup: options.dup ?? false,
  };
  if (qos > 0) packet.messageId = options.messageId ?? nextId(client);
  client.send(packet);
  // acks are picked out of what arrives, so a client may publish to its own subscriptions
  if (qos === 1) {
    await client.nextOf('puback', packet.messageId);
  } else if (qos === 2) {
    await client.nextOf('pubrec', packet.messageId);
    client.send({ cmd: 'pubrel', messageId: packet.messageId! });
    await client.nextOf('pubcomp', packet.messageId);
  }
}

/** The next packet, which must be a PUBLISH; it is not acknowledged. */
export async function nextPublish(client: RawClient, ms?: number): Promise<IPublishPacket> {
  return client.expect('publish', ms);
}

/** Acknowledges a received PUBLISH as its receiver: PUBACK, or PUBREC / PUBREL / PUBCOMP. */
export async function acknowledge(client: RawClient, packet: IPublishPacket): Promise<void> {
  if (packet.qos === 1) client.send({ cmd: 'puback', messageId: packet.messageId! });
  if (packet.qos !== 2) return;
  client.send({ cmd: 'pubrec', messageId: packet.messageId! });
  await client.nextOf('pubrel', packet.messageId);
  client.send({ cmd: 'pubcomp', messageId: packet.messageId! });
}

/** The next PUBLISH, acknowledged. */
export async function receive(client: RawClient, ms?: number): Promise<IPublishPacket> {
  const packet = await nextPublish(client, ms);
  await acknowledge(client, packet);
  return packet;
}

/** The payload of a received PUBLISH as bytes. */
export const bytesOf = (packet: IPublishPacket): Buffer =>
  typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;

/** The payload of a received PUBLISH as text. */
export const text = (packet: IPublishPacket): string => bytesOf(packet).toString();

/** A topic no other test uses. */
let topicCounter = 0;
export function uniqueTopic(prefix = 't'): string {
  topicCounter++;
  return `${prefix}/${process.pid}/${topicCounter}`;
}
