// Test whether the broker accepts well-formed SUBSCRIBE packets, closes on malformed ones, answers each with a SUBACK and delivers at the granted QoS (MQTT 3.1.1 section 3.8).
import { describe, expect, it } from 'vitest';
import { publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { recv, send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

const closes = (bytes: string) => () => broker.bytes({ name: bytes, steps: [send(bytes)] });

describe('[MQTT-3.8.1-1] SUBSCRIBE fixed header bits MUST be 0,0,1,0: the server MUST treat others as malformed and close', () => {
  for (const first of ['80', '81', '83', '84', '86', '8A', '8E']) {
    it(
      `[MQTT-3.8.1-1] SUBSCRIBE with first byte 0x${first} closes the connection`,
      closes(`${first} 06 1234 0001 70 00`),
    );
  }
});

describe('section 3.8.3: payload', () => {
  it(
    '[MQTT-3.8.3-1] a topic filter that is not UTF-8 (U+D800 encoded) closes the connection',
    closes('82 0A 1234 0005 746FEDA080 00'),
  );
  it('[MQTT-3.8.3-2] wildcard filters are supported: "+" and "#" subscriptions are granted and match', async () => {
    const base = uniqueTopic();
    const sub = await broker.connect();
    expect(
      await subscribe(sub, [
        [`${base}/+/x`, 1],
        [`${base}/#`, 2],
      ]),
    ).toEqual([1, 2]);
    await publish(await broker.connect(), `${base}/a/x`, 'w', { qos: 2 });
    expect((await receive(sub)).qos).toBe(2);
  });
  it(
    '[MQTT-3.8.3-3] a SUBSCRIBE with no topic filter is a protocol violation: the connection closes',
    closes('82 02 1234'),
  );
  for (const options of ['03', '04', '08', '10', '20', '40', '80', 'FF']) {
    it(
      `[MQTT-3-8.3-4] requested QoS byte 0x${options} (reserved bits or QoS 3) is malformed: the connection closes`,
      closes(`82 06 1234 0001 70 ${options}`),
    );
  }
  it(
    'a topic filter without its requested QoS byte is malformed: the connection closes',
    closes('82 05 1234 0001 70'),
  );
  it(
    'a byte after the last requested QoS is malformed: the connection closes',
    closes('82 07 1234 0001 70 00 00'),
  );
  it('a truncated topic filter length is malformed: the connection closes', closes('82 03 1234 00'));
  for (const [what, filter] of [
    ['an empty topic filter [MQTT-4.7.3-1]', '0000'],
    ['"a/#/b" [MQTT-4.7.1-2]', '0005 612F232F62'],
    ['"a#" [MQTT-4.7.1-2]', '0002 6123'],
    ['"a+" [MQTT-4.7.1-3]', '0002 612B'],
    ['"+a/b" [MQTT-4.7.1-3]', '0004 2B612F62'],
  ]) {
    it(`an invalid topic filter, ${what}, is a protocol violation: the connection closes (docs/CONFORMANCE.md)`, () => {
      const body = Buffer.from(`1234${filter!.replace(/ /g, '')}00`, 'hex');
      return broker.bytes({
        name: what!,
        steps: [send(`82 ${body.length.toString(16).padStart(2, '0')} ${body.toString('hex')}`)],
      });
    });
  }
  it(
    'an invalid topic filter after a valid one closes the connection without a SUBACK',
    closes('82 0B 1234 0001 70 00 0002 6123 00'),
  );
});

describe('section 3.8.4: response', () => {
  for (const qos of ['00', '01', '02']) {
    it(`[MQTT-3.8.4-1] [MQTT-3.8.4-2] SUBSCRIBE at QoS ${qos} is answered with a SUBACK holding its packet id`, () =>
      broker.bytes({
        name: qos,
        then: 'open',
        steps: [send(`82 06 5A5A 0001 70 ${qos}`), recv(`90 03 5A5A ${qos}`)],
      }));
  }

  it('[MQTT-3.8.4-3] a SUBSCRIBE with an existing filter replaces the subscription: new QoS, one copy per message', async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, topic, 0);
    await subscribe(sub, topic, 2);
    const pub = await broker.connect();
    await publish(pub, topic, 'one', { qos: 2 });
    await publish(pub, topic, 'two', { qos: 1 });
    const first = await receive(sub);
    expect({ payload: text(first), qos: first.qos }).toEqual({ payload: 'one', qos: 2 });
    expect(text(await receive(sub))).toBe('two');
  });

  it('[MQTT-3.8.4-3] replacing a subscription re-sends the retained messages matching it', async () => {
    const topic = uniqueTopic();
    await publish(await broker.connect(), topic, 'retained', { retain: true, qos: 1 });
    const sub = await broker.connect();
    await subscribe(sub, topic, 1);
    expect(text(await receive(sub))).toBe('retained');
    await subscribe(sub, topic, 1);
    const again = await receive(sub);
    expect({ payload: text(again), retain: again.retain }).toEqual({ payload: 'retained', retain: true });
    await publish(sub, topic, '', { retain: true });
  });

  it('[MQTT-3.8.4-4] several filters in one SUBSCRIBE act as several SUBSCRIBEs, answered by one SUBACK', async () => {
    const base = uniqueTopic();
    const sub = await broker.connect();
    expect(
      await subscribe(sub, [
        [`${base}/a`, 0],
        [`${base}/b`, 1],
        [`${base}/c`, 2],
      ]),
    ).toEqual([0, 1, 2]);
    const pub = await broker.connect();
    for (const leaf of ['a', 'b', 'c']) await publish(pub, `${base}/${leaf}`, leaf, { qos: 2 });
    const got = [];
    for (let i = 0; i < 3; i++) {
      const m = await receive(sub);
      got.push([text(m), m.qos]);
    }
    expect(got).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('[MQTT-3.8.4-5] the SUBACK holds a return code for each topic filter', () =>
    broker.bytes({
      name: 'codes',
      then: 'open',
      steps: [send('82 0E 0101 0001 61 02 0001 62 01 0001 63 00'), recv('90 05 0101 02 01 00')],
    }));

  for (const [subQos, pubQos] of [
    [0, 1],
    [0, 2],
    [1, 2],
    [2, 1],
    [1, 0],
  ] as const) {
    it(`[MQTT-3.8.4-6] granted QoS ${subQos}, published QoS ${pubQos}: delivered at QoS ${Math.min(subQos, pubQos)}`, async () => {
      const topic = uniqueTopic();
      const sub = await broker.connect();
      await subscribe(sub, topic, subQos);
      await publish(await broker.connect(), topic, 'q', { qos: pubQos });
      expect((await receive(sub)).qos).toBe(Math.min(subQos, pubQos));
    });
  }
});
