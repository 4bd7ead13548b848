// Test whether a protocol violation or a malformed packet closes the connection, publishes the will, and stops everything the client sent after it; packets over the server's size limit (1024 bytes here) count as such (MQTT 3.1.1 section 4.8).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { connectPacket, hex } from '../support/raw-client.js';
import { send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker({ maxPacketSize: 1024 });

const publishBytes = (topic: string, payload: string | Buffer): Buffer =>
  mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false });

describe('[MQTT-4.8.0-1] on a protocol violation the server MUST close the Network Connection', () => {
  for (const [what, bytes] of [
    ['CONNACK', '20 02 00 00'],
    ['SUBACK', '90 03 0001 00'],
    ['UNSUBACK', 'B0 02 0001'],
    ['PINGRESP', 'D0 00'],
    ['a second CONNECT', mqttPacket.generate(connectPacket()).toString('hex')],
  ]) {
    it(`[MQTT-4.8.0-1] ${what} from a client closes the connection`, () =>
      broker.bytes({ name: what!, steps: [send(bytes!)] }));
  }

  it('[MQTT-4.8.0-1] [MQTT-3.1.2-8] the will of a client closed for a protocol violation is published', async () => {
    const topic = uniqueTopic();
    const watcher = await broker.connect();
    await subscribe(watcher, topic);
    const client = await broker.connect({
      will: { topic, payload: Buffer.from('violated'), qos: 0, retain: false },
    });
    client.sendBytes('90 03 0001 00');
    await client.closed();
    expect(text(await receive(watcher))).toBe('violated');
  });

  it('[MQTT-4.8.0-1] packets before the bad one in the same write are processed, packets after it are not', async () => {
    const topic = uniqueTopic();
    const watcher = await broker.connect();
    await subscribe(watcher, topic);
    const client = await broker.connect();
    client.sendBytes(
      Buffer.concat([publishBytes(topic, 'before'), hex('C1 00'), publishBytes(topic, 'after')]),
    );
    await client.closed();
    expect(text(await receive(watcher))).toBe('before');
    await publish(await broker.connect(), topic, 'marker');
    expect(text(await receive(watcher))).toBe('marker');
  });
});

describe("packets over the maximum packet size (section 2.2.3; the limit is the server's own in 3.1.1)", () => {
  const topic = 'big';
  const payloadFor = (total: number): Buffer => Buffer.alloc(total - 3 - 2 - topic.length, 0x78); // 2-byte Remaining Length

  it('a PUBLISH of exactly the limit (1024 bytes) is accepted', async () => {
    const sub = await broker.connect();
    await subscribe(sub, topic);
    const client = await broker.connect();
    const bytes = publishBytes(topic, payloadFor(1024));
    expect(bytes.length).toBe(1024);
    client.sendBytes(bytes);
    expect((await receive(sub)).payload.length).toBe(1024 - 8);
  });

  it('a PUBLISH one byte over the limit closes the connection, publishes the will, and is not delivered', async () => {
    const watcher = await broker.connect();
    await subscribe(watcher, [
      [topic, 0],
      ['big-will', 0],
    ]);
    const client = await broker.connect({
      will: { topic: 'big-will', payload: Buffer.from('w'), qos: 0, retain: false },
    });
    client.sendBytes(publishBytes(topic, payloadFor(1025)));
    expect(await client.closed()).toEqual([]);
    expect((await receive(watcher)).topic).toBe('big-will');
  });

  it('a fixed header announcing an oversized packet closes the connection before the body is sent', async () => {
    const client = await broker.connect();
    client.sendBytes('30 FF FF 7F');
    expect(await client.closed()).toEqual([]);
  });

  it('an oversized CONNECT closes the connection without CONNACK', async () => {
    const client = await broker.open();
    client.send(connectPacket({ username: 'u'.repeat(1100) }));
    expect(await client.closed()).toEqual([]);
  });
});
