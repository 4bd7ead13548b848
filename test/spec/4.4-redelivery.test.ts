// Test whether a client reconnecting with CleanSession 0 gets its unacknowledged PUBLISH packets again, with DUP 1 and their original packet ids, and PUBREL where PUBREC was already received; and whether inbound QoS 2 state survives the reconnect (MQTT 3.1.1 sections 4.4, 3.3.1.1).
import { describe, expect, it } from 'vitest';
import { nextPublish, publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

/** A persistent subscriber at QoS 2 on a fresh topic that got `payloads` (QoS `qos`) and acknowledged none. */
async function unacknowledged(payloads: string[], qos: 1 | 2) {
  const topic = uniqueTopic();
  const clientId = uniqueId('r');
  const sub = await broker.connect({ clientId, clean: false });
  await subscribe(sub, topic, 2);
  const pub = await broker.connect();
  for (const p of payloads) await publish(pub, topic, p, { qos });
  const first = [];
  for (let i = 0; i < payloads.length; i++) first.push(await nextPublish(sub));
  return { topic, clientId, sub, pub, first };
}

describe('[MQTT-4.4.0-1] on reconnect with CleanSession 0 the server MUST re-send unacknowledged PUBLISH and PUBREL packets with their original packet ids', () => {
  for (const qos of [1, 2] as const) {
    it(`[MQTT-4.4.0-1] [MQTT-3.3.1-1] unacknowledged QoS ${qos} messages come again with DUP 1 and the same packet ids`, async () => {
      const { clientId, sub, first } = await unacknowledged(['a', 'b', 'c'], qos);
      expect(first.every((m) => !m.dup)).toBe(true);
      sub.destroy();
      const back = await broker.connect({ clientId, clean: false });
      const again = [];
      for (let i = 0; i < 3; i++) again.push(await receive(back));
      expect(again.map((m) => [text(m), m.messageId, m.dup, m.qos])).toEqual(
        first.map((m) => [text(m), m.messageId, true, qos]),
      );
    });
  }

  it('[MQTT-4.4.0-1] [MQTT-4.3.3-1] a QoS 2 message that got PUBREC is finished with PUBREL, not sent again', async () => {
    const { clientId, sub, first } = await unacknowledged(['x'], 2);
    const id = first[0]!.messageId!;
    sub.send({ cmd: 'pubrec', messageId: id });
    expect((await sub.expect('pubrel')).messageId).toBe(id);
    sub.destroy();
    const back = await broker.connect({ clientId, clean: false });
    expect((await back.expect('pubrel')).messageId).toBe(id);
    back.send({ cmd: 'pubcomp', messageId: id });
    await back.nothingFor(300);
  });

  it('[MQTT-4.4.0-1] an acknowledged message is not sent again', async () => {
    const { clientId, sub, first } = await unacknowledged(['acked', 'not acked'], 1);
    sub.send({ cmd: 'puback', messageId: first[0]!.messageId! });
    await sub.ping();
    await sub.disconnect();
    const back = await broker.connect({ clientId, clean: false });
    expect(text(await receive(back))).toBe('not acked');
    await back.nothingFor(300);
  });

  it('[MQTT-3.1.2-6] a reconnect with CleanSession 1 gets nothing again', async () => {
    const { clientId, sub } = await unacknowledged(['lost'], 1);
    sub.destroy();
    const back = await broker.connect({ clientId, clean: true });
    await back.nothingFor(300);
  });
});

describe('inbound QoS 2 state is part of the session [MQTT-4.1.0-1], [MQTT-4.3.3-2]', () => {
  it('a QoS 2 PUBLISH re-sent after a reconnect, before PUBREL, gets PUBREC and is not delivered twice', async () => {
    const topic = uniqueTopic();
    const watcher = await broker.connect();
    await subscribe(watcher, topic, 2);
    const clientId = uniqueId('p');
    const pub = await broker.connect({ clientId, clean: false });
    const publish2 = {
      cmd: 'publish' as const,
      topic,
      payload: Buffer.from('once'),
      qos: 2 as const,
      messageId: 11,
      retain: false,
    };
    pub.send({ ...publish2, dup: false });
    expect((await pub.expect('pubrec')).messageId).toBe(11);
    pub.destroy();
    const back = await broker.connect({ clientId, clean: false });
    back.send({ ...publish2, dup: true });
    expect((await back.expect('pubrec')).messageId).toBe(11);
    back.send({ cmd: 'pubrel', messageId: 11 });
    expect((await back.expect('pubcomp')).messageId).toBe(11);
    expect(text(await receive(watcher))).toBe('once');
    await publish(back, topic, 'marker', { qos: 2 });
    expect(text(await receive(watcher))).toBe('marker');
  });

  it('paho "redelivery on reconnect": a client that stops reading gets its own QoS 1 and 2 messages exactly once after reconnecting', async () => {
    const base = uniqueTopic();
    const clientId = uniqueId('b');
    const client = await broker.connect({ clientId, clean: false });
    await subscribe(client, `${base}/#`, 2);
    client.send({
      cmd: 'publish',
      topic: `${base}/B`,
      payload: Buffer.alloc(0),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    });
    client.send({
      cmd: 'publish',
      topic: `${base}/C`,
      payload: Buffer.alloc(0),
      qos: 2,
      messageId: 2,
      dup: false,
      retain: false,
    });
    await client.nextOf('puback', 1);
    await client.nextOf('pubrec', 2);
    client.destroy(); // never sent PUBREL, never acknowledged what it received
    const back = await broker.connect({ clientId, clean: false });
    back.send({
      cmd: 'publish',
      topic: `${base}/C`,
      payload: Buffer.alloc(0),
      qos: 2,
      messageId: 2,
      dup: true,
      retain: false,
    });
    await back.nextOf('pubrec', 2);
    back.send({ cmd: 'pubrel', messageId: 2 });
    await back.nextOf('pubcomp', 2);
    const topics = [(await receive(back)).topic, (await receive(back)).topic].sort();
    expect(topics).toEqual([`${base}/B`, `${base}/C`]);
    await back.nothingFor(500);
  });
});
