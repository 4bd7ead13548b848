// Test whether the quota refuses new publishes at its bound, as the spec lets each version say so,
// lets room-freeing messages through, and accepts publishes again once room is freed.
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';

let broker: TestBroker;
const clients: MqttClient[] = [];

function connect(protocolVersion: 4 | 5, clientId: string): Promise<MqttClient> {
  const client = mqtt.connect({
    host: broker.host,
    port: broker.port,
    protocolVersion,
    clientId,
    reconnectPeriod: 0,
  });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

/** Fills the retained store past the state quota (retained payloads count towards it). */
async function fill(client: MqttClient, bytes: number): Promise<void> {
  const payload = Buffer.alloc(1024, 1);
  for (let i = 0; i * 1024 < bytes; i++)
    await client.publishAsync(`fill/${i}`, payload, { qos: 1, retain: true });
  broker.server.broker.quota.sample();
}

beforeEach(async () => {
  broker = await startBroker({ quotaStateBytes: 16 * 1024, quotaLogBytes: 0, quotaLogEntries: 0 });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true);
  await broker.stop();
});

describe('quota', () => {
  it('answers an MQTT 5.0 publish at the quota with PUBACK 0x97 and keeps the connection', async () => {
    const client = await connect(5, 'q5');
    await fill(client, 16 * 1024);
    expect(broker.server.broker.quota.exceeded).toBe(true);
    const error = await client.publishAsync('t', 'x', { qos: 1 }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ code: 0x97 });
    expect(client.connected).toBe(true);
    expect(broker.server.broker.quota.current().refused).toBe(1);
  });

  it('withholds the ack from an MQTT 3.1.1 publisher at the quota and closes its connection', async () => {
    const filler = await connect(4, 'filler');
    await fill(filler, 16 * 1024);
    const client = await connect(4, 'q4');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    let acked = false;
    client.publish('t', 'x', { qos: 1 }, () => (acked = true));
    await closed;
    expect(acked).toBe(false);
  });

  it('lets a retained clear through at the quota, and accepts publishes once room is freed', async () => {
    const client = await connect(5, 'q5b');
    await fill(client, 16 * 1024);
    expect(broker.server.broker.quota.exceeded).toBe(true);
    for (let i = 0; i < 16; i++)
      await client.publishAsync(`fill/${i}`, Buffer.alloc(0), { qos: 1, retain: true });
    broker.server.broker.quota.sample();
    expect(broker.server.broker.quota.exceeded).toBe(false);
    await expect(client.publishAsync('t', 'x', { qos: 1 })).resolves.toBeDefined();
  });
});
