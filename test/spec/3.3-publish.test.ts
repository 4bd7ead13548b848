// Test whether the broker handles the PUBLISH fixed header (DUP, QoS, RETAIN), its topic name and its answers as section 3.3 says: retained messages set, replaced, cleared and sent on subscribe (MQTT 3.1.1 section 3.3).
import { describe, expect, it } from 'vitest';
import { bytesOf, nextPublish, publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { recv, send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

/** A subscriber on `filter` and a publisher. */
async function pubSub(filter: string, qos: 0 | 1 | 2 = 2) {
  const sub = await broker.connect();
  await subscribe(sub, filter, qos);
  return { sub, pub: await broker.connect() };
}

describe('section 3.3.1: fixed header', () => {
  it('[MQTT-3.3.1-2] DUP 1 on a QoS 0 PUBLISH is malformed: the connection closes (docs/CONFORMANCE.md)', () =>
    broker.bytes({ name: 'dup qos0', steps: [send('38 0E 0005 746F706963 7061796C6F6164')] }));

  it('[MQTT-3.3.1-3] the DUP flag of an incoming PUBLISH is not propagated to subscribers', async () => {
    const topic = uniqueTopic();
    const { sub, pub } = await pubSub(topic);
    await publish(pub, topic, 'dup1', { qos: 1, dup: true });
    await publish(pub, topic, 'dup2', { qos: 2, dup: true });
    expect((await receive(sub)).dup).toBe(false);
    expect((await receive(sub)).dup).toBe(false);
  });

  it('[MQTT-3.3.1-4] a PUBLISH with both QoS bits set (no packet id) closes the connection', () =>
    broker.bytes({ name: 'qos3', steps: [send('36 0E 0005 746F706963 7061796C6F6164')] }));
  it('[MQTT-3.3.1-4] a PUBLISH with both QoS bits set (with a packet id) closes the connection', () =>
    broker.bytes({ name: 'qos3', steps: [send('36 10 0005 746F706963 1234 7061796C6F6164')] }));
});

describe('section 3.3.1.3: RETAIN', () => {
  it('[MQTT-3.3.1-5] RETAIN 1: the server stores the message and its QoS for future subscribers', async () => {
    const topic = uniqueTopic();
    await publish(await broker.connect(), topic, 'kept', { qos: 1, retain: true });
    const sub = await broker.connect();
    await subscribe(sub, topic, 2);
    const m = await receive(sub);
    expect({ payload: text(m), qos: m.qos }).toEqual({ payload: 'kept', qos: 1 });
  });

  it('[MQTT-3.3.1-6] a new subscription gets the last retained message of each matching topic', async () => {
    const base = uniqueTopic();
    const pub = await broker.connect();
    await publish(pub, `${base}/a`, 'a1', { retain: true });
    await publish(pub, `${base}/a`, 'a2', { retain: true });
    await publish(pub, `${base}/b`, 'b1', { retain: true });
    await publish(pub, `${base}/c/d`, 'not matched', { retain: true });
    const sub = await broker.connect();
    await subscribe(sub, `${base}/+`);
    const got = [text(await receive(sub)), text(await receive(sub))].sort();
    expect(got).toEqual(['a2', 'b1']);
    await publish(pub, `${base}/a`, 'marker');
    expect(text(await receive(sub))).toBe('marker');
  });

  it('[MQTT-3.3.1-7] a QoS 0 retained message replaces the one retained before', async () => {
    const topic = uniqueTopic();
    const pub = await broker.connect();
    await publish(pub, topic, 'qos2', { qos: 2, retain: true });
    await publish(pub, topic, 'qos0', { qos: 0, retain: true });
    const sub = await broker.connect();
    await subscribe(sub, topic, 2);
    const m = await receive(sub);
    expect({ payload: text(m), qos: m.qos }).toEqual({ payload: 'qos0', qos: 0 });
  });

  it('[MQTT-3.3.1-8] a message sent because of a new subscription has RETAIN 1', async () => {
    const topic = uniqueTopic();
    await publish(await broker.connect(), topic, 'r', { retain: true });
    const sub = await broker.connect();
    await subscribe(sub, topic);
    expect((await receive(sub)).retain).toBe(true);
  });

  it('[MQTT-3.3.1-9] a message sent to an established subscription has RETAIN 0, however it was published', async () => {
    const topic = uniqueTopic();
    const { sub, pub } = await pubSub(topic);
    await publish(pub, topic, 'r', { retain: true, qos: 1 });
    const m = await receive(sub);
    expect({ payload: text(m), retain: m.retain }).toEqual({ payload: 'r', retain: false });
  });

  it('[MQTT-3.3.1-10] a retained PUBLISH with a zero-byte payload is delivered as normal and removes the retained message', async () => {
    const topic = uniqueTopic();
    const pub = await broker.connect();
    await publish(pub, topic, 'old', { retain: true });
    const sub = await broker.connect();
    await subscribe(sub, topic);
    expect(text(await receive(sub))).toBe('old');
    await publish(pub, topic, '', { retain: true });
    const cleared = await receive(sub);
    expect({ length: cleared.payload.length, retain: cleared.retain }).toEqual({ length: 0, retain: false });
    const late = await broker.connect();
    await subscribe(late, topic);
    await publish(pub, topic, 'marker');
    expect(text(await receive(late))).toBe('marker');
  });

  it('[MQTT-3.3.1-11] a zero-byte retained message is not stored as a retained message', async () => {
    const topic = uniqueTopic();
    const pub = await broker.connect();
    await publish(pub, topic, '', { retain: true, qos: 1 });
    const sub = await broker.connect();
    await subscribe(sub, topic);
    await publish(pub, topic, 'marker');
    expect(text(await receive(sub))).toBe('marker');
  });

  it('[MQTT-3.3.1-12] RETAIN 0: the server neither stores the message nor removes or replaces the retained one', async () => {
    const topic = uniqueTopic();
    const pub = await broker.connect();
    await publish(pub, topic, 'retained', { retain: true });
    await publish(pub, topic, 'not retained', { retain: false, qos: 1 });
    await publish(pub, topic, '', { retain: false });
    const sub = await broker.connect();
    await subscribe(sub, topic);
    const m = await receive(sub);
    expect({ payload: text(m), retain: m.retain }).toEqual({ payload: 'retained', retain: true });
  });
});

describe('section 3.3.2: topic name', () => {
  it('[MQTT-3.3.2-1] a topic name that is not well-formed UTF-8 closes the connection', () =>
    broker.bytes({ name: 'utf8', steps: [send('30 07 0003 61FF62 6869')] }));
  it('[MQTT-3.3.2-1] a PUBLISH too short to hold its topic name closes the connection', () =>
    broker.bytes({ name: 'short', steps: [send('30 03 0005 61')] }));

  for (const topic of ['a/+', '#', 'a/#', '+', 'a/b+c', 'sport/tennis#']) {
    it(`[MQTT-3.3.2-2] [MQTT-4.7.1-1] a topic name holding wildcards (${topic}) closes the connection`, async () => {
      const client = await broker.connect();
      client.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 0, retain: false, dup: false });
      expect(await client.closed()).toEqual([]);
    });
  }

  it('[MQTT-3.3.2-3] the topic name sent to a subscriber is the one published, not the matching filter', async () => {
    const base = uniqueTopic();
    const { sub, pub } = await pubSub(`${base}/+/x/#`);
    await publish(pub, `${base}/any/x/y/z`, 'm');
    expect((await receive(sub)).topic).toBe(`${base}/any/x/y/z`);
  });
});

