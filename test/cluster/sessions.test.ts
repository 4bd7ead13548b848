// Promise 4 on a real cluster, without faults: a client id taken over from another broker, and an
// inbound QoS 2 message retried on another broker after its connection dropped.
import type { IConnackPacket } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../support/cluster.js';
import { checkDeliveries, payloadOf } from '../support/delivery-check.js';
import { RawClient } from '../support/raw-client.js';
import { StreamPublisher } from '../support/stream-publisher.js';
import { Subscriber } from '../support/stream-clients.js';

let c: TestCluster;
const open: { destroy(): void }[] = [];

beforeAll(async () => {
  c = await TestCluster.start();
}, 120_000);
afterEach(() => {
  for (const client of open.splice(0)) client.destroy();
});
afterAll(async () => {
  await TestCluster.stopAll();
}, 60_000);

async function subscriber(
  i: number,
  over: Parameters<typeof Subscriber.connect>[1] = {},
): Promise<Subscriber> {
  const s = await Subscriber.connect(c.port(i), over);
  open.push(s);
  return s;
}

describe('session takeover across brokers (promise 4)', () => {
  const cases = [
    { version: 4, qos: 1 },
    { version: 5, qos: 1 },
    { version: 5, qos: 0 },
  ] as const;
  for (const { version, qos } of cases) {
    it(`MQTT ${version === 4 ? '3.1.1' : '5.0'}, QoS ${qos}: the old connection on A is closed${version === 5 ? ' with DISCONNECT 0x8E' : ''}, and no message reaches both`, async () => {
      const topic = `takeover/v${version}q${qos}`;
      const clientId = `taker-v${version}q${qos}`;
      const session =
        version === 5 ? { protocolVersion: 5 as const, properties: { sessionExpiryInterval: 300 } } : {};
      const old = await subscriber(0, { clientId, clean: false, ...session });
      await old.subscribe(topic, qos);
      const pub = new StreamPublisher({
        id: 'tk',
        topic,
        count: 600,
        port: () => c.port(2),
        window: 4,
        intervalMs: 2,
      });
      const stream = pub.run();
      await old.waitFor((m) => m.length >= 100, '100 messages before the takeover');
      const next = await subscriber(1, { clientId, clean: false, ...session });
      expect(next.connack.sessionPresent).toBe(true);
      await old.waitClosed();
      // 3.1.1 has no DISCONNECT from the server; 5.0 says why [MQTT-3.14.2-1]
      if (version === 4) expect(old.disconnect).toBeNull();
      else expect(old.disconnect).toMatchObject({ cmd: 'disconnect', reasonCode: 0x8e });
      await stream;
      await next.waitForMessage('tk', 600);

      const before = old.delivered(topic);
      const after = next.delivered(topic);
      const lastBefore = Math.max(...before.map((d) => d.seq));
      // a message the old connection got may come again only as a QoS 1 re-delivery, marked DUP
      const onBoth = after.filter((d) => before.some((b) => b.seq === d.seq));
      if (qos === 0) expect(onBoth).toEqual([]);
      else expect(onBoth.filter((d) => !d.dup)).toEqual([]);
      // everything new on B comes after everything A got: no window where both receive
      expect(after.filter((d) => !d.dup && d.seq <= lastBefore)).toEqual([]);
      const report = checkDeliveries([...before, ...after], new Map([['tk', pub.acked]]));
      expect(report.reordered).toBe(0);
      if (qos === 1) expect(report.lost).toEqual([]);
    }, 90_000);
  }
});

describe('QoS 2 exactly once across brokers (promise 4)', () => {
  it('PUBLISH id n on A, PUBREC, connection dropped; the same PUBLISH (DUP) on B gets PUBREC without a second delivery; PUBREL, PUBCOMP', async () => {
    const topic = 'qos2/retry-drop';
    const clientId = 'qos2-retry-drop';
    const watcher = await subscriber(2);
    await watcher.subscribe(topic, 2);
    const payload = Buffer.from(payloadOf('q2', 1));
    const onA = await RawClient.connect(c.port(0), { clientId, clean: false });
    open.push(onA);
    onA.send({ cmd: 'publish', topic, payload, qos: 2, messageId: 7, dup: false, retain: false });
    await onA.expect('pubrec', 10_000);
    onA.destroy(); // before PUBREL

    const onB = await RawClient.open(c.port(1));
    open.push(onB);
    const connack: IConnackPacket = await onB.handshake({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId,
      clean: false,
      keepalive: 0,
    });
    expect(connack).toMatchObject({ returnCode: 0, sessionPresent: true });
    onB.send({ cmd: 'publish', topic, payload, qos: 2, messageId: 7, dup: true, retain: false });
    await onB.expect('pubrec', 10_000);
    onB.send({ cmd: 'pubrel', messageId: 7 });
    await onB.expect('pubcomp', 10_000);
    // a later message is a fence: the log's order brings everything before it first
    onB.send({
      cmd: 'publish',
      topic,
      payload: Buffer.from(payloadOf('q2', 2)),
      qos: 1,
      messageId: 8,
      dup: false,
      retain: false,
    });
    await onB.expect('puback', 10_000);
    await watcher.waitForMessage('q2', 2);
    expect(watcher.delivered(topic).map((d) => d.seq)).toEqual([1, 2]);
  }, 90_000);
});
