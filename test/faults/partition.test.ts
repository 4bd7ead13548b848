// A broker that loses ZooKeeper for longer than its session (frozen with SIGSTOP: to ZooKeeper and
// to the other brokers it is the same as a network partition) while its clients stay connected:
// the leader declares it gone, publishes the wills of its clients and releases their sessions. When
// the broker comes back it must not go on serving sessions the cluster released: its persistent
// subscriber gets every acknowledged message (after a reconnect if the broker closes it), and no
// will is published twice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../support/cluster.js';
import { checkDeliveries, payloadOf } from '../support/delivery-check.js';
import { RawClient } from '../support/raw-client.js';
import { Subscriber } from '../support/stream-clients.js';
import { StreamPublisher } from '../support/stream-publisher.js';

let c: TestCluster;
const open: { destroy(): void }[] = [];
const measured: string[] = [];

beforeAll(async () => {
  c = await TestCluster.start({
    brokerArgs: [
      '--zk-session-timeout-ms',
      '2000',
      '--broker-gone-grace-ms',
      '500',
      '--duty-interval-ms',
      '200',
      '--sys-interval',
      '0',
    ],
    proxied: [1],
  });
}, 120_000);
afterEach(async () => {
  for (const client of open.splice(0)) client.destroy();
  c.proxy(1).pass();
  await c.restoreBrokers();
}, 90_000);
afterAll(async () => {
  if (measured.length > 0) console.info(measured.join('\n'));
  await TestCluster.stopAll();
}, 60_000);

async function subscriber(
  i: number,
  over: Parameters<typeof Subscriber.connect>[1] = {},
  awaitingRelease?: Set<number>,
): Promise<Subscriber> {
  const s = await Subscriber.connect(c.port(i), over, awaitingRelease);
  open.push(s);
  return s;
}