describe('section 3.3.4: response', () => {
  it('[MQTT-3.3.4-1] QoS 0: no response; QoS 1: PUBACK; QoS 2: PUBREC, then PUBCOMP for PUBREL', () =>
    broker.bytes({
      name: 'responses',
      then: 'open',
      steps: [
        send('30 07 0003 612F62 6869'),
        send('32 09 0003 612F62 0001 6869'),
        recv('40 02 0001'),
        send('34 09 0003 612F62 0002 6869'),
        recv('50 02 0002'),
        send('62 02 0002'),
        recv('70 02 0002'),
      ],
    }));

  it('payloads are delivered byte for byte: empty, binary with zero bytes, not UTF-8', async () => {
    const topic = uniqueTopic();
    const { sub, pub } = await pubSub(topic);
    const payloads = [
      Buffer.alloc(0),
      Buffer.from([0, 1, 2, 0, 255]),
      Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]),
    ];
    for (const payload of payloads) await publish(pub, topic, payload, { qos: 1 });
    for (const payload of payloads) expect(bytesOf(await receive(sub)).equals(payload)).toBe(true);
  });
});

describe('section 3.3.5: server actions', () => {
  it('[MQTT-3.3.5-1] overlapping subscriptions: the message is delivered respecting the maximum QoS of the matching subscriptions', async () => {
    const base = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, [
      [`${base}/#`, 2],
      [`${base}/+`, 1],
      [`${base}/x`, 0],
    ]);
    await publish(await broker.connect(), `${base}/x`, 'overlap', { qos: 2 });
    // Either one copy at the highest QoS (MQTTZoo) or one per subscription, as the spec allows.
    const first = await nextPublish(sub);
    expect(first.qos).toBe(2);
    await sub.nothingFor(300);
  });

  it('[MQTT-3.3.5-1] a QoS 1 subscription that overlaps a QoS 0 one gets the message at QoS 1', async () => {
    const base = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, [
      [`${base}/#`, 0],
      [`${base}/x`, 1],
    ]);
    await publish(await broker.connect(), `${base}/x`, 'o', { qos: 1 });
    expect((await receive(sub)).qos).toBe(1);
  });
});
