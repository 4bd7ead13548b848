// Test whether the broker handles the PUBLISH header as MQTT 5.0 section 3.3.1-3.3.2.1 and 3.3.4 say: DUP, QoS, RETAIN, the topic name, the acknowledgement per QoS and the QoS of overlapping subscriptions (MQTT 5.0 section 3.3).
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { acknowledge, bytesOf, nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, publish5, str, subscribe5 } from '../support/v5.js';

const broker = specBroker({}, { concurrent: true });

const disconnects = (bytes: string, rc: string) => () =>
  broker.bytes({ name: bytes, version: 5, steps: [send(bytes), recv(`E0 01 ${rc}`)] });

describe.concurrent('section 3.3.1: fixed header', () => {
  it(
    "[MQTT-3.3.1-2] QoS 0 with DUP 1 gets DISCONNECT 0x81 (as Mosquitto's test data)",
    disconnects(frame('38', `${str('t')} 00 78`), '81'),
  );
  it('[MQTT-3.3.1-4] QoS 3 gets DISCONNECT 0x81', disconnects(frame('36', `${str('t')} 0001 00 78`), '81'));
  it('[MQTT-3.3.1-3] the DUP flag of what the server sends does not follow the incoming one', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 1);
    const pub = await client5(broker);
    pub.sendBytes(frame('3A', `${str(topic)} 0007 00 78`)); // QoS 1, DUP 1
    await pub.nextOf('puback', 7);
    expect((await nextPublish(sub)).dup).toBe(false);
  });
  it('[MQTT-4.3.1-1] a QoS 0 message goes out with QoS 0 and DUP 0', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 2);
    await publish5(await client5(broker), topic, 'zero');
    expect(await nextPublish(sub)).toMatchObject({ qos: 0, dup: false });
  });
});

describe.concurrent('section 3.3.1.3: RETAIN', () => {
  it('[MQTT-3.3.1-5] RETAIN 1 replaces the retained message of the topic; a new subscriber gets it with RETAIN 1', async () => {
    const topic = uniqueTopic();
    const pub = await client5(broker);
    await publish5(pub, topic, 'first', { qos: 1, retain: true });
    await publish5(pub, topic, 'second', { qos: 1, retain: true });
    const sub = await client5(broker);
    await subscribe(sub, topic, 1);
    const got = await nextPublish(sub);
    expect([text(got), got.retain]).toEqual(['second', true]);
    await acknowledge(sub, got);
    await sub.nothingFor(200);
  });
  it('[MQTT-3.3.1-6] [MQTT-3.3.1-7] a retained PUBLISH with an empty payload removes the retained message and is not stored', async () => {
    const topic = uniqueTopic();
    const pub = await client5(broker);
    await publish5(pub, topic, 'kept', { qos: 1, retain: true });
    const live = await client5(broker);
    await subscribe(live, topic, 1);
    await acknowledge(live, await nextPublish(live));
    await publish5(pub, topic, '', { qos: 1, retain: true });
    expect(bytesOf(await nextPublish(live)).length).toBe(0); // processed normally
    const later = await client5(broker);
    await subscribe(later, topic, 1);
    await later.nothingFor(300);
  });
  it('[MQTT-3.3.1-8] RETAIN 0 neither stores the message nor removes the retained one', async () => {
    const topic = uniqueTopic();
    const pub = await client5(broker);
    await publish5(pub, topic, 'kept', { qos: 1, retain: true });
    await publish5(pub, topic, 'passing', { qos: 1 });
    const sub = await client5(broker);
    await subscribe(sub, topic, 1);
    expect(text(await nextPublish(sub))).toBe('kept');
  });
});

describe.concurrent('section 3.3.2.1: Topic Name', () => {
  it(
    '[MQTT-3.3.2-1] ill-formed UTF-8 in the topic gets DISCONNECT 0x81',
    disconnects(frame('30', '0003 61 EDA080 00 78'), '81'),
  );
  it(
    '[MQTT-3.3.2-1] U+0000 in the topic gets DISCONNECT 0x81',
    disconnects(frame('30', '0003 61 0062 00 78'), '81'),
  );
  it(
    '[MQTT-3.3.2-2] a "+" in the topic gets DISCONNECT 0x82',
    disconnects(frame('30', `${str('a/+')} 00 78`), '82'),
  );
  it(
    '[MQTT-3.3.2-2] a "#" in the topic gets DISCONNECT 0x82',
    disconnects(frame('30', `${str('#')} 00 78`), '82'),
  );
  it(
    'section 3.3.2.1: an empty topic without a Topic Alias is a Protocol Error: DISCONNECT 0x82',
    disconnects(frame('30', '0000 00 78'), '82'),
  );
  it('[MQTT-3.3.2-3] the topic name sent to a subscriber is the published one, which matches its filter', async () => {
    const base = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, `${base}/+/c`, 0);
    await publish5(await client5(broker), `${base}/b/c`, 'x');
    expect((await nextPublish(sub)).topic).toBe(`${base}/b/c`);
  });
});

describe.concurrent('section 3.3.4: PUBLISH actions', () => {
  it('[MQTT-3.3.4-1] [MQTT-2.2.1-5] QoS 0: no answer; QoS 1: PUBACK; QoS 2: PUBREC, then PUBCOMP for PUBREL (ids kept)', async () => {
    const topic = uniqueTopic();
    const client = await client5(broker);
    client.sendBytes(frame('30', `${str(topic)} 00 78`));
    client.sendBytes(frame('32', `${str(topic)} 0011 00 78`));
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 0x11 });
    client.sendBytes(frame('34', `${str(topic)} 0012 00 78`));
    expect(await client.next()).toMatchObject({ cmd: 'pubrec', messageId: 0x12 });
    client.sendBytes(frame('62', '0012'));
    expect(await client.next()).toMatchObject({ cmd: 'pubcomp', messageId: 0x12 });
  });
  it('[MQTT-3.3.4-2] overlapping subscriptions: one copy at the highest granted QoS', async () => {
    const base = uniqueTopic();
    const sub = await client5(broker);
    await subscribe5(sub, [
      { topic: `${base}/#`, qos: 2 },
      { topic: `${base}/+`, qos: 1 },
    ]);
    await publish5(await client5(broker), `${base}/x`, 'overlap', { qos: 2 });
    expect((await nextPublish(sub)).qos).toBe(2);
    await sub.nothingFor(300);
  });
  it('[MQTT-3.8.4-8] the QoS sent is the lower of the published QoS and the granted one', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 1);
    const pub = await client5(broker);
    await publish5(pub, topic, 'two', { qos: 2 });
    expect((await nextPublish(sub)).qos).toBe(1);
  });
});
