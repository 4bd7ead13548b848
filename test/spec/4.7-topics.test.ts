// Test whether topic names and filters are validated, matched with "+" and "#", kept apart from "$" topics and compared without any normalisation (MQTT 3.1.1 section 4.7).
import { describe, expect, it } from 'vitest';
import { publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

/**
 * Subscribes to `filter` under a fresh prefix, publishes each topic under it and then a marker the
 * subscriber also gets, and returns what arrived before the marker (MQTTZoo keeps one publisher's
 * messages in order across topics: DESIGN.md, promise 2).
 */
async function matches(filter: string, topics: string[]): Promise<string[]> {
  const prefix = uniqueTopic();
  const marker = `${prefix}-marker`;
  const sub = await broker.connect();
  await subscribe(sub, [
    [`${prefix}${filter}`, 0],
    [marker, 0],
  ]);
  const pub = await broker.connect();
  for (const t of topics) await publish(pub, `${prefix}${t}`, t);
  await publish(pub, marker, marker);
  const got: string[] = [];
  for (let m = text(await receive(sub)); m !== marker; m = text(await receive(sub))) got.push(m);
  return got;
}

describe('[MQTT-4.7.1-2] the multi-level wildcard "#" matches a level and all below it', () => {
  it('[MQTT-4.7.1-2] "/sport/tennis/player1/#" matches the parent and every level below', async () => {
    const topics = [
      '/sport/tennis/player1',
      '/sport/tennis/player1/ranking',
      '/sport/tennis/player1/score/wimbledon',
      '/sport/tennis',
    ];
    expect(await matches('/sport/tennis/player1/#', topics)).toEqual(topics.slice(0, 3));
  });
  it('[MQTT-4.7.1-2] "/sport/#" also matches "/sport"', async () => {
    expect(await matches('/sport/#', ['/sport', '/sport/x', '/sports'])).toEqual(['/sport', '/sport/x']);
  });
  for (const filter of ['sport/tennis#', 'sport/tennis/#/ranking', '#/a', 'a/##']) {
    it(`[MQTT-4.7.1-2] "${filter}" is not a valid filter: the SUBSCRIBE closes the connection (docs/CONFORMANCE.md)`, async () => {
      const client = await broker.connect();
      client.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos: 0 }] });
      expect(await client.closed()).toEqual([]);
    });
  }
});

describe('[MQTT-4.7.1-3] the single-level wildcard "+" MUST occupy an entire level', () => {
  it('[MQTT-4.7.1-3] "/sport/tennis/+" matches one level only', async () => {
    expect(
      await matches('/sport/tennis/+', [
        '/sport/tennis/player1',
        '/sport/tennis/player1/ranking',
        '/sport/tennis',
      ]),
    ).toEqual(['/sport/tennis/player1']);
  });
  it('[MQTT-4.7.1-3] "/sport/+" does not match "/sport" but matches "/sport/"', async () => {
    expect(await matches('/sport/+', ['/sport', '/sport/'])).toEqual(['/sport/']);
  });
  it('[MQTT-4.7.1-3] "+/+" and "/+" match "/finance"; "+" does not', async () => {
    const prefix = uniqueTopic().replace(/\//g, '_');
    const sub = await broker.connect();
    await subscribe(sub, [[`+/+/${prefix}`, 0]]);
    const plain = await broker.connect();
    await subscribe(plain, [[`+`, 0]]);
    await publish(await broker.connect(), `/finance/${prefix}`, 'f');
    expect(text(await receive(sub))).toBe('f');
    await plain.nothingFor(200);
  });
  it('[MQTT-4.7.1-3] "+" may be used at several levels and with "#": "+/tennis/#" matches "sport/tennis/player1/ranking"', async () => {
    expect(await matches('/+/tennis/#', ['/sport/tennis/player1/ranking', '/sport/golf/x'])).toEqual([
      '/sport/tennis/player1/ranking',
    ]);
  });
  for (const filter of ['sport+', 'sport/+tennis', '+a', 'a/b+/c']) {
    it(`[MQTT-4.7.1-3] "${filter}" is not a valid filter: the SUBSCRIBE closes the connection (docs/CONFORMANCE.md)`, async () => {
      const client = await broker.connect();
      client.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos: 0 }] });
      expect(await client.closed()).toEqual([]);
    });
  }
});

describe('[MQTT-4.7.2-1] the server MUST NOT match filters starting with a wildcard with topic names starting with "$"', () => {
  it('[MQTT-4.7.2-1] "#" and "+/..." do not match topics starting with "$", "$x/#" does', async () => {
    const leaf = uniqueTopic().replace(/\//g, '_');
    const hash = await broker.connect();
    await subscribe(hash, '#');
    const plus = await broker.connect();
    await subscribe(plus, [
      [`+/${leaf}`, 0],
      [`+/+/${leaf}`, 0],
    ]);
    const dollar = await broker.connect();
    await subscribe(dollar, `$x/#`);
    const pub = await broker.connect();
    await publish(pub, `$x/${leaf}`, 'dollar', { qos: 1 });
    await publish(pub, `$TopicA/y/${leaf}`, 'paho', { qos: 1 });
    expect((await receive(dollar)).topic).toBe(`$x/${leaf}`);
    await publish(pub, `ordinary/${leaf}`, 'marker', { qos: 1 });
    expect(text(await receive(hash))).toBe('marker');
    expect(text(await receive(plus))).toBe('marker');
  });
  it('[MQTT-4.7.2-1] a retained "$" message is not sent to a new "#" subscription', async () => {
    const leaf = uniqueTopic().replace(/\//g, '_');
    const pub = await broker.connect();
    await publish(pub, `$retained/${leaf}`, 'r', { retain: true });
    const sub = await broker.connect();
    await subscribe(sub, '#');
    await sub.nothingFor(300);
    await publish(pub, `$retained/${leaf}`, '', { retain: true });
  });
});

describe('section 4.7.3: topic semantics and usage', () => {
  it('[MQTT-4.7.3-1] a PUBLISH with an empty topic name closes the connection', async () => {
    const client = await broker.connect();
    client.sendBytes('30 04 0000 6869');
    expect(await client.closed()).toEqual([]);
  });
  it('[MQTT-4.7.3-2] a topic name holding U+0000 closes the connection', async () => {
    const client = await broker.connect();
    client.sendBytes('30 07 0003 610062 6869');
    expect(await client.closed()).toEqual([]);
  });
  it('[MQTT-4.7.3-3] topic names and filters of 65535 bytes are accepted and matched', async () => {
    const topic = `${uniqueTopic()}/`.padEnd(65535, 'z');
    expect(Buffer.byteLength(topic)).toBe(65535);
    const sub = await broker.connect();
    await subscribe(sub, topic);
    await publish(await broker.connect(), topic, 'long');
    expect((await receive(sub)).topic).toBe(topic);
  });
  it('[MQTT-4.7.3-4] no normalisation: case, spaces, empty levels, trailing "/" and Unicode forms all make distinct topics', async () => {
    const variants = [
      '/Accounts',
      '/ACCOUNTS',
      '/accounts ',
      '/ accounts',
      '//accounts',
      '/accounts/',
      '/caf\u00e9',
      '/cafe\u0301',
    ];
    for (const v of variants) expect(await matches(v, variants)).toEqual([v]);
  });
});
