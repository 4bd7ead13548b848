// Test whether a burst that congests several subscribers at once pauses intake without starving any of them: every congested subscriber's socket goes on being read (its acks drain it), so none is mistaken for a slow consumer and nothing is dropped.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';

let broker: TestBroker;
const clients: MqttClient[] = [];
beforeAll(async () => {
  // a small window, so that a burst queues past the high-water mark (500) behind it
  broker = await startBroker({ slowConsumerMs: 1500, maxInflight: 20 });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await broker.stop();
});

async function connect(clientId: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync({
    host: broker.host,
    port: broker.port,
    clientId,
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

describe('flow control with several congested subscribers', () => {
  it('four QoS 1 subscribers congested by one burst all get every message; none counts as slow', async () => {
    const topic = 'burst';
    const count = 6000;
    const got = [0, 0, 0, 0];
    for (let i = 0; i < got.length; i++) {
      const s = await connect(`sub-${i}`);
      await s.subscribeAsync(topic, { qos: 1 });
      s.on('message', () => got[i]!++);
    }
    const publisher = await connect('burster');
    const payload = Buffer.alloc(8, 1); // small: thousands of PUBLISH per socket read
    // all at once: the broker reads them in large chunks, so each log entry fills every queue at once
    await Promise.all(
      Array.from({ length: count }, () => publisher.publishAsync(topic, payload, { qos: 1 })),
    );
    const deadline = Date.now() + 20_000;
    while (got.some((n) => n < count) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(got).toEqual([count, count, count, count]);
    expect(broker.server.broker.flow.slowConsumers).toBe(0);
    expect(broker.server.broker.counters.dropped['slow-consumer']).toBe(0);
  });
});
