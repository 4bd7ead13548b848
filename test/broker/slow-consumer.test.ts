// Test whether a subscriber that stops reading holds publishers back only until it counts as a slow
// consumer, while a subscriber that keeps reading gets every message.
import net from 'node:net';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker({ slowConsumerMs: 300 });
});
afterAll(async () => {
  await broker.stop();
});

/** A subscriber that subscribes and then never reads its socket again. */
async function stalledSubscriber(topic: string): Promise<net.Socket> {
  const socket = net.connect(broker.port, broker.host);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'stalled',
      clean: true,
      keepalive: 0,
    }),
  );
  socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 0 }] }));
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.pause();
  return socket;
}

describe('flow control end to end', () => {
  it('a stalled subscriber is declared slow and the publisher and a reading subscriber go on', async () => {
    const stalled = await stalledSubscriber('flood');
    const reader = await mqtt.connectAsync({
      host: broker.host,
      port: broker.port,
      clientId: 'reader',
      reconnectPeriod: 0,
    });
    await reader.subscribeAsync('flood', { qos: 1 });
    let got = 0;
    reader.on('message', () => got++);
    const publisher = await mqtt.connectAsync({
      host: broker.host,
      port: broker.port,
      clientId: 'flooder',
      reconnectPeriod: 0,
    });
    const payload = Buffer.alloc(64 * 1024, 7);
    const n = 500; // 32 MB through a subscriber that reads nothing: more than kernel buffers hold
    for (let i = 0; i < n; i++) await publisher.publishAsync('flood', payload, { qos: 1 });
    const deadline = Date.now() + 10_000;
    while (got < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(got).toBe(n);
    expect(broker.server.broker.flow.slowConsumers).toBeGreaterThanOrEqual(1);
    expect(broker.server.broker.counters.dropped['slow-consumer']).toBeGreaterThan(0);
    stalled.destroy();
    await reader.endAsync();
    await publisher.endAsync();
  });
});
