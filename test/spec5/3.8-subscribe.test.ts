// Test whether SUBSCRIBE works as MQTT 5.0 section 3.8 says: its format, the subscription options No Local, Retain As Published and Retain Handling, Subscription Identifiers, replacing a subscription, and SUBACK (MQTT 5.0 sections 3.8 and 3.3.1.3).
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { acknowledge, nextPublish, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, publish5, str, subscribe5 } from '../support/v5.js';

const broker = specBroker({}, { concurrent: true });

const disconnects = (bytes: string, rc: string) => () =>
  broker.bytes({ name: bytes, version: 5, steps: [send(bytes), recv(`E0 01 ${rc}`)] });
const subscribeFrame = (filter: string, options: string, first = '82'): string =>
  frame(first, `0001 00 ${str(filter)} ${options}`);

describe.concurrent('section 3.8.1 and 3.8.3: format', () => {
  for (const first of ['80', '83', '84', '8A']) {
    it(
      `[MQTT-3.8.1-1] first byte 0x${first}: DISCONNECT 0x81`,
      disconnects(subscribeFrame('t', '00', first), '81'),
    );
  }
  it(
    '[MQTT-3.8.3-1] ill-formed UTF-8 in a filter: DISCONNECT 0x81',
    disconnects(frame('82', '0001 00 0003 61EDA080 00'), '81'),
  );
  it(
    '[MQTT-3.8.3-2] no filter at all: "a SUBSCRIBE packet with no Payload is a Protocol Error", DISCONNECT 0x82',
    disconnects(frame('82', '0001 00'), '82'),
  );
  it(
    '[MQTT-3.8.3-5] reserved bits 6-7 of the options set: DISCONNECT 0x81',
    disconnects(subscribeFrame('t', '40'), '81'),
  );
  it('section 3.8.3.1: QoS 3 in the options: DISCONNECT 0x81', disconnects(subscribeFrame('t', '03'), '81'));
  it('section 3.8.3.1: Retain Handling 3: DISCONNECT 0x81', disconnects(subscribeFrame('t', '30'), '81'));
  it(
    '[MQTT-4.7.1-1] a filter breaking the wildcard rules ("a/b#"): DISCONNECT 0x81 (as Mosquitto)',
    disconnects(subscribeFrame('a/b#', '00'), '81'),
  );
  it('[MQTT-4.7.3-1] an empty filter: DISCONNECT 0x81', disconnects(subscribeFrame('', '00'), '81'));
  it('section 2.2.1: packet id 0: DISCONNECT 0x82', disconnects(frame('82', `0000 00 ${str('t')} 00`), '82'));
});

