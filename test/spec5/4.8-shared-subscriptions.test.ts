// Test whether shared subscriptions work as MQTT 5.0 section 4.8.2 says: each message matching a share goes to exactly one session of the group, each group on a filter gets its own copy, no retained messages on a shared subscription, offline persistent members keep what they were given, and malformed shares are a Protocol Error (MQTT 5.0 section 4.8.2).
import type { IPublishPacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { subscribe, text, uniqueTopic } from '../support/flows.js';
import { collect } from '../support/paho.js';
import { connectPacket, uniqueId, type RawClient } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, open5, publish5, str, subscribe5 } from '../support/v5.js';

const broker = specBroker({}, { concurrent: true });
const disconnects = (bytes: string, rc: string) => () =>
  broker.bytes({ name: bytes, version: 5, steps: [send(bytes), recv(`E0 01 ${rc}`)] });
const sub = (filter: string, options = '00'): string => frame('82', `0001 00 ${str(filter)} ${options}`);
const texts = (got: IPublishPacket[]): string[] => got.map(text);

/** Two members of one share on a fresh topic. */
async function group(share = 'g'): Promise<{ topic: string; members: RawClient[]; pub: RawClient }> {
  const topic = uniqueTopic();
  const members = [await client5(broker), await client5(broker)];
  for (const m of members) expect(await subscribe5(m, `$share/${share}/${topic}`, { qos: 1 })).toEqual([1]);
  return { topic, members, pub: await client5(broker) };
}

