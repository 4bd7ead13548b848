// Test whether the broker publishes a client's will when its connection ends in any way but DISCONNECT, with the will's QoS and retain flag, and only then (MQTT 3.1.1 sections 3.1.2.5-3.1.2.7).
import type { IConnectPacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { nextPublish, publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import type { RawClient } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

const willOf = (topic: string, over: Partial<NonNullable<IConnectPacket['will']>> = {}) => ({
  will: { topic, payload: Buffer.from('gone'), qos: 0 as const, retain: false, ...over },
});

/** A subscriber on `topic`, and a client whose will goes to `topic`. */
async function pair(
  topic: string,
  will: Partial<NonNullable<IConnectPacket['will']>> = {},
  subQos: 0 | 1 | 2 = 2,
) {
  const watcher = await broker.connect();
  await subscribe(watcher, topic, subQos);
  const client = await broker.connect(willOf(topic, will));
  return { watcher, client };
}

describe('[MQTT-3.1.2-8] the Will Message MUST be published when the Network Connection is closed, unless deleted on DISCONNECT', () => {
  it('[MQTT-3.1.2-8] the will is published when the client drops the connection without DISCONNECT', async () => {
    const topic = uniqueTopic();
    const { watcher, client } = await pair(topic);
    client.destroy();
    const will = await receive(watcher);
    expect({ topic: will.topic, payload: text(will), retain: will.retain }).toEqual({
      topic,
      payload: 'gone',
      retain: false,
    });
  });

  it('[MQTT-3.1.2-8] the will is published when the server closes the connection on a protocol violation', async () => {
    const topic = uniqueTopic();
    const { watcher, client } = await pair(topic);
    client.sendBytes('C1 00'); // a PINGREQ with reserved flags set [MQTT-2.2.2-2]
    await client.closed();
    expect(text(await receive(watcher))).toBe('gone');
  });

  it('[MQTT-3.1.2-8] the will is published when a second connection takes the client id over [MQTT-3.1.4-2]', async () => {
    const topic = uniqueTopic();
    const watcher = await broker.connect();
    await subscribe(watcher, topic);
    const clientId = `w${Date.now()}`;
    const first = await broker.connect({ clientId, ...willOf(topic) });
    await broker.connect({ clientId });
    await first.closed();
    expect(text(await receive(watcher))).toBe('gone');
  });

  it('[MQTT-3.1.2-10] [MQTT-3.14.4-3] the will is not published after DISCONNECT', async () => {
    const topic = uniqueTopic();
    const { watcher, client } = await pair(topic);
    await client.disconnect();
    await watcher.nothingFor(500);
  });

  it('[MQTT-3.1.2-10] a published will is removed: the next connection of that client id has no will', async () => {
    const topic = uniqueTopic();
    const clientId = `r${Date.now()}`;
    const watcher = await broker.connect();
    await subscribe(watcher, topic);
    (await broker.connect({ clientId, ...willOf(topic) })).destroy();
    expect(text(await receive(watcher))).toBe('gone');
    (await broker.connect({ clientId, clean: false })).destroy();
    await watcher.nothingFor(500);
  });

  it('[MQTT-3.1.2-12] with Will Flag 0 nothing is published when the connection ends', async () => {
    const watcher = await broker.connect();
    await subscribe(watcher, '#');
    const clients: RawClient[] = [];
    for (let i = 0; i < 3; i++) clients.push(await broker.connect());
    for (const client of clients) client.destroy();
    await watcher.nothingFor(500);
  });
});

describe('section 3.1.2.6 and 3.1.2.7: Will QoS and Will Retain', () => {
  for (const [willQos, subQos, expected] of [
    [0, 2, 0],
    [1, 2, 1],
    [2, 2, 2],
    [2, 1, 1],
    [1, 0, 0],
  ] as const) {
    it(`a will of QoS ${willQos} reaches a QoS ${subQos} subscription at QoS ${expected} [MQTT-3.8.4-6]`, async () => {
      const topic = uniqueTopic();
      const { watcher, client } = await pair(topic, { qos: willQos }, subQos);
      client.destroy();
      expect((await receive(watcher)).qos).toBe(expected);
    });
  }

  it('[MQTT-3.1.2-16] Will Retain 0: the will is published as a non-retained message', async () => {
    const topic = uniqueTopic();
    const { watcher, client } = await pair(topic, { retain: false });
    client.destroy();
    expect((await receive(watcher)).retain).toBe(false);
    const late = await broker.connect();
    await subscribe(late, topic);
    await publish(await broker.connect(), topic, 'marker');
    expect(text(await nextPublish(late))).toBe('marker');
  });

  it('[MQTT-3.1.2-17] Will Retain 1: the will is published as a retained message', async () => {
    const topic = uniqueTopic();
    const { watcher, client } = await pair(topic, { retain: true, qos: 1 });
    client.destroy();
    const live = await receive(watcher);
    expect(live.retain).toBe(false); // an established subscription [MQTT-3.3.1-9]
    const late = await broker.connect();
    await subscribe(late, topic, 1);
    const retained = await receive(late);
    expect({ payload: text(retained), retain: retained.retain, qos: retained.qos }).toEqual({
      payload: 'gone',
      retain: true,
      qos: 1,
    });
    await publish(late, topic, '', { retain: true }); // clear it
  });
});
