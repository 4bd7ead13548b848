// Test whether MQTT.js, a real client library, works with the broker: QoS 0/1/2 both ways, retained messages, wills, persistent sessions with queued messages, wildcards, MQTT 3.1 and 5.0.
import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';
import { uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';

let broker: TestBroker;
const clients: MqttClient[] = [];

beforeAll(async () => {
  broker = await startBroker();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.end(true);
});
afterAll(async () => {
  await broker.stop();
});

interface Received {
  topic: string;
  payload: string;
  packet: IPublishPacket;
}

/** A connected MQTT.js client that records what it receives; `connack` is what the server said. */
async function client(options: IClientOptions = {}) {
  const c = connect(`mqtt://127.0.0.1:${broker.port}`, {
    reconnectPeriod: 0,
    connectTimeout: 3000,
    ...options,
  });
  clients.push(c);
  const inbox: Received[] = [];
  c.on('message', (topic, payload, packet) => inbox.push({ topic, payload: payload.toString(), packet }));
  const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
    c.once('connect', resolve);
    c.once('error', reject);
  });
  /** Waits (bounded) until `n` messages arrived; returns them. */
  const received = async (n: number, ms = 3000): Promise<Received[]> => {
    const deadline = Date.now() + ms;
    while (inbox.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (inbox.length < n) throw new Error(`${inbox.length} of ${n} messages within ${ms} ms`);
    return inbox.slice(0, n);
  };
  return { c, inbox, connack, received };
}

describe('MQTT.js (MQTT 3.1.1)', () => {
  for (const qos of [0, 1, 2] as const) {
    it(`publishes and receives at QoS ${qos}`, async () => {
      const topic = uniqueTopic();
      const sub = await client();
      await sub.c.subscribeAsync(topic, { qos });
      const pub = await client();
      await pub.c.publishAsync(topic, `qos ${qos}`, { qos });
      const [m] = await sub.received(1);
      expect({ payload: m!.payload, qos: m!.packet.qos }).toEqual({ payload: `qos ${qos}`, qos });
    });
  }

  it('gets a retained message on subscribing, and nothing once it is cleared', async () => {
    const topic = uniqueTopic();
    const pub = await client();
    await pub.c.publishAsync(topic, 'retained', { qos: 1, retain: true });
    const first = await client();
    await first.c.subscribeAsync(topic, { qos: 1 });
    const [m] = await first.received(1);
    expect({ payload: m!.payload, retain: m!.packet.retain }).toEqual({ payload: 'retained', retain: true });
    await pub.c.publishAsync(topic, '', { qos: 1, retain: true });
    const second = await client();
    await second.c.subscribeAsync(topic, { qos: 1 });
    await pub.c.publishAsync(topic, 'live', { qos: 1 });
    const [n] = await second.received(1);
    expect({ payload: n!.payload, retain: n!.packet.retain }).toEqual({ payload: 'live', retain: false });
  });

  it('gets the will of a client whose socket is destroyed', async () => {
    const topic = uniqueTopic();
    const watcher = await client();
    await watcher.c.subscribeAsync(topic, { qos: 1 });
    const doomed = await client({ will: { topic, payload: Buffer.from('lost'), qos: 1, retain: false } });
    doomed.c.stream.destroy();
    const [m] = await watcher.received(1);
    expect(m!.payload).toBe('lost');
  });

  it('does not get the will of a client that disconnects cleanly', async () => {
    const topic = uniqueTopic();
    const watcher = await client();
    await watcher.c.subscribeAsync(topic, { qos: 1 });
    const leaving = await client({ will: { topic, payload: Buffer.from('lost'), qos: 1, retain: false } });
    await leaving.c.endAsync();
    await watcher.c.publishAsync(topic, 'marker', { qos: 1 });
    const [m] = await watcher.received(1);
    expect(m!.payload).toBe('marker');
  });

  it('resumes a persistent session and receives the QoS 1 messages queued while it was offline', async () => {
    const topic = uniqueTopic();
    const clientId = uniqueId('js');
    const sub = await client({ clientId, clean: false });
    expect(sub.connack.sessionPresent).toBe(false);
    await sub.c.subscribeAsync(topic, { qos: 1 });
    await sub.c.endAsync();
    const pub = await client();
    for (const p of ['one', 'two', 'three']) await pub.c.publishAsync(topic, p, { qos: 1 });
    const back = await client({ clientId, clean: false });
    expect(back.connack.sessionPresent).toBe(true);
    expect((await back.received(3)).map((m) => m.payload)).toEqual(['one', 'two', 'three']);
  });

  it('matches "+" and "#" wildcards, one copy per message at the highest matching QoS', async () => {
    const base = uniqueTopic();
    const sub = await client();
    await sub.c.subscribeAsync({
      [`${base}/+/c`]: { qos: 1 },
      [`${base}/x/#`]: { qos: 1 },
      [`${base}/#`]: { qos: 0 },
    });
    const pub = await client();
    for (const leaf of ['b/c', 'b/d', 'x', 'x/y/z', 'end'])
      await pub.c.publishAsync(`${base}/${leaf}`, leaf, { qos: 1 });
    const got = await sub.received(5);
    expect(got.map((m) => [m.payload, m.packet.qos])).toEqual([
      ['b/c', 1],
      ['b/d', 0],
      ['x', 1],
      ['x/y/z', 1],
      ['end', 0],
    ]);
  });

  it('connects with MQTT 3.1 ("MQIsdp", level 3)', async () => {
    const topic = uniqueTopic();
    const old = await client({ protocolId: 'MQIsdp', protocolVersion: 3, clientId: uniqueId('v3') });
    await old.c.subscribeAsync(topic, { qos: 2 });
    await old.c.publishAsync(topic, 'from 3.1', { qos: 2 });
    expect((await old.received(1))[0]!.payload).toBe('from 3.1');
  });
});

describe('MQTT.js (MQTT 5.0)', () => {
  it('connects, subscribes and publishes with properties', async () => {
    const topic = uniqueTopic();
    const sub = await client({ protocolVersion: 5 });
    const grants = await sub.c.subscribeAsync(topic, { qos: 1 });
    expect(grants[0]!.qos).toBe(1);
    const pub = await client({ protocolVersion: 5 });
    await pub.c.publishAsync(topic, 'five', {
      qos: 1,
      properties: { userProperties: { k: 'v' }, contentType: 'text/plain' },
    });
    const [m] = await sub.received(1);
    expect(m!.payload).toBe('five');
    expect(m!.packet.properties).toMatchObject({ userProperties: { k: 'v' }, contentType: 'text/plain' });
  });

  it('talks to a 3.1.1 client through the same broker', async () => {
    const topic = uniqueTopic();
    const v4 = await client();
    await v4.c.subscribeAsync(topic, { qos: 2 });
    const v5 = await client({ protocolVersion: 5 });
    await v5.c.publishAsync(topic, 'across versions', { qos: 2 });
    expect((await v4.received(1))[0]!.payload).toBe('across versions');
  });
});
