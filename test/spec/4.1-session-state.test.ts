// Test whether a persistent session keeps its subscriptions and QoS 1 and 2 messages while its client is away, a clean session starts empty and leaves nothing behind, and retained messages outlive sessions (MQTT 3.1.1 sections 3.1.2.4 and 4.1).
import { describe, expect, it } from 'vitest';
import { publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker({ maxQueuedMessages: 5 });

/** A persistent session subscribed to `topic` at `qos`, left by DISCONNECT. */
async function awaySession(topic: string, qos: 0 | 1 | 2 = 2): Promise<string> {
  const clientId = uniqueId('s');
  const client = await broker.connect({ clientId, clean: false });
  await subscribe(client, topic, qos);
  await client.disconnect();
  return clientId;
}

describe('section 3.1.2.4: Clean Session', () => {
  it('[MQTT-3.1.2-4] [MQTT-3.1.3-2] CleanSession 0: the session the client id identifies, with its subscriptions, is resumed by the next connection', async () => {
    const topic = uniqueTopic();
    const clientId = await awaySession(topic);
    const back = await broker.connect({ clientId, clean: false });
    await publish(await broker.connect(), topic, 'resumed', { qos: 1 });
    expect(text(await receive(back))).toBe('resumed');
  });

  it('[MQTT-3.1.2-5] QoS 1 and QoS 2 messages published while the client is away are stored and delivered when it returns', async () => {
    const topic = uniqueTopic();
    const clientId = await awaySession(topic);
    const pub = await broker.connect();
    await publish(pub, topic, 'q1', { qos: 1 });
    await publish(pub, topic, 'q2', { qos: 2 });
    const back = await broker.connect({ clientId, clean: false });
    const got = [await receive(back), await receive(back)].map((m) => [text(m), m.qos]);
    expect(got).toEqual([
      ['q1', 1],
      ['q2', 2],
    ]);
  });

  it('[MQTT-3.1.2-5] QoS 0 messages are not stored for a client that is away (docs/CONFORMANCE.md)', async () => {
    const topic = uniqueTopic();
    const clientId = await awaySession(topic);
    const pub = await broker.connect();
    await publish(pub, topic, 'q0', { qos: 0 });
    await publish(pub, topic, 'q1', { qos: 1 });
    const back = await broker.connect({ clientId, clean: false });
    expect(text(await receive(back))).toBe('q1');
    await back.nothingFor(200);
  });

  it('[MQTT-3.1.2-6] [MQTT-3.1.4-3] CleanSession 1 discards the previous session: no subscriptions, no stored messages', async () => {
    const topic = uniqueTopic();
    const clientId = await awaySession(topic);
    const pub = await broker.connect();
    await publish(pub, topic, 'stored', { qos: 1 });
    const clean = await broker.connect({ clientId, clean: true });
    await publish(pub, topic, 'after', { qos: 1 });
    await clean.nothingFor(300);
  });

  it('[MQTT-3.1.2-6] state of a CleanSession 1 session is not reused: a later CleanSession 0 connection starts afresh', async () => {
    const topic = uniqueTopic();
    const clientId = uniqueId('s');
    const clean = await broker.connect({ clientId, clean: true });
    await subscribe(clean, topic, 1);
    await clean.disconnect();
    const next = await broker.open();
    const connack = await next.handshake({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId,
      clean: false,
      keepalive: 0,
    });
    expect(connack.sessionPresent).toBe(false);
    await publish(await broker.connect(), topic, 'x', { qos: 1 });
    await next.nothingFor(300);
  });

  it('[MQTT-3.1.2-7] retained messages are not part of the session: they stay when the session that published them ends', async () => {
    const topic = uniqueTopic();
    const publisher = await broker.connect({ clean: true });
    await publish(publisher, topic, 'stays', { retain: true, qos: 1 });
    await publisher.disconnect();
    const sub = await broker.connect();
    await subscribe(sub, topic);
    expect(text(await receive(sub))).toBe('stays');
    await publish(sub, topic, '', { retain: true });
  });
});

describe('section 4.1: storing state', () => {
  it('[MQTT-4.1.0-1] a session taken over by a new connection keeps its state (subscriptions, Session Present 1)', async () => {
    const topic = uniqueTopic();
    const clientId = uniqueId('s');
    const first = await broker.connect({ clientId, clean: false });
    await subscribe(first, topic, 1);
    const second = await broker.open();
    const connack = await second.handshake({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId,
      clean: false,
      keepalive: 0,
    });
    expect(connack.sessionPresent).toBe(true);
    await first.closed();
    await publish(await broker.connect(), topic, 'taken over', { qos: 1 });
    expect(text(await receive(second))).toBe('taken over');
  });

  it('[MQTT-4.1.0-2] a clean session lasts as long as its network connection: it still receives after a pause', async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect({ clean: true });
    await subscribe(sub, topic);
    await sub.nothingFor(1000);
    await publish(await broker.connect(), topic, 'later');
    expect(text(await receive(sub))).toBe('later');
  });

  it('the messages kept for a client that is away are bounded (5 here): the oldest are kept (docs/CONFORMANCE.md)', async () => {
    const topic = uniqueTopic();
    const clientId = await awaySession(topic, 1);
    const pub = await broker.connect();
    for (let i = 0; i < 8; i++) await publish(pub, topic, `m${i}`, { qos: 1 });
    const back = await broker.connect({ clientId, clean: false });
    const got = [];
    for (let i = 0; i < 5; i++) got.push(text(await receive(back)));
    expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    await back.nothingFor(300);
  });
});