describe('a broker cut off from ZooKeeper beyond its session (promises 4 and 5)', () => {
  it('its sessions are released with their wills; back, it serves none of them as its own: the persistent subscriber loses nothing, each will is published once', async () => {
    // the frozen broker must not lead: its duties would stop with it
    const leaderId = (await c.coordinator(0)).leaderId;
    const frozen = c.cluster.layout.brokers.findLastIndex((b) => b.brokerId !== leaderId);
    const other = (frozen + 1) % 3;
    const publisherOn = (frozen + 2) % 3;
    const topic = 'faults/partition';
    const willTopic = 'faults/partition-will';
    const watcher = await subscriber(other);
    await watcher.subscribe(willTopic, 1);
    const clientId = 'partitioned-sub';
    let sub = await subscriber(frozen, { clientId, clean: false });
    await sub.subscribe(topic, 1);
    const willing = await RawClient.connect(c.port(frozen), {
      clientId: 'partitioned-will',
      will: { topic: willTopic, payload: Buffer.from(payloadOf('will', 1)), qos: 1, retain: false },
    });
    open.push(willing);

    const pub = new StreamPublisher({
      id: 'pt',
      topic,
      count: 1200,
      port: () => c.port(publisherOn),
      window: 8,
      intervalMs: 5,
    });
    const stream = pub.run();
    await sub.waitFor((m) => m.length >= 100, '100 messages before the freeze');
    const pid = c.cluster.brokers[frozen]!.pid!;
    process.kill(pid, 'SIGSTOP');
    const frozenAt = Date.now();
    try {
      // the leader declared the broker gone: the will of its client is out
      await watcher.waitForMessage('will', 1, 30_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    measured.push(`broker frozen: its client's will published after ${Date.now() - frozenAt} ms`);
    await stream;

    // the subscriber reconnects when its connection closes, to another broker, and resumes
    const deadline = Date.now() + 60_000;
    const copies: Subscriber[] = [sub];
    while (!sub.has('pt', 1200)) {
      if (Date.now() > deadline) throw new Error(`${sub.messages.length} messages, closed: ${sub.closed}`);
      if (sub.closed) {
        sub = await subscriber(other, { clientId, clean: false });
        copies.push(sub);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    measured.push(`persistent subscriber reconnected ${copies.length - 1} times`);
    const all = copies.flatMap((s) => s.delivered(topic));
    const report = checkDeliveries(all, new Map([['pt', pub.acked]]));
    expect(report.lost).toEqual([]);
    expect(report.reordered).toBe(0);

    // the will was published once: when its connection ends now (without DISCONNECT), the
    // broker must not publish it again; a later message from the same broker fences the log
    await c.until(async () => (await c.coordinator(frozen)).link === 'connected', 'the frozen broker back');
    willing.destroy();
    await c.until(async () => (await c.brokerOf('partitioned-will')) === null, 'the will client gone');
    const fence = await RawClient.connect(c.port(frozen));
    open.push(fence);
    fence.send({
      cmd: 'publish',
      topic: willTopic,
      payload: Buffer.from(payloadOf('will', 2)),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    });
    await fence.expect('puback', 10_000);
    await watcher.waitForMessage('will', 2);
    expect(watcher.delivered(willTopic).map((d) => d.seq)).toEqual([1, 2]);
  }, 120_000);
});

describe('QoS 2 exactly once to a subscriber whose broker dies cut off from ZooKeeper (promise 4)', () => {
  it('PUBRECs reach B while its link to ZooKeeper is down, then B is killed: B sent no PUBREL it had not recorded, so back on C the client gets the messages again only as QoS 2 repeats, none twice', async () => {
    const topic = 'faults/qos2-cut';
    const clientId = 'qos2-cut';
    const onB = await subscriber(1, { clientId, clean: false });
    await onB.subscribe(topic, 2);
    onB.holdPubrecs = true;
    const pub = new StreamPublisher({ id: 'h', topic, count: 5, qos: 2, port: () => c.port(0), window: 5 });
    await pub.run();
    await onB.waitFor((m) => m.length >= 5, 'the five messages on B');
    c.proxy(1).refuse(); // B cannot reach ZooKeeper: nothing it appends now can commit
    onB.sendPubrecs();
    await onB.ping(); // B has handled the PUBRECs, and sent whatever PUBREL it sends for them
    expect([...onB.awaitingRelease].sort()).toEqual([1, 2, 3, 4, 5]); // no PUBREL came
    await c.cluster.brokers[1]!.kill();
    const onC = await subscriber(2, { clientId, clean: false }, onB.awaitingRelease);
    expect(onC.connack.sessionPresent).toBe(true);
    // a later message is a fence: C sends the resumed session's messages first
    const fence = new StreamPublisher({ id: 'f', topic, count: 1, qos: 2, port: () => c.port(0) });
    await fence.run();
    await onC.waitForMessage('f', 1);
    const app = [...onB.delivered(topic), ...onC.delivered(topic)].map((d) => payloadOf(d.pub, d.seq));
    expect(app).toEqual(['h:1', 'h:2', 'h:3', 'h:4', 'h:5', 'f:1']);
    expect(onC.messages.filter((m) => m.qos2Repeat).length).toBe(5);
  }, 90_000);
});

describe('QoS 2 exactly once from a publisher whose broker dies cut off from ZooKeeper (promise 3)', () => {
  it('PUBREL reaches B while its link to ZooKeeper is down, then B is killed: B sent no PUBCOMP it had not recorded, so the packet id reused on C after PUBCOMP carries a new message, delivered', async () => {
    const topic = 'faults/qos2-inbound-cut';
    const clientId = 'qos2-inbound-cut';
    const watcher = await subscriber(2);
    await watcher.subscribe(topic, 2);
    const onB = await RawClient.connect(c.port(1), { clientId, clean: false });
    open.push(onB);
    onB.send({
      cmd: 'publish',
      topic,
      payload: Buffer.from(payloadOf('in', 1)),
      qos: 2,
      messageId: 7,
      dup: false,
      retain: false,
    });
    await onB.expect('pubrec', 10_000);
    c.proxy(1).refuse(); // B cannot reach ZooKeeper: the release it records now cannot commit
    onB.send({ cmd: 'pubrel', messageId: 7 });
    onB.send({ cmd: 'pingreq' });
    await onB.nextOf('pingresp', undefined, 10_000); // B has handled the PUBREL, and answered what it answers
    const completed = onB.received.some((f) => f.packet.cmd === 'pubcomp');
    await c.cluster.brokers[1]!.kill();

    // the client goes on as the spec says: PUBREL again if no PUBCOMP came; then id 7 is free again
    const onC = await RawClient.connect(c.port(2), { clientId, clean: false });
    open.push(onC);
    if (!completed) {
      onC.send({ cmd: 'pubrel', messageId: 7 });
      await onC.expect('pubcomp', 10_000);
    }
    onC.send({
      cmd: 'publish',
      topic,
      payload: Buffer.from(payloadOf('in', 2)),
      qos: 2,
      messageId: 7,
      dup: false,
      retain: false,
    });
    await onC.expect('pubrec', 10_000);
    onC.send({ cmd: 'pubrel', messageId: 7 });
    await onC.expect('pubcomp', 10_000);
    // a fence from another client: the log's order brings the second message first, if it was published
    const fence = await RawClient.connect(c.port(2));
    open.push(fence);
    fence.send({
      cmd: 'publish',
      topic,
      payload: Buffer.from(payloadOf('in', 3)),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    });
    await fence.expect('puback', 10_000);
    await watcher.waitForMessage('in', 3);
    expect(watcher.delivered(topic).map((d) => d.seq)).toEqual([1, 2, 3]);
    expect(completed).toBe(false); // no PUBCOMP before the log held the release
  }, 90_000);
});
