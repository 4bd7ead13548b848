// Promises 3, 4 and 5 across a restart of the whole cluster on the same state folder: retained
// messages, persistent sessions with their queued messages and their inbound QoS 2 state, and the
// log itself survive, both a clean stop (SIGTERM: brokers drain) and a power cut (SIGKILL of every
// process). Snapshots every 50 entries make the brokers restart from a snapshot plus the log.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../support/cluster.js';
import { checkDeliveries, payloadOf } from '../support/delivery-check.js';
import { RawClient } from '../support/raw-client.js';
import { StreamPublisher } from '../support/stream-publisher.js';
import { eventually, Subscriber } from '../support/stream-clients.js';

let c: TestCluster;
const open: { destroy(): void }[] = [];

beforeAll(async () => {
  c = await TestCluster.start({
    brokerArgs: ['--snapshot-every-entries', '50', '--duty-interval-ms', '200', '--sys-interval', '0'],
  });
}, 120_000);
afterEach(() => {
  for (const client of open.splice(0)) client.destroy();
});
afterAll(async () => {
  await TestCluster.stopAll();
}, 60_000);

async function raw(i: number, over: Parameters<typeof RawClient.connect>[1] = {}): Promise<RawClient> {
  const client = await RawClient.connect(c.port(i), over);
  open.push(client);
  return client;
}

async function subscriber(
  i: number,
  over: Parameters<typeof Subscriber.connect>[1] = {},
): Promise<Subscriber> {
  const s = await Subscriber.connect(c.port(i), over);
  open.push(s);
  return s;
}

interface Before {
  acked: Set<number>;
  applied: number;
}

/** Retained message, an offline persistent session with 300 queued messages, a QoS 2 publish awaiting PUBREL. */
async function fill(name: string): Promise<Before> {
  const topic = `restart/${name}`;
  const sub = await subscriber(1, { clientId: `${name}-sub`, clean: false });
  await sub.subscribe(`${topic}/queued`, 1);
  await sub.subscribe(`${topic}/q2`, 2);
  await sub.close();
  const pub = await raw(0);
  pub.send({
    cmd: 'publish',
    topic: `${topic}/retained`,
    payload: Buffer.from(payloadOf('r', 1)),
    qos: 1,
    retain: true,
    dup: false,
    messageId: 1,
  });
  await pub.expect('puback', 10_000);
  const stream = new StreamPublisher({
    id: 's',
    topic: `${topic}/queued`,
    count: 300,
    port: () => c.port(2),
    window: 8,
  });
  await stream.run();
  await stream.stop();
  const q2 = await raw(0, { clientId: `${name}-q2`, clean: false });
  q2.send({
    cmd: 'publish',
    topic: `${topic}/q2`,
    payload: Buffer.from(payloadOf('q2', 1)),
    qos: 2,
    retain: false,
    dup: false,
    messageId: 3,
  });
  await q2.expect('pubrec', 10_000);
  q2.destroy(); // PUBREL never sent
  // the leader snapshotted and trimmed: the restart reads a snapshot, then the log after it
  await c.until(async () => (await c.coordinator(0)).log.tail > 0, 'a snapshot and a trimmed log');
  const applied = Math.min(
    ...(await Promise.all([0, 1, 2].map(async (i) => (await c.coordinator(i)).applied))),
  );
  return { acked: stream.acked, applied };
}

async function check(name: string, before: Before): Promise<void> {
  const topic = `restart/${name}`;
  for (const i of [0, 1, 2]) expect((await c.coordinator(i)).applied).toBeGreaterThanOrEqual(before.applied);
  // the retained message, to a new subscriber on another broker
  const late = await subscriber(2);
  await late.subscribe(`${topic}/retained`, 1);
  await late.waitForMessage('r', 1);
  expect(late.messages.map((m) => ({ payload: m.payload, retain: m.retain }))).toEqual([
    { payload: 'r:1', retain: true },
  ]);
  // the persistent session, with every queued message, in order, and the QoS 2 message once
  const sub = await subscriber(2, { clientId: `${name}-sub`, clean: false });
  expect(sub.connack.sessionPresent).toBe(true);
  await sub.waitForMessage('q2', 1);
  const report = checkDeliveries(sub.delivered(`${topic}/queued`), new Map([['s', before.acked]]));
  expect({ lost: report.lost, duplicates: report.duplicates, reordered: report.reordered }).toEqual({
    lost: [],
    duplicates: 0,
    reordered: 0,
  });
  // the QoS 2 publisher's session still knows id 3 is awaiting PUBREL: a retry is not delivered again
  const q2 = await raw(0, { clientId: `${name}-q2`, clean: false });
  q2.send({
    cmd: 'publish',
    topic: `${topic}/q2`,
    payload: Buffer.from(payloadOf('q2', 1)),
    qos: 2,
    retain: false,
    dup: true,
    messageId: 3,
  });
  await q2.expect('pubrec', 10_000);
  q2.send({ cmd: 'pubrel', messageId: 3 });
  await q2.expect('pubcomp', 10_000);
  q2.send({
    cmd: 'publish',
    topic: `${topic}/q2`,
    payload: Buffer.from(payloadOf('q2', 2)),
    qos: 1,
    retain: false,
    dup: false,
    messageId: 4,
  });
  await q2.expect('puback', 10_000);
  await sub.waitForMessage('q2', 2);
  expect(sub.delivered(`${topic}/q2`).map((d) => d.seq)).toEqual([1, 2]);
}

describe('the whole cluster restarted on the same state folder (promises 3, 4, 5)', () => {
  it('stopped (SIGTERM, brokers drain) and started: retained messages, persistent sessions with queued messages, QoS 2 state and the log survive', async () => {
    const before = await fill('stopped');
    await c.cluster.down();
    await c.cluster.up();
    await check('stopped', before);
  }, 120_000);

  it('every process SIGKILLed at once (a power cut) and started: the same survives', async () => {
    const before = await fill('killed');
    c.killAllNow();
    await eventually(
      () => c.cluster.brokers.every((b) => !b.running) && c.cluster.zookeepers.every((zk) => !zk.running),
      'every process to be gone',
    );
    await c.cluster.up();
    await check('killed', before);
  }, 120_000);
});
