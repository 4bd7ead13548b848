// Test whether the server follows the QoS 0, 1 and 2 protocols both as sender and as receiver, and re-sends unacknowledged messages only on a resumed session, with their packet ids and DUP (MQTT 5.0 sections 4.3 and 4.4).
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, publish5, str } from '../support/v5.js';

const broker = specBroker({}, { concurrent: true });
const resume = (clientId: string) => ({ clientId, clean: false, properties: { sessionExpiryInterval: 60 } });
const id = (n: number): string => n.toString(16).padStart(4, '0');

describe.concurrent('section 4.3: the server as sender', () => {
  it('[MQTT-4.3.2-1] [MQTT-4.3.2-2] [MQTT-2.2.1-4] QoS 1: a non-zero unused packet id, DUP 0; unacknowledged ids are not reused', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 1);
    const pub = await client5(broker);
    for (let i = 0; i < 3; i++) await publish5(pub, topic, `m${i}`, { qos: 1 });
    const got = [await nextPublish(sub), await nextPublish(sub), await nextPublish(sub)];
    const ids = got.map((p) => p.messageId);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((i) => i !== undefined && i > 0)).toBe(true);
    expect(got.every((p) => p.qos === 1 && !p.dup)).toBe(true);
  });
  it('[MQTT-4.3.3-1] [MQTT-4.3.3-2] [MQTT-4.3.3-3] [MQTT-4.3.3-4] [MQTT-4.3.3-5] QoS 2: PUBLISH DUP 0, PUBREL on PUBREC with the same id, done on PUBCOMP', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 2);
    await publish5(await client5(broker), topic, 'x', { qos: 2 });
    const got = await nextPublish(sub);
    expect([got.qos, got.dup]).toEqual([2, false]);
    sub.sendBytes(frame('50', id(got.messageId!)));
    expect(await sub.next()).toMatchObject({ cmd: 'pubrel', messageId: got.messageId });
    sub.sendBytes(frame('70', id(got.messageId!)));
    await sub.nothingFor(300);
  });
  it('[MQTT-4.3.3-6] after PUBREL the server does not send the PUBLISH again, even when a resumed session re-sends', async () => {
    const clientId = uniqueId();
    const topic = uniqueTopic();
    const sub = await client5(broker, resume(clientId));
    await subscribe(sub, topic, 2);
    await publish5(await client5(broker), topic, 'x', { qos: 2 });
    const got = await nextPublish(sub);
    sub.sendBytes(frame('50', id(got.messageId!)));
    await sub.nextOf('pubrel');
    sub.destroy();
    const again = await client5(broker, resume(clientId));
    expect(await again.next()).toMatchObject({ cmd: 'pubrel', messageId: got.messageId }); // [MQTT-4.4.0-1]
    again.sendBytes(frame('70', id(got.messageId!)));
    await again.nothingFor(300);
  });
  it('[MQTT-4.3.3-7] a QoS 2 message already sent is not expired: its flow completes after the interval', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 2);
    await publish5(await client5(broker), topic, 'short', {
      qos: 2,
      properties: { messageExpiryInterval: 1 },
    });
    const got = await nextPublish(sub);
    await new Promise((r) => setTimeout(r, 1300));
    sub.sendBytes(frame('50', id(got.messageId!)));
    expect(await sub.next()).toMatchObject({ cmd: 'pubrel', messageId: got.messageId });
  });
});

describe.concurrent('section 4.3: the server as receiver', () => {
  it('[MQTT-4.3.2-4] [MQTT-4.3.2-5] QoS 1: PUBACK; the same id after PUBACK is a new message', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 1);
    const pub = await client5(broker);
    pub.sendBytes(frame('32', `${str(topic)} 0009 00 61`));
    await pub.nextOf('puback', 9);
    pub.sendBytes(frame('3A', `${str(topic)} 0009 00 62`)); // DUP 1 does not matter
    await pub.nextOf('puback', 9);
    expect([text(await nextPublish(sub)), text(await nextPublish(sub))]).toEqual(['a', 'b']);
  });
  it('[MQTT-4.3.3-8] [MQTT-4.3.3-10] QoS 2: PUBREC; repeats before PUBREL get PUBREC again and are not delivered twice', () =>
    broker.bytes({
      name: 'qos 2 repeats',
      version: 5,
      then: 'open',
      steps: [
        send(frame('34', `${str('t')} 0001 00 61`)),
        recv('50 02 0001'),
        send(frame('3C', `${str('t')} 0001 00 61`)),
        recv('50 02 0001'),
        send(frame('62', '0001')),
        recv('70 02 0001'),
      ],
    }));
  it('[MQTT-4.3.3-11] [MQTT-4.3.3-12] PUBREL gets PUBCOMP; after it the same id is a new message', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 2);
    const pub = await client5(broker);
    for (const payload of ['61', '62']) {
      pub.sendBytes(frame('34', `${str(topic)} 0003 00 ${payload}`));
      await pub.nextOf('pubrec', 3);
      pub.sendBytes(frame('62', '0003'));
      await pub.nextOf('pubcomp', 3);
    }
    const a = await nextPublish(sub);
    sub.sendBytes(frame('50', id(a.messageId!)));
    await sub.nextOf('pubrel');
    sub.sendBytes(frame('70', id(a.messageId!)));
    expect(text(await nextPublish(sub))).toBe('b');
  });
  it('[MQTT-4.3.3-13] the QoS 2 flow completes for a message that expired before it was forwarded', () =>
    broker.bytes({
      name: 'expired qos 2',
      version: 5,
      then: 'open',
      steps: [
        send(frame('34', `${str('t')} 0002 05 0200000000 61`)),
        recv('50 02 0002'),
        send(frame('62', '0002')),
        recv('70 02 0002'),
      ],
    }));
});

describe.concurrent('section 4.4: message delivery retry', () => {
  it('[MQTT-4.4.0-1] [MQTT-3.3.1-1] on resume, unacknowledged PUBLISH are re-sent first, with their ids and DUP 1 (Paho test_redelivery_on_reconnect)', async () => {
    const clientId = uniqueId();
    const base = uniqueTopic();
    const sub = await client5(broker, resume(clientId));
    await subscribe(sub, `${base}/#`, 2);
    const pub = await client5(broker);
    await publish5(pub, `${base}/1`, 'one', { qos: 1 });
    await publish5(pub, `${base}/2`, 'two', { qos: 2 });
    const first = [await nextPublish(sub), await nextPublish(sub)];
    sub.destroy();
    const again = await client5(broker, resume(clientId));
    const resent = [await nextPublish(again), await nextPublish(again)];
    expect(resent.map((p) => [p.messageId, p.dup, text(p)])).toEqual(
      first.map((p) => [p.messageId, true, text(p)]),
    );
  });
  it('[MQTT-4.4.0-1] no re-send within a connection: an unacknowledged message stays unanswered', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 1);
    await publish5(await client5(broker), topic, 'once', { qos: 1 });
    await nextPublish(sub);
    await sub.nothingFor(1000);
  });
});
