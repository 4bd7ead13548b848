// Test whether the broker follows the QoS 0, 1 and 2 delivery protocols as sender and as receiver: the flags it sends, the acknowledgements it gives, and exactly-once delivery for QoS 2 (MQTT 3.1.1 section 4.3).
import { describe, expect, it } from 'vitest';
import { nextPublish, publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

/** A subscriber at `qos` on a fresh topic, and a publisher. */
async function route(qos: 0 | 1 | 2) {
  const topic = uniqueTopic();
  const sub = await broker.connect();
  await subscribe(sub, topic, qos);
  return { topic, sub, pub: await broker.connect() };
}

describe('section 4.3.1: QoS 0', () => {
  it('[MQTT-4.3.1-1] the server sends a QoS 0 message with QoS 0 and DUP 0', async () => {
    const { topic, sub, pub } = await route(2);
    await publish(pub, topic, 'q0', { qos: 0 });
    const m = await nextPublish(sub);
    expect({ qos: m.qos, dup: m.dup, id: m.messageId }).toEqual({ qos: 0, dup: false, id: undefined });
  });
});

describe('section 4.3.2: QoS 1', () => {
  it('[MQTT-4.3.2-1] the server sends a new QoS 1 message with a packet id, QoS 1 and DUP 0', async () => {
    const { topic, sub, pub } = await route(1);
    await publish(pub, topic, 'q1', { qos: 1 });
    const m = await nextPublish(sub);
    expect({ qos: m.qos, dup: m.dup }).toEqual({ qos: 1, dup: false });
    expect(m.messageId).toBeGreaterThan(0);
  });

  it('[MQTT-4.3.2-2] the server answers PUBACK with the packet id, and then treats that id as a new publication', async () => {
    const { topic, sub, pub } = await route(1);
    await publish(pub, topic, 'first', { qos: 1, messageId: 77 });
    await publish(pub, topic, 'second', { qos: 1, messageId: 77, dup: true });
    expect(text(await receive(sub))).toBe('first');
    expect(text(await receive(sub))).toBe('second');
  });
});

describe('section 4.3.3: QoS 2', () => {
  it('[MQTT-4.3.3-1] the server sends QoS 2 with a packet id and DUP 0, PUBREL with the same id after PUBREC, and completes on PUBCOMP', async () => {
    const { topic, sub, pub } = await route(2);
    await publish(pub, topic, 'q2', { qos: 2 });
    const m = await nextPublish(sub);
    expect({ qos: m.qos, dup: m.dup }).toEqual({ qos: 2, dup: false });
    sub.send({ cmd: 'pubrec', messageId: m.messageId! });
    expect((await sub.expect('pubrel')).messageId).toBe(m.messageId);
    sub.send({ cmd: 'pubcomp', messageId: m.messageId! });
    await sub.ping();
  });

  it('[MQTT-4.3.3-2] until PUBREL, a PUBLISH with the same packet id is acknowledged with PUBREC and not delivered again', async () => {
    const { topic, sub, pub } = await route(2);
    pub.send({
      cmd: 'publish',
      topic,
      payload: Buffer.from('once'),
      qos: 2,
      messageId: 5,
      dup: false,
      retain: false,
    });
    expect((await pub.expect('pubrec')).messageId).toBe(5);
    pub.send({
      cmd: 'publish',
      topic,
      payload: Buffer.from('once'),
      qos: 2,
      messageId: 5,
      dup: true,
      retain: false,
    });
    expect((await pub.expect('pubrec')).messageId).toBe(5);
    pub.send({
      cmd: 'publish',
      topic,
      payload: Buffer.from('once'),
      qos: 2,
      messageId: 5,
      dup: false,
      retain: false,
    });
    expect((await pub.expect('pubrec')).messageId).toBe(5);
    pub.send({ cmd: 'pubrel', messageId: 5 });
    expect((await pub.expect('pubcomp')).messageId).toBe(5);
    expect(text(await receive(sub))).toBe('once');
    await publish(pub, topic, 'marker', { qos: 2 });
    expect(text(await receive(sub))).toBe('marker');
  });

  it('[MQTT-4.3.3-2] after PUBCOMP, a PUBLISH with the same packet id is a new publication', async () => {
    const { topic, sub, pub } = await route(2);
    await publish(pub, topic, 'a', { qos: 2, messageId: 9 });
    await publish(pub, topic, 'b', { qos: 2, messageId: 9 });
    expect(text(await receive(sub))).toBe('a');
    expect(text(await receive(sub))).toBe('b');
  });

  it('[MQTT-4.3.3-2] a PUBREL is answered with PUBCOMP holding the same packet id', async () => {
    const client = await broker.connect();
    client.send({ cmd: 'pubrel', messageId: 4242 });
    expect((await client.expect('pubcomp')).messageId).toBe(4242);
  });

  it('QoS 2 end to end: 20 messages, each delivered exactly once', async () => {
    const { topic, sub, pub } = await route(2);
    for (let i = 0; i < 20; i++) await publish(pub, topic, `m${i}`, { qos: 2 });
    const got = [];
    for (let i = 0; i < 20; i++) got.push(text(await receive(sub)));
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    await sub.nothingFor(200);
  });
});
