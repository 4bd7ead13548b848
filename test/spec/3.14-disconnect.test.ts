// Test whether DISCONNECT discards the will and ends the connection, and whether a malformed DISCONNECT is treated as an error that publishes the will (MQTT 3.1.1 section 3.14).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

/** A watcher on `topic` and a client whose will goes there. */
async function withWill(topic: string) {
  const watcher = await broker.connect();
  await subscribe(watcher, topic, 1);
  const client = await broker.connect({
    will: { topic, payload: Buffer.from('will'), qos: 1, retain: false },
  });
  return { watcher, client };
}

describe('section 3.14: DISCONNECT', () => {
  it('[MQTT-3.14.4-3] on DISCONNECT the server discards the will without publishing it', async () => {
    const topic = uniqueTopic();
    const { watcher, client } = await withWill(topic);
    client.sendBytes('E0 00');
    await client.closed();
    await watcher.nothingFor(500);
  });

  it('[MQTT-3.14.4-1] after DISCONNECT the network connection is closed (the server closes it if the client does not)', async () => {
    const client = await broker.connect();
    client.sendBytes('E0 00');
    expect(await client.closed()).toEqual([]);
  });

  it('[MQTT-3.14.4-2] packets after DISCONNECT in the same write are not processed', async () => {
    const topic = uniqueTopic();
    const watcher = await broker.connect();
    await subscribe(watcher, topic);
    const client = await broker.connect();
    const late = mqttPacket.generate({
      cmd: 'publish',
      topic,
      payload: 'after',
      qos: 0,
      retain: false,
      dup: false,
    });
    client.sendBytes(Buffer.concat([Buffer.from([0xe0, 0]), late]));
    await client.closed();
    await publish(await broker.connect(), topic, 'marker');
    expect(text(await receive(watcher))).toBe('marker');
  });

  for (const first of ['E1', 'E2', 'E4', 'E8']) {
    it(`[MQTT-3.14.1-1] DISCONNECT with first byte 0x${first}: the server disconnects the client and publishes its will`, async () => {
      const topic = uniqueTopic();
      const { watcher, client } = await withWill(topic);
      client.sendBytes(`${first} 00`);
      expect(await client.closed()).toEqual([]);
      expect(text(await receive(watcher))).toBe('will');
    });
  }

  it('a DISCONNECT with a Remaining Length of 1 is malformed: the connection closes and the will is published', async () => {
    const topic = uniqueTopic();
    const { watcher, client } = await withWill(topic);
    client.sendBytes('E0 01 00');
    expect(await client.closed()).toEqual([]);
    expect(text(await receive(watcher))).toBe('will');
  });
});