describe.concurrent('section 4.8.2: shared subscriptions', () => {
  it('section 3.2.2.3.18: CONNACK says Shared Subscription Available', async () => {
    expect((await open5(broker)).connack.properties?.sharedSubscriptionAvailable).not.toBe(false);
  });
  it('section 4.8.2: each message goes to exactly one member, and the members take turns', async () => {
    const { topic, members, pub } = await group();
    const sent = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (const m of sent) await publish5(pub, topic, m, { qos: 1 });
    const [a, b] = [texts(await collect(members[0]!)), texts(await collect(members[1]!))];
    expect([...a, ...b].sort()).toEqual([...sent].sort());
    expect([a.length, b.length]).toEqual([5, 5]);
  });
  it('section 4.8.2: each share on the same filter gets its own copy, and so does an ordinary subscription', async () => {
    const topic = uniqueTopic();
    const one = await client5(broker);
    const two = await client5(broker);
    expect(
      await subscribe5(one, [
        { topic: `$share/one/${topic}`, qos: 1 },
        { topic, qos: 0 },
      ]),
    ).toEqual([1, 0]);
    expect(await subscribe5(two, `$share/two/${topic}`, { qos: 2 })).toEqual([2]);
    await publish5(await client5(broker), topic, 'x', { qos: 2 });
    const got = await collect(one);
    expect(got.map((p) => p.qos).sort()).toEqual([0, 1]); // the share at QoS 1, the plain one at QoS 0
    expect((await collect(two)).map((p) => p.qos)).toEqual([2]);
  });
  it('section 4.8.2: a shared subscription with a wildcard filter matches like the filter', async () => {
    const base = uniqueTopic();
    const member = await client5(broker);
    expect(await subscribe5(member, `$share/g/${base}/+/x`, { qos: 0 })).toEqual([0]);
    const pub = await client5(broker);
    await publish5(pub, `${base}/a/x`, 'yes');
    await publish5(pub, `${base}/a/y`, 'no');
    expect(texts(await collect(member))).toEqual(['yes']);
  });
  it('section 3.3.1.3: retained messages are sent when a non-shared subscription is made, never for a shared one', async () => {
    const topic = uniqueTopic();
    await publish5(await client5(broker), topic, 'kept', { qos: 1, retain: true });
    const member = await client5(broker);
    expect(
      await subscribe5(member, [
        { topic: `$share/g/${topic}`, qos: 1 },
        { topic: `${topic}/other`, qos: 1 },
      ]),
    ).toEqual([1, 1]);
    await member.nothingFor(300);
    const plain = await client5(broker);
    await subscribe5(plain, topic, { qos: 1 });
    expect(texts(await collect(plain))).toEqual(['kept']); // the message is retained all right
  });
  it('section 3.8.2.1.2: a shared delivery carries the Subscription Identifier of its subscription', async () => {
    const topic = uniqueTopic();
    const member = await client5(broker);
    await subscribe5(member, `$share/g/${topic}`, { qos: 1, id: 42 });
    await publish5(await client5(broker), topic, 'x', { qos: 1 });
    const [got] = await collect(member);
    expect(got?.properties?.subscriptionIdentifier).toEqual(42);
  });
  it('section 4.8.2: a member that disconnects leaves the share; the others get everything', async () => {
    const { topic, members, pub } = await group();
    await members[0]!.disconnect();
    for (const m of ['a', 'b', 'c']) await publish5(pub, topic, m, { qos: 1 });
    expect(texts(await collect(members[1]!))).toEqual(['a', 'b', 'c']);
  });
  it('section 4.8.2: a member that unsubscribes leaves the share (UNSUBACK 0x00)', async () => {
    const { topic, members, pub } = await group();
    const m0 = members[0]!;
    m0.send({ cmd: 'unsubscribe', messageId: 9, unsubscriptions: [`$share/g/${topic}`] });
    expect((await m0.nextOf('unsuback', 9)).granted).toEqual([0]);
    for (const m of ['a', 'b']) await publish5(pub, topic, m, { qos: 1 });
    expect(texts(await collect(members[1]!))).toEqual(['a', 'b']);
    await m0.nothingFor(200);
  });
  it('section 4.8.2: connected members are preferred; a persistent member offline keeps what it was given only when none is connected', async () => {
    const topic = uniqueTopic();
    const clientId = uniqueId();
    const session = { clientId, clean: false, properties: { sessionExpiryInterval: 60 } };
    const persistent = await client5(broker, session);
    await subscribe5(persistent, `$share/g/${topic}`, { qos: 1 });
    const live = await client5(broker);
    await subscribe5(live, `$share/g/${topic}`, { qos: 1 });
    await persistent.disconnect();
    const pub = await client5(broker);
    await publish5(pub, topic, 'to live', { qos: 1 });
    expect(texts(await collect(live))).toEqual(['to live']);
    await live.disconnect();
    await publish5(pub, topic, 'queued', { qos: 1 });
    const back = await open5(broker, session);
    expect(back.connack.sessionPresent).toBe(true);
    expect(texts(await collect(back.client))).toEqual(['queued']);
  });
  it('[MQTT-3.8.4-3] a SUBSCRIBE right behind one with a shared filter is answered after it, and its subscription wins', async () => {
    const topic = uniqueTopic();
    const client = await client5(broker);
    const request = (messageId: number, subscriptions: { topic: string; qos: 0 | 1 | 2 }[]) =>
      client.send({ cmd: 'subscribe', messageId, subscriptions });
    request(1, [
      { topic: `$share/g/${topic}/x`, qos: 1 },
      { topic, qos: 2 },
    ]);
    request(2, [{ topic, qos: 0 }]); // replaces the first one's plain subscription
    const order = [await client.expect('suback'), await client.expect('suback')];
    expect(order.map((a) => [a.messageId, a.granted])).toEqual([
      [1, [1, 2]],
      [2, [0]],
    ]);
    await publish5(await client5(broker), topic, 'x', { qos: 2 });
    expect((await collect(client)).map((p) => p.qos)).toEqual([0]);
  });
  it('a 3.1.1 client can be a member too ($share/ as Mosquitto treats it)', async () => {
    const topic = uniqueTopic();
    const old = await broker.connect(connectPacket({ clientId: uniqueId() }));
    await subscribe(old, `$share/g/${topic}`, 1);
    const member = await client5(broker);
    await subscribe5(member, `$share/g/${topic}`, { qos: 1 });
    const pub = await client5(broker);
    for (const m of ['a', 'b']) await publish5(pub, topic, m, { qos: 1 });
    expect([...texts(await collect(old)), ...texts(await collect(member))].sort()).toEqual(['a', 'b']);
  });
  it(
    '[MQTT-4.8.2-1] "$share/" without a share name is a Protocol Error: DISCONNECT 0x82',
    disconnects(sub('$share//t'), '82'),
  );
  it(
    '[MQTT-4.8.2-2] a share name with "+" is a Protocol Error: DISCONNECT 0x82',
    disconnects(sub('$share/+/t'), '82'),
  );
  it(
    '[MQTT-4.8.2-2] a share name not followed by "/" and a filter is a Protocol Error: DISCONNECT 0x82',
    disconnects(sub('$share/p'), '82'),
  );
  it(
    '[MQTT-4.8.2-2] "$share/p/" with an empty filter is a Protocol Error: DISCONNECT 0x82',
    disconnects(sub('$share/p/'), '82'),
  );
  it(
    '[MQTT-4.8.2-2] a share name with "#" breaks the wildcard rules: DISCONNECT 0x81',
    disconnects(sub('$share/#/p'), '81'),
  );
  it(
    '[MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error: DISCONNECT 0x82',
    disconnects(sub('$share/p/t', '04'), '82'),
  );
  it('section 4.8.2: UNSUBSCRIBE of a shared filter never granted gets 0x11', () =>
    broker.bytes({
      name: 'unsub',
      version: 5,
      then: 'open',
      steps: [send(frame('A2', `0002 00 ${str('$share/p/t')}`)), recv('B0 04 0002 00 11')],
    }));
});
