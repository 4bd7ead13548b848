// Test whether topic aliases work both ways as MQTT 5.0 section 3.3.2.3.4 says: the server accepts aliases 1 to its Topic Alias Maximum and refuses 0 or more with 0x94, sets aliases only up to the client's maximum, and keeps no alias from one connection to the next (MQTT 5.0 section 3.3.2.3.4).
import type { IPublishPacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, expectDisconnect, frame, open5, props, publish5, str } from '../support/v5.js';

const broker = specBroker({ topicAliasMaximum: 5 }, { concurrent: true });

/** QoS 0 PUBLISH (hex) to `topic` with Topic Alias `alias`. */
const aliased = (topic: string, alias: number, payload = '78'): string =>
  frame('30', `${str(topic)} ${props(`23 ${alias.toString(16).padStart(4, '0')}`)} ${payload}`);

describe.concurrent('aliases from the client [MQTT-3.3.2-12]', () => {
  it('[MQTT-3.3.2-12] the server accepts aliases 1 to its maximum (5), set with a topic and then used alone', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 0);
    const pub = await client5(broker);
    pub.sendBytes(aliased(topic, 5, '61'));
    pub.sendBytes(aliased('', 5, '62'));
    pub.sendBytes(aliased('', 5, '63'));
    const got = [await nextPublish(sub), await nextPublish(sub), await nextPublish(sub)];
    expect(got.map((p) => [p.topic, text(p), p.properties?.topicAlias])).toEqual([
      [topic, 'a', undefined],
      [topic, 'b', undefined],
      [topic, 'c', undefined],
    ]);
  });
  it('[MQTT-3.3.2-12] an alias can be set again to another topic', async () => {
    const [t1, t2] = [uniqueTopic(), uniqueTopic()];
    const sub = await client5(broker);
    await subscribe(sub, [
      [t1, 0],
      [t2, 0],
    ]);
    const pub = await client5(broker);
    pub.sendBytes(aliased(t1, 1));
    pub.sendBytes(aliased(t2, 1));
    pub.sendBytes(aliased('', 1));
    expect([
      (await nextPublish(sub)).topic,
      (await nextPublish(sub)).topic,
      (await nextPublish(sub)).topic,
    ]).toEqual([t1, t2, t2]);
  });
  it('[MQTT-3.3.2-8] Topic Alias 0 gets DISCONNECT 0x94 (Topic Alias invalid)', () =>
    broker.bytes({ name: 'alias 0', version: 5, steps: [send(aliased('t', 0)), recv('E0 01 94')] }));
  it("[MQTT-3.3.2-9] an alias above the server's Topic Alias Maximum gets DISCONNECT 0x94", () =>
    broker.bytes({ name: 'alias 6', version: 5, steps: [send(aliased('t', 6)), recv('E0 01 94')] }));
  it('section 3.3.2.3.4: an empty topic with an alias never set is a Protocol Error: DISCONNECT 0x82', () =>
    broker.bytes({ name: 'unknown alias', version: 5, steps: [send(aliased('', 2)), recv('E0 01 82')] }));
  it('[MQTT-3.3.2-7] aliases do not carry over to the next connection of the same session', async () => {
    const clientId = uniqueId();
    const session = { clientId, clean: false, properties: { sessionExpiryInterval: 60 } };
    const first = await client5(broker, session);
    first.sendBytes(aliased(uniqueTopic(), 1));
    await first.disconnect();
    const second = await client5(broker, session);
    second.sendBytes(aliased('', 1));
    await expectDisconnect(second, 0x82);
  });
});

describe.concurrent('aliases from the server', () => {
  it('[MQTT-3.3.2-11] with Topic Alias Maximum 1 the server sets alias 1 with the topic, then sends it alone (Paho test_server_topic_alias)', async () => {
    const topic = uniqueTopic();
    const { client } = await open5(broker, { properties: { topicAliasMaximum: 1 } });
    await subscribe(client, topic, 2);
    for (const qos of [0, 1, 2] as const) await publish5(client, topic, `q${qos}`, { qos });
    const got: IPublishPacket[] = [];
    for (let i = 0; i < 3; i++) got.push(await client.nextOf('publish'));
    expect(got.map((p) => [p.topic, p.properties?.topicAlias, text(p)])).toEqual([
      [topic, 1, 'q0'],
      ['', 1, 'q1'],
      ['', 1, 'q2'],
    ]);
  });
  it("[MQTT-3.1.2-26] [MQTT-3.3.2-11] the server never sends an alias above the client's maximum (2)", async () => {
    const base = uniqueTopic();
    const { client } = await open5(broker, { properties: { topicAliasMaximum: 2 } });
    await subscribe(client, `${base}/+`, 0);
    const pub = await client5(broker);
    for (const t of ['a', 'b', 'c', 'a', 'd']) await publish5(pub, `${base}/${t}`, t);
    const aliases: number[] = [];
    for (let i = 0; i < 5; i++) aliases.push((await nextPublish(client)).properties?.topicAlias ?? 0);
    expect(aliases.every((a) => a >= 1 && a <= 2)).toBe(true);
  });
  it('[MQTT-3.1.2-27] a client that sent no Topic Alias Maximum (or 0) gets no aliases', async () => {
    for (const properties of [{}, { topicAliasMaximum: 0 }]) {
      const topic = uniqueTopic();
      const { client } = await open5(broker, { properties });
      await subscribe(client, topic, 0);
      const pub = await client5(broker);
      await publish5(pub, topic, '1');
      await publish5(pub, topic, '2');
      for (let i = 0; i < 2; i++) {
        const got = await nextPublish(client);
        expect([got.topic, got.properties?.topicAlias]).toEqual([topic, undefined]);
      }
    }
  });
  it('[MQTT-3.3.2-7] a new connection starts without the aliases the server set on the previous one', async () => {
    const clientId = uniqueId();
    const topic = uniqueTopic();
    const session = {
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: 60, topicAliasMaximum: 3 },
    };
    const first = (await open5(broker, session)).client;
    await subscribe(first, topic, 0);
    await publish5(await client5(broker), topic, 'one');
    expect((await nextPublish(first)).topic).toBe(topic);
    await first.disconnect();
    const second = (await open5(broker, session)).client;
    await publish5(await client5(broker), topic, 'two');
    const got = await nextPublish(second);
    expect([got.topic, got.properties?.topicAlias]).toEqual([topic, 1]);
  });
});
