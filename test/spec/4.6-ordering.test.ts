// Test whether the broker keeps order: acknowledgements in the order of the packets they answer, re-sent messages in their first order, and each topic's messages in the order each client published them (MQTT 3.1.1 section 4.6).
import { describe, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import type { IPublishPacket } from 'mqtt-packet';
import { nextPublish, publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker({ maxInflight: 3 });

const burst = (topic: string, qos: 1 | 2, n: number): Buffer =>
  Buffer.concat(
    Array.from({ length: n }, (_, i) =>
      mqttPacket.generate({
        cmd: 'publish',
        topic,
        payload: `m${i}`,
        qos,
        messageId: 1000 + i,
        retain: false,
        dup: false,
      }),
    ),
  );

describe('section 4.6: message ordering', () => {
  it('[MQTT-4.6.0-2] PUBACKs go out in the order the QoS 1 PUBLISHes were received', async () => {
    const client = await broker.connect();
    client.sendBytes(burst(uniqueTopic(), 1, 50));
    const ids = [];
    for (let i = 0; i < 50; i++) ids.push((await client.expect('puback')).messageId);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
  });

  it('[MQTT-4.6.0-3] PUBRECs go out in the order the QoS 2 PUBLISHes were received', async () => {
    const client = await broker.connect();
    client.sendBytes(burst(uniqueTopic(), 2, 50));
    const ids = [];
    for (let i = 0; i < 50; i++) ids.push((await client.expect('pubrec')).messageId);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
  });

  it('[MQTT-4.6.0-4] the server sends PUBRELs in the order the PUBRECs were received', async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, topic, 2);
    const pub = await broker.connect();
    for (let i = 0; i < 3; i++) await publish(pub, topic, `m${i}`, { qos: 2 });
    const got: IPublishPacket[] = [];
    for (let i = 0; i < 3; i++) got.push(await nextPublish(sub));
    const order = [got[2]!, got[0]!, got[1]!].map((m) => m.messageId!);
    for (const id of order) sub.send({ cmd: 'pubrec', messageId: id });
    const rels = [];
    for (let i = 0; i < 3; i++) rels.push((await sub.expect('pubrel')).messageId);
    expect(rels).toEqual(order);
  });

  it('[MQTT-4.6.0-1] messages re-sent on reconnect come in the order they were first sent', async () => {
    const topic = uniqueTopic();
    const clientId = uniqueId('o');
    const sub = await broker.connect({ clientId, clean: false });
    await subscribe(sub, topic, 2);
    const pub = await broker.connect();
    for (let i = 0; i < 3; i++) await publish(pub, topic, `m${i}`, { qos: (1 + (i % 2)) as 1 | 2 });
    for (let i = 0; i < 3; i++) await nextPublish(sub);
    sub.destroy();
    const back = await broker.connect({ clientId, clean: false });
    const again = [];
    for (let i = 0; i < 3; i++) again.push(text(await receive(back)));
    expect(again).toEqual(['m0', 'm1', 'm2']);
  });

  for (const qos of [0, 1, 2] as const) {
    it(`[MQTT-4.6.0-5] [MQTT-4.6.0-6] a topic is ordered: 100 QoS ${qos} messages from one client arrive in the order sent`, async () => {
      const topic = uniqueTopic();
      const sub = await broker.connect();
      await subscribe(sub, topic, 2);
      const pub = await broker.connect();
      pub.sendBytes(
        qos === 0
          ? Buffer.concat(
              Array.from({ length: 100 }, (_, i) =>
                mqttPacket.generate({
                  cmd: 'publish',
                  topic,
                  payload: `m${i}`,
                  qos: 0,
                  retain: false,
                  dup: false,
                }),
              ),
            )
          : burst(topic, qos, 100),
      );
      const got = [];
      for (let i = 0; i < 100; i++) got.push(text(await receive(sub)));
      expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    });
  }

  it('messages of mixed QoS on one topic arrive in publish order, also past the inflight window of 3 (docs/CONFORMANCE.md)', async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, topic, 2);
    const pub = await broker.connect();
    for (let i = 0; i < 12; i++) await publish(pub, topic, `m${i}`, { qos: (i % 3) as 0 | 1 | 2 });
    const got = [];
    for (let i = 0; i < 12; i++) got.push(text(await receive(sub)));
    expect(got).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
  });

  it('the inflight window: no more than 3 unacknowledged QoS 1 messages are sent at once, the rest follow the acknowledgements', async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, topic, 1);
    const pub = await broker.connect();
    for (let i = 0; i < 5; i++) await publish(pub, topic, `m${i}`, { qos: 1 });
    const first = [];
    for (let i = 0; i < 3; i++) first.push(await nextPublish(sub));
    await sub.nothingFor(300);
    for (const m of first) sub.send({ cmd: 'puback', messageId: m.messageId! });
    expect([text(await receive(sub)), text(await receive(sub))]).toEqual(['m3', 'm4']);
  });
});
