// Test whether UNSUBSCRIBE removes exactly the subscriptions it names, lets deliveries in flight finish, is always answered, and closes the connection when malformed (MQTT 3.1.1 section 3.10).
import { describe, expect, it } from 'vitest';
import {
  nextPublish,
  publish,
  receive,
  subscribe,
  text,
  uniqueTopic,
  unsubscribe,
} from '../support/flows.js';
import { recv, send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

const closes = (bytes: string) => () => broker.bytes({ name: bytes, steps: [send(bytes)] });

describe('section 3.10.1 and 3.10.3: a well-formed UNSUBSCRIBE', () => {
  for (const first of ['A0', 'A1', 'A3', 'A4', 'A6', 'AA']) {
    it(
      `[MQTT-3.10.1-1] UNSUBSCRIBE with first byte 0x${first} is malformed: the connection closes`,
      closes(`${first} 05 1234 0001 70`),
    );
  }
  it(
    '[MQTT-3.10.3-1] a topic filter that is not UTF-8 closes the connection',
    closes('A2 09 1234 0005 746FEDA080'),
  );
  it(
    '[MQTT-3.10.3-1] a topic filter holding U+0000 closes the connection',
    closes('A2 09 1234 0005 746F700070'),
  );
  it(
    '[MQTT-3.10.3-2] an UNSUBSCRIBE with no topic filter is a protocol violation: the connection closes',
    closes('A2 02 1234'),
  );
  it('a truncated topic filter is malformed: the connection closes', closes('A2 04 1234 0001'));
  it(
    'an empty topic filter [MQTT-4.7.3-1] closes the connection (docs/CONFORMANCE.md)',
    closes('A2 07 1234 0000 0001 71'),
  );
  it(
    'an invalid topic filter "a/#/b" [MQTT-4.7.1-2] closes the connection (docs/CONFORMANCE.md)',
    closes('A2 09 1234 0005 612F232F62'),
  );
});

/** A subscriber with `filters`, a publisher, and a way to see what the subscriber still gets. */
async function setup(filters: string[]) {
  const sub = await broker.connect();
  for (const f of filters) await subscribe(sub, f, 1);
  return { sub, pub: await broker.connect() };
}

describe('section 3.10.4: response', () => {
  it('[MQTT-3.10.4-1] filters are compared character by character: only an identical filter is removed', async () => {
    const base = uniqueTopic();
    const { sub, pub } = await setup([`${base}/+`]);
    await unsubscribe(sub, [`${base}/x`, `${base}/#`, `${base.toUpperCase()}/+`, `${base}/+/`]);
    await publish(pub, `${base}/x`, 'still subscribed');
    expect(text(await receive(sub))).toBe('still subscribed');
    await unsubscribe(sub, [`${base}/+`]);
    await publish(pub, `${base}/x`, 'gone');
    await sub.nothingFor(300);
  });

  it('[MQTT-3.10.4-2] after UNSUBACK the server adds no new messages for the removed subscription', async () => {
    const base = uniqueTopic();
    const { sub, pub } = await setup([`${base}/a`, `${base}/b`]);
    await unsubscribe(sub, [`${base}/a`]);
    await publish(pub, `${base}/a`, 'removed');
    await publish(pub, `${base}/b`, 'marker');
    expect(text(await receive(sub))).toBe('marker');
  });

  it('[MQTT-3.10.4-3] a QoS 1 delivery started before UNSUBSCRIBE completes: the PUBACK is taken afterwards', async () => {
    const topic = uniqueTopic();
    const { sub, pub } = await setup([topic]);
    await publish(pub, topic, 'in flight', { qos: 1 });
    const m = await nextPublish(sub);
    await unsubscribe(sub, [topic]);
    sub.send({ cmd: 'puback', messageId: m.messageId! });
    await sub.ping();
  });

  it('[MQTT-3.10.4-3] a QoS 2 delivery started before UNSUBSCRIBE completes: PUBREL still follows PUBREC', async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, topic, 2);
    await publish(await broker.connect(), topic, 'in flight', { qos: 2 });
    const m = await nextPublish(sub);
    await unsubscribe(sub, [topic]);
    sub.send({ cmd: 'pubrec', messageId: m.messageId! });
    expect((await sub.expect('pubrel')).messageId).toBe(m.messageId);
    sub.send({ cmd: 'pubcomp', messageId: m.messageId! });
    await sub.ping();
  });

  it('[MQTT-3.10.4-3] an unacknowledged QoS 1 message of a removed subscription is still redelivered to the resumed session', async () => {
    const topic = uniqueTopic();
    const clientId = `u${Date.now()}`;
    const sub = await broker.connect({ clientId, clean: false });
    await subscribe(sub, topic, 1);
    await publish(await broker.connect(), topic, 'owed', { qos: 1 });
    const first = await nextPublish(sub);
    await unsubscribe(sub, [topic]);
    await sub.disconnect();
    const again = await broker.connect({ clientId, clean: false });
    const m = await receive(again);
    expect({ payload: text(m), dup: m.dup, id: m.messageId }).toEqual({
      payload: 'owed',
      dup: true,
      id: first.messageId,
    });
    await again.disconnect();
    await (await broker.connect({ clientId, clean: true })).disconnect();
  });

  it('[MQTT-3.10.4-4] the server answers with an UNSUBACK holding the UNSUBSCRIBE packet id', () =>
    broker.bytes({
      name: 'unsuback',
      then: 'open',
      steps: [
        send('82 06 7777 0001 70 01'),
        recv('90 03 7777 01'),
        send('A2 05 7778 0001 70'),
        recv('B0 02 7778'),
      ],
    }));

  it('[MQTT-3.10.4-5] even when no subscription is deleted the server answers with an UNSUBACK', () =>
    broker.bytes({ name: 'none', then: 'open', steps: [send('A2 05 0042 0001 7A'), recv('B0 02 0042')] }));

  it('[MQTT-3.10.4-6] several filters in one UNSUBSCRIBE are handled as a sequence, with one UNSUBACK', async () => {
    const base = uniqueTopic();
    const { sub, pub } = await setup([`${base}/a`, `${base}/b`, `${base}/c`]);
    sub.send({
      cmd: 'unsubscribe',
      messageId: 5,
      unsubscriptions: [`${base}/a`, `${base}/b`, `${base}/none`],
    });
    expect((await sub.expect('unsuback')).messageId).toBe(5);
    for (const leaf of ['a', 'b', 'c']) await publish(pub, `${base}/${leaf}`, leaf);
    expect(text(await receive(sub))).toBe('c');
    await sub.nothingFor(200);
  });
});
