// Test whether the scenarios of Eclipse Paho's MQTT 5.0 interoperability suite (paho.mqtt.testing interoperability/client_test5.py) pass against the broker, each reproduced under its Paho name with Paho's assertions: the scenarios that need no waiting (the timed ones are in paho-client-test5-b).
import { describe, expect, it } from 'vitest';
import { nextPublish, publish, subscribe, text, unsubscribe } from '../support/flows.js';
import { collect, pahoTopics } from '../support/paho.js';
import { connectPacket, uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import {
  client5,
  connect5,
  connectFrame,
  expectDisconnect,
  frame,
  open5,
  props,
  publish5,
  str,
  subscribe5,
} from '../support/v5.js';

// as Paho's suite is run against a broker: test/nosubscribe refused, Server Keep Alive 60
const broker = specBroker({ denySubscribe: 'test/nosubscribe', maxKeepAlive: 60 }, { concurrent: true });
const userProperties = { a: '2', c: '3' };
const pairs = (p: unknown): [string, string][] => Object.entries(p as Record<string, string>);

describe.concurrent('Paho client_test5.py', () => {
  it('test_basic: QoS 0, 1 and 2 to its own subscription; a second CONNECT and a wrong protocol name fail', async () => {
    const { topics } = pahoTopics();
    const a = await client5(broker);
    await subscribe(a, topics[0]!, 2);
    for (const qos of [0, 1, 2] as const) await publish5(a, topics[0]!, `qos ${qos}`, { qos });
    expect((await collect(a)).length).toBe(3);
    a.send(connect5());
    await expectDisconnect(a, 0x82);
    const wrong = await broker.open(5);
    wrong.sendBytes(frame('10', `${str('hj')} 05 02 000A 00 ${str(uniqueId())}`));
    expect((await wrong.closed()).every((p) => p.cmd === 'connack')).toBe(true);
  });

  it('test_retained_message: three retained messages (QoS 0, 1, 2) with user properties reach a later "+/+" subscription', async () => {
    const { topics, wildtopics } = pahoTopics();
    const a = await client5(broker);
    for (const [i, qos] of [
      [1, 0],
      [2, 1],
      [3, 2],
    ] as const) {
      await publish5(a, topics[i]!, `qos ${qos}`, { qos, retain: true, properties: { userProperties } });
    }
    await subscribe(a, wildtopics[5]!, 2);
    const got = await collect(a);
    expect(got.length).toBe(3);
    for (const m of got)
      expect(pairs(m.properties?.userProperties)).toEqual([
        ['a', '2'],
        ['c', '3'],
      ]);
    expect(got.map((m) => m.qos).sort()).toEqual([0, 1, 2]);
  });

  it('test_zero_length_clientid: an empty client id is accepted with Clean Start 0 and 1', async () => {
    for (const flags of ['00', '02']) {
      const client = await broker.open(5);
      client.sendBytes(connectFrame(flags, props(), ''));
      expect(await client.expect('connack')).toMatchObject({ reasonCode: 0 });
    }
  });

  it('test_overlapping_subscriptions: "TopicA/#" at QoS 2 and "TopicA/+" at QoS 1: one message at QoS 2', async () => {
    const { topics, wildtopics } = pahoTopics();
    const a = await client5(broker);
    await subscribe(a, [
      [wildtopics[6]!, 2],
      [wildtopics[0]!, 1],
    ]);
    await publish5(a, topics[3]!, 'overlapping topic filters', { qos: 2 });
    const got = await collect(a);
    expect(got.map((m) => m.qos)).toEqual([2]);
  });

  it('test_subscribe_failure: a subscription to test/nosubscribe gets 0x80', async () => {
    expect(await subscribe5(await client5(broker), 'test/nosubscribe', { qos: 2 })).toEqual([0x80]);
  });

  it('test_dollar_topics: a message to "$" + topic does not reach a "+/+" subscription', async () => {
    const { topics, wildtopics } = pahoTopics();
    const b = await client5(broker);
    await subscribe(b, wildtopics[5]!, 2);
    await publish5(b, `$${topics[1]}`, '', { qos: 1 });
    expect(await collect(b, 200)).toEqual([]);
  });

  it('test_unsubscribe: after unsubscribing from one of three topics, two of three messages arrive', async () => {
    const { topics } = pahoTopics();
    const b = await client5(broker);
    for (const t of topics.slice(0, 3)) await subscribe(b, t, 2);
    await unsubscribe(b, [topics[0]!]);
    const a = await client5(broker);
    for (const [i, payload] of ['topic 0 - unsubscribed', 'topic 1', 'topic 2'].entries()) {
      await publish5(a, topics[i]!, payload, { qos: 1 });
    }
    expect((await collect(b)).map(text)).toEqual(['topic 1', 'topic 2']);
  });

  it('test_user_properties: user properties of QoS 0, 1 and 2 messages arrive', async () => {
    const { topics } = pahoTopics();
    const a = await client5(broker);
    await subscribe(a, topics[0]!, 2);
    for (const qos of [0, 1, 2] as const)
      await publish5(a, topics[0]!, '', { qos, properties: { userProperties } });
    const got = await collect(a);
    expect(got.map((m) => pairs(m.properties?.userProperties))).toEqual(
      Array(3).fill([
        ['a', '2'],
        ['c', '3'],
      ]),
    );
    expect(got.map((m) => m.qos).sort()).toEqual([0, 1, 2]);
  });

  it('test_payload_format: Payload Format Indicator 1 and Content Type "My name" arrive at every QoS', async () => {
    const { topics } = pahoTopics();
    const a = await client5(broker);
    await subscribe(a, topics[0]!, 2);
    const properties = { payloadFormatIndicator: true, contentType: 'My name' };
    for (const qos of [0, 1, 2] as const) await publish5(a, topics[0]!, '', { qos, properties });
    const got = await collect(a);
    for (const m of got) expect(m.properties).toMatchObject(properties);
    expect(got.map((m) => m.qos).sort()).toEqual([0, 1, 2]);
  });

  it('test_subscribe_options: No Local, Retain As Published, Retain Handling 1, 2 and 0', async () => {
    const { topics, wildtopics } = pahoTopics();
    const a = await client5(broker);
    const b = await client5(broker);
    await subscribe5(a, [{ topic: topics[0]!, qos: 2, nl: true }]);
    await subscribe5(b, [{ topic: topics[0]!, qos: 2, nl: true }]);
    await publish5(a, topics[0]!, 'noLocal test', { qos: 1 });
    expect((await collect(b)).length).toBe(1);
    expect(await collect(a, 200)).toEqual([]);

    const rap = await client5(broker);
    await subscribe5(rap, [{ topic: topics[0]!, qos: 2, rap: true }]);
    await publish5(rap, topics[0]!, 'retain as published false', { qos: 1 });
    await publish5(rap, topics[0]!, 'retain as published true', { qos: 1, retain: true });
    expect((await collect(rap)).map((m) => m.retain)).toEqual([false, true]);

    const rh = await client5(broker);
    for (const [i, qos] of [
      [1, 0],
      [2, 1],
      [3, 2],
    ] as const)
      await publish5(rh, topics[i]!, `qos ${qos}`, { qos, retain: true });
    await subscribe5(rh, [{ topic: wildtopics[5]!, qos: 2, rh: 1 }]);
    expect((await collect(rh)).map((m) => m.qos).sort()).toEqual([0, 1, 2]);
    await subscribe5(rh, [{ topic: wildtopics[5]!, qos: 2, rh: 1 }]);
    expect(await collect(rh, 300)).toEqual([]);
    const rh2 = await client5(broker);
    await subscribe5(rh2, [{ topic: wildtopics[5]!, qos: 2, rh: 2 }]);
    await subscribe5(rh2, [{ topic: wildtopics[5]!, qos: 2, rh: 2 }]);
    expect(await collect(rh2, 300)).toEqual([]);
    const rh0 = await client5(broker);
    for (let i = 0; i < 2; i++) {
      await subscribe5(rh0, [{ topic: wildtopics[5]!, qos: 2, rh: 0 }]);
      expect((await collect(rh0)).map((m) => m.qos).sort()).toEqual([0, 1, 2]);
    }
  });

  it('test_assigned_clientid: an empty client id gets a non-empty Assigned Client Identifier', async () => {
    expect((await open5(broker, { clientId: '' })).connack.properties?.assignedClientIdentifier).toBeTruthy();
  });

  it('test_subscribe_identifiers: 456789 for one client; 2 and 3 for overlapping subscriptions of another', async () => {
    const { topics } = pahoTopics();
    const a = await client5(broker);
    await subscribe5(a, topics[0]!, { qos: 2, id: 456789 });
    const b = await client5(broker);
    await subscribe5(b, topics[0]!, { qos: 2, id: 2 });
    await subscribe5(b, `${topics[0]}/#`, { qos: 2, id: 3 });
    await publish5(b, topics[0]!, 'sub identifier test', { qos: 1 });
    expect((await nextPublish(a)).properties?.subscriptionIdentifier).toBe(456789);
    const ids = (await collect(b))[0]?.properties?.subscriptionIdentifier;
    expect(new Set(Array.isArray(ids) ? ids : [ids])).toEqual(new Set([2, 3]));
  });

  it('test_request_response: the responder gets Response Topic and Correlation Data, the requester the response', async () => {
    const { topics } = pahoTopics();
    const a = await client5(broker);
    const b = await client5(broker);
    await subscribe5(a, [{ topic: topics[0]!, qos: 2, nl: true }]);
    await subscribe5(b, [{ topic: topics[0]!, qos: 2, nl: true }]);
    await publish5(a, topics[0]!, 'request', {
      qos: 1,
      properties: { responseTopic: topics[0]!, correlationData: Buffer.from('334') },
    });
    const [request] = await collect(b);
    expect(request?.properties).toMatchObject({
      responseTopic: topics[0],
      correlationData: Buffer.from('334'),
    });
    await publish5(b, request!.properties!.responseTopic!, 'response', {
      qos: 1,
      properties: request!.properties!,
    });
    expect((await collect(a)).length).toBe(1);
  });

  it('test_shared_subscriptions: each message to a share reaches one member; both members get some', async () => {
    const { topics } = pahoTopics();
    const shared = `$share/sharename/${topics[0]}x`;
    const a = await client5(broker);
    const b = await client5(broker);
    for (const c of [a, b]) {
      expect(
        await subscribe5(c, [
          { topic: shared, qos: 2 },
          { topic: topics[0]!, qos: 2 },
        ]),
      ).toEqual([2, 2]);
    }
    await publish5(b, topics[0]!, 'message 0');
    expect([(await collect(a)).length, (await collect(b)).length]).toEqual([1, 1]);
    await publish5(b, `${topics[0]}x`, 'message 0');
    expect((await collect(a)).length + (await collect(b)).length).toBe(1);
    const count = 10;
    for (let i = 0; i < count; i++) await publish5(b, `${topics[0]}x`, `message ${i}`, { qos: 2 });
    const [ga, gb] = [(await collect(a)).length, (await collect(b)).length];
    expect(ga + gb).toBe(count);
    expect(ga > 0 && gb > 0).toBe(true);
  });

  it('test_server_keep_alive: keep-alive 120 gets Server Keep Alive 60', async () => {
    expect((await open5(broker, { keepalive: 120 })).connack.properties?.serverKeepAlive).toBe(60);
  });

  it('a 3.1.1 publisher reaches a 5.0 subscriber with the QoS of the subscription (mixed versions)', async () => {
    const { topics } = pahoTopics();
    const sub = await client5(broker);
    await subscribe(sub, topics[0]!, 1);
    await publish(await broker.connect(connectPacket({ clientId: uniqueId() })), topics[0]!, 'mixed', {
      qos: 2,
    });
    expect((await nextPublish(sub)).qos).toBe(1);
  });
});
