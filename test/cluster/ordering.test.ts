// Promises 1 and 2 on a real cluster (3 ZooKeeper servers, 3 broker processes): standard clients
// on any broker, every message delivered, one global order that every subscriber sees, and each
// publisher's order kept whichever broker it uses.
import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../support/cluster.js';
import {
  ackedBy,
  checkDeliveries,
  orderDisagreements,
  parsePayload,
  payloadOf,
  type Delivered,
} from '../support/delivery-check.js';
import { StreamPublisher } from '../support/stream-publisher.js';
import { eventually, Subscriber } from '../support/stream-clients.js';

let c: TestCluster;
const open: { close(): void }[] = [];

beforeAll(async () => {
  c = await TestCluster.start();
}, 120_000);
afterEach(() => {
  for (const client of open.splice(0)) client.close();
});
afterAll(async () => {
  await TestCluster.stopAll();
}, 60_000);

/** MQTT.js, connected to broker `i`, recording what it receives. */
async function mqttjs(i: number, clientId: string): Promise<{ client: MqttClient; inbox: Delivered[] }> {
  const client = connect(`mqtt://127.0.0.1:${c.port(i)}`, {
    clientId,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  open.push({ close: () => client.end(true) });
  const inbox: Delivered[] = [];
  client.on('message', (_topic, payload, packet: IPublishPacket) => {
    const p = parsePayload(payload.toString());
    if (p !== null) inbox.push({ ...p, dup: packet.dup });
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return { client, inbox };
}

async function subscriber(i: number, clean = true): Promise<Subscriber> {
  const s = await Subscriber.connect(c.port(i), { clean });
  open.push({ close: () => s.destroy() });
  return s;
}

describe('one global order across brokers (promises 1 and 2)', () => {
  it('MQTT.js: a QoS 1 stream published on broker A reaches subscribers on B and C, all of it, in order', async () => {
    const topic = 'order/mqttjs';
    const count = 600;
    const b = await mqttjs(1, 'order-sub-b');
    const cc = await mqttjs(2, 'order-sub-c');
    await Promise.all([
      b.client.subscribeAsync(topic, { qos: 1 }),
      cc.client.subscribeAsync(topic, { qos: 1 }),
    ]);
    const a = await mqttjs(0, 'order-pub-a');
    const acked = new Set<number>();
    // MQTT.js keeps them all in flight; each resolves on its PUBACK
    await Promise.all(
      Array.from({ length: count }, (_, k) =>
        a.client.publishAsync(topic, payloadOf('a', k + 1), { qos: 1 }).then(() => acked.add(k + 1)),
      ),
    );
    expect(acked.size).toBe(count);
    await eventually(
      () => b.inbox.length >= count && cc.inbox.length >= count,
      'both subscribers to get all',
    );
    const expected = new Map([['a', acked]]);
    for (const inbox of [b.inbox, cc.inbox]) {
      const report = checkDeliveries(inbox, expected);
      expect({
        lost: report.lost.length,
        duplicates: report.duplicates,
        reordered: report.reordered,
      }).toEqual({
        lost: 0,
        duplicates: 0,
        reordered: 0,
      });
    }
    expect(orderDisagreements(b.inbox, cc.inbox)).toBe(0);
  }, 90_000);

  it('three publishers on three brokers: six subscribers (clean and persistent, QoS 0 and 1) see one interleaving', async () => {
    const topic = 'order/many';
    const count = 400;
    const subs: Subscriber[] = [];
    for (const [i, clean, qos] of [
      [0, true, 1],
      [0, false, 1],
      [1, true, 1],
      [1, false, 1],
      [2, true, 1],
      [2, true, 0],
    ] as const) {
      const s = await subscriber(i, clean);
      await s.subscribe(topic, qos);
      subs.push(s);
    }
    const publishers = [0, 1, 2].map(
      (i) =>
        new StreamPublisher({ id: `p${i}`, topic, count, port: () => c.port(i), window: 8, intervalMs: 2 }),
    );
    await Promise.all(publishers.map((p) => p.run()));
    const acked = ackedBy(publishers);
    for (const s of subs) {
      await s.waitFor((m) => m.length >= count * 3, `all ${count * 3} messages`);
      const report = checkDeliveries(s.delivered(topic), acked);
      expect({
        lost: report.lost.length,
        duplicates: report.duplicates,
        reordered: report.reordered,
      }).toEqual({
        lost: 0,
        duplicates: 0,
        reordered: 0,
      });
    }
    // every pair of subscribers: the same interleaving of the three streams
    for (let x = 0; x < subs.length; x++) {
      for (let y = x + 1; y < subs.length; y++) {
        expect(orderDisagreements(subs[x]!.delivered(topic), subs[y]!.delivered(topic)), `${x} vs ${y}`).toBe(
          0,
        );
      }
    }
    // and the streams really interleaved (not three runs one after another)
    const firstOf = (pub: string): number => subs[0]!.delivered(topic).findIndex((d) => d.pub === pub);
    const lastOf = (pub: string): number => subs[0]!.delivered(topic).findLastIndex((d) => d.pub === pub);
    expect(Math.max(firstOf('p0'), firstOf('p1'), firstOf('p2'))).toBeLessThan(
      Math.min(lastOf('p0'), lastOf('p1'), lastOf('p2')),
    );
  }, 90_000);
});

describe('shared subscriptions across brokers (MQTT 5.0 section 4.8.2)', () => {
  it('one share with members on A, B and C (clean and persistent): each message of a stream from A reaches exactly one, in turn', async () => {
    const topic = 'shared/stream';
    const count = 300;
    const members: Subscriber[] = [];
    // 5.0 clean sessions on A and B, a 3.1.1 persistent session on C
    for (const [i, clean, protocolVersion] of [
      [0, true, 5],
      [1, true, 5],
      [2, false, 4],
    ] as const) {
      const s = await Subscriber.connect(c.port(i), { clean, protocolVersion });
      open.push({ close: () => s.destroy() });
      expect(await s.subscribe(`$share/workers/${topic}`, 1)).toEqual([1]);
      members.push(s);
    }
    const publisher = new StreamPublisher({ id: 'w', topic, count, port: () => c.port(0), window: 8 });
    await publisher.run();
    const acked = ackedBy([publisher]);
    await eventually(
      () => members.reduce((n, s) => n + s.delivered(topic).length, 0) >= count,
      'every message to one member',
    );
    await new Promise((r) => setTimeout(r, 300)); // room for a copy too many to show
    const all = members.flatMap((s) => s.delivered(topic));
    const report = checkDeliveries(all, acked);
    expect({ lost: report.lost.length, duplicates: report.duplicates }).toEqual({ lost: 0, duplicates: 0 });
    // all three connected: the round-robin gives each exactly a third, each in the publisher's order
    expect(members.map((s) => s.delivered(topic).length)).toEqual([count / 3, count / 3, count / 3]);
    for (const s of members) expect(checkDeliveries(s.delivered(topic), new Map()).reordered).toBe(0);
    const shared = await c.metric(1, 'mqttzoo_subscriptions', '{kind="shared"}');
    expect(shared).toBe(3);
  }, 90_000);
});

describe('retained messages across brokers (promise 5)', () => {
  it('a retained message set on A is sent, with RETAIN=1, to a new subscriber on C', async () => {
    const topic = 'retained/from-a';
    // a watcher on C: once it has the message, C has applied the publish
    const watcher = await subscriber(2);
    await watcher.subscribe(topic, 1);
    const a = await mqttjs(0, 'retained-pub-a');
    await a.client.publishAsync(topic, payloadOf('r', 1), { qos: 1, retain: true });
    await watcher.waitForMessage('r', 1);
    const late = await subscriber(2);
    await late.subscribe(topic, 1);
    await late.waitForMessage('r', 1);
    expect(late.messages.map((m) => ({ payload: m.payload, retain: m.retain }))).toEqual([
      { payload: 'r:1', retain: true },
    ]);
  }, 90_000);

  it('retained set on A then subscribe on C at once, 200 times (clean and persistent, new and replaced topics): zero misses', async () => {
    const a = await subscriber(0); // publishes through the raw client: PUBACK is the commit
    const clean = await subscriber(2, true);
    const persistent = await subscriber(2, false);
    let misses = 0;
    for (let i = 0; i < 200; i++) {
      const topic = i % 2 === 0 ? `race/${i}` : 'race/same';
      const s = (i >> 1) % 2 === 0 ? clean : persistent;
      const value = payloadOf('race', i);
      const puback = publishAndWait(a, topic, value, i + 1);
      await puback;
      await s.subscribe(topic, 1);
      try {
        await s.waitFor(
          (m) => m.some((x) => x.topic === topic && x.payload === value),
          `${value} on ${topic}`,
          10_000,
        );
      } catch {
        misses++;
      }
      await s.unsubscribe(topic);
    }
    expect(misses).toBe(0);
  }, 90_000);
});

/** A QoS 1 retained PUBLISH from a Subscriber's connection; resolves on its PUBACK. */
async function publishAndWait(
  s: Subscriber,
  topic: string,
  payload: string,
  messageId: number,
): Promise<void> {
  s.client.send({
    cmd: 'publish',
    topic,
    payload: Buffer.from(payload),
    qos: 1,
    retain: true,
    dup: false,
    messageId,
  });
  await eventually(
    () => s.client.received.some((f) => f.packet.cmd === 'puback' && f.packet.messageId === messageId),
    `PUBACK ${messageId}`,
    10_000,
  );
}
