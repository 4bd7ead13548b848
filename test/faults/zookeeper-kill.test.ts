// Promise 3 when a ZooKeeper server dies (SIGKILL) under a QoS 1 stream on a real cluster: the
// leader's death pauses appends for an election, then they resume and nothing acknowledged is
// lost; a follower's death interrupts nothing. Publishers connect through the load balancer, which
// must not cut clients for a short unreadiness (an election, a stalled broker). The killed server
// is started again after each test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../support/cluster.js';
import { checkDeliveries, orderDisagreements } from '../support/delivery-check.js';
import { StreamPublisher } from '../support/stream-publisher.js';
import { eventually, Subscriber } from '../support/stream-clients.js';

let c: TestCluster;
const open: { destroy(): void }[] = [];
const measured: string[] = [];

beforeAll(async () => {
  c = await TestCluster.start({ brokerArgs: ['--sys-interval', '0'] });
}, 120_000);
afterEach(async () => {
  for (const client of open.splice(0)) client.destroy();
  await c.restoreZooKeepers();
}, 90_000);
afterAll(async () => {
  if (measured.length > 0) console.info(measured.join('\n'));
  await TestCluster.stopAll();
}, 60_000);

async function subscriber(i: number, clean = true): Promise<Subscriber> {
  const s = await Subscriber.connect(c.port(i), { clean });
  open.push(s);
  return s;
}

/** The longest time between two consecutive PUBACKs of the stream, and when it ended. */
function longestGap(ackedAt: ReadonlyMap<number, number>): { gap: number; endedAt: number } {
  const times = [...ackedAt.values()].sort((x, y) => x - y);
  let gap = 0;
  let endedAt = 0;
  for (let i = 1; i < times.length; i++) {
    if (times[i]! - times[i - 1]! > gap) {
      gap = times[i]! - times[i - 1]!;
      endedAt = times[i]!;
    }
  }
  return { gap, endedAt };
}

/** A stream from a publisher on broker A (or the load balancer) to subscribers on B and C; `fault` runs after 300 acks. */
async function streamThrough(
  name: string,
  port: () => number,
  fault: () => Promise<void>,
): Promise<{ pub: StreamPublisher; subs: Subscriber[]; faultAt: number }> {
  const topic = `faults/${name}`;
  const subs = [await subscriber(1), await subscriber(2, false)];
  await Promise.all(subs.map((s) => s.subscribe(topic, 1)));
  const pub = new StreamPublisher({
    id: name,
    topic,
    count: 1500,
    port,
    clientId: `${name}-pub`,
    window: 16,
    intervalMs: 2,
  });
  const stream = pub.run();
  await eventually(() => pub.acked.size >= 300, '300 acknowledged before the fault');
  const faultAt = Date.now();
  await fault();
  await stream;
  const acked = new Map([[name, pub.acked]]);
  for (const s of subs) {
    await s.waitForMessage(name, 1500, 30_000);
    const report = checkDeliveries(s.delivered(topic), acked);
    expect(report.lost).toEqual([]);
    expect(report.reordered).toBe(0);
    // the publisher never reconnected, so nothing was sent twice and nothing may arrive twice
    if (pub.drops.length === 0) expect(report.duplicates).toBe(0);
  }
  expect(orderDisagreements(subs[0]!.delivered(topic), subs[1]!.delivered(topic))).toBe(0);
  return { pub, subs, faultAt };
}

describe('a ZooKeeper server dies under a QoS 1 stream (promise 3)', () => {
  it('the leader: appends pause for the election, then resume; nothing acknowledged is lost', async () => {
    let killed = -1;
    const { pub, subs, faultAt } = await streamThrough(
      'zk-leader',
      () => c.lbPort,
      async () => {
        const leader = await c.zkLeader();
        if (leader === null) throw new Error('no ZooKeeper leader');
        killed = leader;
        await c.cluster.zookeepers[leader]!.kill();
      },
    );
    const pause = longestGap(pub.ackedAt);
    measured.push(
      `ZooKeeper leader (server ${killed + 1}) SIGKILL -> longest pause between PUBACKs ${pause.gap} ms, PUBACKs flowing again ${pause.endedAt - faultAt} ms after the kill; publisher reconnects ${pub.drops.length}, subscribers closed ${subs.filter((s) => s.closed).length}`,
    );
    // the new leader is one of the two survivors
    expect(await c.zkLeader()).not.toBe(killed);
  }, 90_000);

  it('a follower: no interruption, the publisher (through the load balancer) and the subscribers stay connected', async () => {
    let killed = -1;
    const { pub, subs } = await streamThrough(
      'zk-follower',
      () => c.lbPort,
      async () => {
        const modes = await Promise.all(c.cluster.zookeepers.map((zk) => zk.mode(1000)));
        killed = modes.indexOf('follower');
        if (killed < 0) throw new Error(`no follower: ${JSON.stringify(modes)}`);
        await c.cluster.zookeepers[killed]!.kill();
      },
    );
    measured.push(
      `ZooKeeper follower (server ${killed + 1}) SIGKILL -> longest pause between PUBACKs ${longestGap(pub.ackedAt).gap} ms`,
    );
    expect(pub.drops).toEqual([]);
    expect(subs.filter((s) => s.closed)).toEqual([]);
  }, 90_000);
});

describe('a broker briefly not ready keeps its clients (the load balancer)', () => {
  it('a broker that stalls for 2.5 s (a long GC pause: /readyz unanswered) keeps the publisher connected through the load balancer', async () => {
    let stalled = -1;
    const { pub } = await streamThrough(
      'stall',
      () => c.lbPort,
      async () => {
        const found = await c.brokerOf('stall-pub');
        if (found === null) throw new Error('the publisher is on no broker');
        stalled = found;
        const pid = c.cluster.brokers[found]!.pid!;
        process.kill(pid, 'SIGSTOP');
        await new Promise((resolve) => setTimeout(resolve, 2500));
        process.kill(pid, 'SIGCONT');
      },
    );
    measured.push(
      `broker ${stalled + 1} stalled 2.5 s -> longest pause between PUBACKs ${longestGap(pub.ackedAt).gap} ms`,
    );
    expect(pub.drops).toEqual([]);
  }, 90_000);
});
