// Test whether a burst that arrives through the log (from another broker, which flow control cannot
// slow) reaches a subscriber whose window and queue are far smaller than the burst, without loss.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEnsemble } from '../../src/coordination/memory/memory-ensemble.js';
import { startBroker, type TestBroker } from '../support/broker.js';

let a: TestBroker;
let b: TestBroker;
beforeAll(async () => {
  const ensemble = new MemoryEnsemble({ keepApplied: false });
  a = await startBroker({ brokerId: 'a' }, { ensemble });
  // B's subscriber takes 10 in flight and queues up to 4000 (one log entry holds at most a few
  // thousand small messages): a burst of many entries would overflow it if B applied them all at once
  b = await startBroker({ brokerId: 'b', maxInflight: 10, maxConnectionQueue: 4000 }, { ensemble });
});
afterAll(async () => {
  await b.stop();
  await a.stop();
});

describe('log back-pressure', () => {
  it('holds log entries back while a subscriber drains, and loses nothing', { timeout: 60_000 }, async () => {
    const sub = await mqtt.connectAsync({
      host: b.host,
      port: b.port,
      clientId: 'sub-b',
      reconnectPeriod: 0,
    });
    await sub.subscribeAsync('burst', { qos: 1 });
    const got: number[] = [];
    sub.on('message', (_topic, payload) => got.push(Number(payload.toString())));
    const pub = await mqtt.connectAsync({
      host: a.host,
      port: a.port,
      clientId: 'pub-a',
      reconnectPeriod: 0,
    });
    const n = 20_000;
    await Promise.all(Array.from({ length: n }, (_, i) => pub.publishAsync('burst', String(i), { qos: 1 })));
    const deadline = Date.now() + 30_000;
    while (got.length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(b.server.broker.counters.dropped['queue-full']).toBe(0);
    expect(b.server.broker.flow.slowConsumers).toBe(0);
    await pub.endAsync();
    await sub.endAsync();
  });
});
