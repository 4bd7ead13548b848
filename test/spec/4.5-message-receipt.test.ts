// Test whether a message the broker takes ownership of reaches every matching subscription, connected or away, and no other (MQTT 3.1.1 section 4.5).
import { describe, expect, it } from 'vitest';
import { publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

describe('[MQTT-4.5.0-1] the server MUST add an incoming Application Message to the Session state of every client with a matching subscription', () => {
  it('[MQTT-4.5.0-1] every connected client with a matching subscription gets the message, others do not', async () => {
    const base = uniqueTopic();
    const filters = [`${base}/a/b`, `${base}/+/b`, `${base}/#`, `${base}/a/+`];
    const matching = [];
    for (const f of filters) {
      const c = await broker.connect();
      await subscribe(c, f, 1);
      matching.push(c);
    }
    const other = await broker.connect();
    await subscribe(other, [
      [`${base}/a`, 1],
      [`${base}/a/b/c`, 1],
      [`${base}/b/+`, 1],
    ]);
    const pub = await broker.connect();
    await publish(pub, `${base}/a/b`, 'fan-out', { qos: 1 });
    for (const c of matching) expect(text(await receive(c))).toBe('fan-out');
    await publish(pub, `${base}/a`, 'marker', { qos: 1 });
    expect(text(await receive(other))).toBe('marker');
  });

  it('[MQTT-4.5.0-1] a client that is away gets it when it comes back, next to one that was connected', async () => {
    const topic = uniqueTopic();
    const awayId = uniqueId('a');
    const away = await broker.connect({ clientId: awayId, clean: false });
    await subscribe(away, topic, 2);
    await away.disconnect();
    const present = await broker.connect();
    await subscribe(present, topic, 2);
    await publish(await broker.connect(), topic, 'for both', { qos: 2 });
    expect(text(await receive(present))).toBe('for both');
    const back = await broker.connect({ clientId: awayId, clean: false });
    expect(text(await receive(back))).toBe('for both');
  });

  it('[MQTT-4.5.0-1] the publisher gets its own message when it has a matching subscription', async () => {
    const topic = uniqueTopic();
    const client = await broker.connect();
    await subscribe(client, topic, 1);
    await publish(client, topic, 'echo', { qos: 1 });
    expect(text(await receive(client))).toBe('echo');
  });

  it('section 4.5: while a QoS 1 message awaits the PUBACK the client owes [MQTT-4.5.0-2], later QoS 0 messages still flow', async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, topic, 1);
    const pub = await broker.connect();
    await publish(pub, topic, 'unacked', { qos: 1 });
    const held = await sub.expect('publish');
    await publish(pub, topic, 'q0', { qos: 0 });
    expect(text(await sub.expect('publish'))).toBe('q0');
    sub.send({ cmd: 'puback', messageId: held.messageId! });
    await sub.ping();
  });
});