describe.concurrent('section 3.8.3.1: subscription options', () => {
  it("[MQTT-3.8.3-3] No Local: a client's own message is not sent back to it; others get it (Paho test_subscribe_options)", async () => {
    const topic = uniqueTopic();
    const a = await client5(broker);
    const b = await client5(broker);
    await subscribe5(a, [{ topic, qos: 2, nl: true }]);
    await subscribe5(b, [{ topic, qos: 2, nl: true }]);
    await publish5(a, topic, 'from a', { qos: 1 });
    expect(text(await nextPublish(b))).toBe('from a');
    await a.nothingFor(300);
  });
  it('[MQTT-3.3.1-12] Retain As Published 0: forwarded with RETAIN 0 even when published with RETAIN 1', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe5(sub, [{ topic, qos: 1, rap: false }]);
    await publish5(await client5(broker), topic, 'retained', { qos: 1, retain: true });
    expect((await nextPublish(sub)).retain).toBe(false);
  });
  it('[MQTT-3.3.1-13] Retain As Published 1: the RETAIN flag as published (Paho test_subscribe_options)', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe5(sub, [{ topic, qos: 1, rap: true }]);
    const pub = await client5(broker);
    await publish5(pub, topic, 'plain', { qos: 1 });
    await publish5(pub, topic, 'retained', { qos: 1, retain: true });
    const first = await nextPublish(sub);
    await acknowledge(sub, first);
    const second = await nextPublish(sub);
    expect([first.retain, second.retain]).toEqual([false, true]);
  });
  it('[MQTT-3.3.1-9] [MQTT-3.8.4-4] Retain Handling 0: retained messages on every SUBSCRIBE, new or repeated', async () => {
    const topic = uniqueTopic();
    await publish5(await client5(broker), topic, 'kept', { qos: 1, retain: true });
    const sub = await client5(broker);
    for (let i = 0; i < 2; i++) {
      await subscribe5(sub, [{ topic, qos: 1, rh: 0 }]);
      const got = await nextPublish(sub);
      expect([text(got), got.retain]).toEqual(['kept', true]);
      await acknowledge(sub, got);
    }
  });
  it('[MQTT-3.3.1-10] Retain Handling 1: retained messages only when the subscription is new', async () => {
    const topic = uniqueTopic();
    await publish5(await client5(broker), topic, 'kept', { qos: 1, retain: true });
    const sub = await client5(broker);
    await subscribe5(sub, [{ topic, qos: 1, rh: 1 }]);
    await acknowledge(sub, await nextPublish(sub));
    await subscribe5(sub, [{ topic, qos: 1, rh: 1 }]);
    await sub.nothingFor(300);
  });
  it('[MQTT-3.3.1-11] Retain Handling 2: no retained messages', async () => {
    const topic = uniqueTopic();
    await publish5(await client5(broker), topic, 'kept', { qos: 1, retain: true });
    const sub = await client5(broker);
    await subscribe5(sub, [{ topic, qos: 1, rh: 2 }]);
    await sub.nothingFor(300);
  });
});

describe.concurrent('section 3.8.4: SUBSCRIBE actions', () => {
  it('[MQTT-3.8.4-1] [MQTT-3.8.4-2] [MQTT-2.2.1-6] SUBACK with the same packet id', () =>
    broker.bytes({
      name: 'suback',
      version: 5,
      then: 'open',
      steps: [send(frame('82', `ABCD 00 ${str('t')} 01`)), recv('90 04 ABCD 00 01')],
    }));
  it('[MQTT-3.8.4-3] a subscription to the same filter replaces the old one: its new QoS and identifier apply, one copy is sent', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe5(sub, topic, { qos: 0, id: 1 });
    await subscribe5(sub, topic, { qos: 2, id: 9 });
    await publish5(await client5(broker), topic, 'x', { qos: 2 });
    const got = await nextPublish(sub);
    expect([got.qos, got.properties?.subscriptionIdentifier]).toEqual([2, 9]);
    await acknowledge(sub, got);
    await sub.nothingFor(300);
  });
  it('[MQTT-3.8.4-5] [MQTT-3.8.4-6] [MQTT-3.8.4-7] several filters: one SUBACK, one reason code each, in order', async () => {
    const base = uniqueTopic();
    const sub = await client5(broker);
    expect(
      await subscribe5(sub, [
        { topic: `${base}/a`, qos: 2 },
        { topic: `$share/g/${base}`, qos: 1 },
        { topic: `${base}/c`, qos: 0 },
      ]),
    ).toEqual([2, 1, 0]);
  });
  it('[MQTT-3.8.4-8] messages go out at the lower of the published QoS and the granted QoS', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe5(sub, topic, { qos: 1 });
    const pub = await client5(broker);
    await publish5(pub, topic, 'two', { qos: 2 });
    await publish5(pub, topic, 'zero', { qos: 0 });
    const a = await nextPublish(sub);
    await acknowledge(sub, a);
    expect([a.qos, (await nextPublish(sub)).qos]).toEqual([1, 0]);
  });
  it('section 3.8.2.1.3: SUBSCRIBE with User Properties is accepted', async () => {
    const sub = await client5(broker);
    expect(await subscribe5(sub, uniqueTopic(), { qos: 1, userProperties: { a: 'b' } })).toEqual([1]);
  });
});
