// Test whether a broker publishes its own $SYS/ topics (Mosquitto's names) to its subscribers: the
// latest values as retained messages on subscribe, then updates every sysInterval; whether `#`
// leaves them out [MQTT-4.7.2-1]; whether clients' publishes to $SYS/ are dropped; and whether
// sysInterval 0 turns them off.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

let broker: TestBroker;
const clients: MqttClient[] = [];

async function subscriber(b: TestBroker, clientId: string, filters: string[], options: IClientOptions = {}) {
  const client = mqtt.connect({ host: '127.0.0.1', port: b.port, clientId, reconnectPeriod: 0, ...options });
  clients.push(client);
  const got: Received[] = [];
  const waiters: { accept: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
  client.on('message', (topic, payload, packet) => {
    const m = { topic, payload: payload.toString(), retain: packet.retain };
    got.push(m);
    for (const w of [...waiters]) {
      if (!w.accept(m)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(filters, { qos: 0 });
  const next = (accept: (m: Received) => boolean, what: string, timeoutMs = 5000): Promise<Received> => {
    const seen = got.find(accept);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { accept, resolve: (m: Received) => (clearTimeout(t), resolve(m)) };
      const t = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        reject(new Error(`no ${what} within ${timeoutMs} ms; got ${got.map((g) => g.topic).join(', ')}`));
      }, timeoutMs);
      waiters.push(w);
    });
  };
  return { client, got, next };
}

beforeAll(async () => {
  broker = await startBroker({ sysInterval: 1 });
});

afterAll(async () => {
  for (const c of clients.splice(0)) c.end(true);
  await broker.stop();
});

describe('$SYS topics', () => {
  it('sends the latest values as retained messages on subscribe, with Mosquitto names', async () => {
    const sys = await subscriber(broker, 'sys-watcher', ['$SYS/#']);
    await sys.next((m) => m.topic === '$SYS/broker/load/connections/15min', 'the last load topic');
    const retained = new Map(sys.got.filter((m) => m.retain).map((m) => [m.topic, m.payload]));
    expect(retained.get('$SYS/broker/version')).toMatch(/^mqttzoo version \d+\.\d+\.\d+/);
    expect(retained.get('$SYS/broker/uptime')).toMatch(/^\d+ seconds$/);
    for (const topic of [
      '$SYS/broker/clients/connected',
      '$SYS/broker/clients/total',
      '$SYS/broker/messages/received',
      '$SYS/broker/messages/sent',
      '$SYS/broker/publish/messages/received',
      '$SYS/broker/publish/messages/sent',
      '$SYS/broker/bytes/received',
      '$SYS/broker/bytes/sent',
      '$SYS/broker/subscriptions/count',
      '$SYS/broker/retained messages/count',
      '$SYS/broker/load/messages/received/1min',
      '$SYS/broker/load/bytes/sent/5min',
    ]) {
      expect([topic, retained.get(topic)]).toEqual([topic, expect.stringMatching(/^\d+(\.\d+)?$/)]);
    }
  });

  it('publishes changed values every sysInterval to current subscribers (not retained)', async () => {
    const sys = await subscriber(broker, 'sys-updates', [
      '$SYS/broker/clients/connected',
      '$SYS/broker/uptime',
    ]);
    const first = await sys.next((m) => m.topic === '$SYS/broker/uptime' && m.retain, 'the retained uptime');
    const update = await sys.next((m) => m.topic === '$SYS/broker/uptime' && !m.retain, 'an uptime update');
    expect(update.payload).not.toBe(first.payload);
    // this subscriber plus the others still connected: the broker's own count, at the next tick
    const connected = String(broker.server.broker.connections.size);
    await sys.next(
      (m) => m.topic === '$SYS/broker/clients/connected' && m.payload === connected,
      `clients/connected ${connected}`,
    );
  });

  it('delivers to a persistent session too, and leaves $SYS out of `#`', async () => {
    const persistent = await subscriber(broker, 'sys-persistent', ['$SYS/broker/version'], { clean: false });
    await persistent.next(
      (m) => m.topic === '$SYS/broker/version' && m.retain,
      'version, retained, via the log',
    );
    const all = await subscriber(broker, 'everything', ['#', 'sentinel']);
    const sys = await subscriber(broker, 'sys-seen', ['$SYS/broker/uptime']);
    await sys.next((m) => !m.retain, 'an uptime update after `#` subscribed');
    all.client.publish('sentinel', 'here');
    await all.next((m) => m.topic === 'sentinel', 'the sentinel');
    expect(all.got.filter((m) => m.topic.startsWith('$'))).toEqual([]);
  });

  it('drops clients’ publishes to $SYS/ topics, acknowledging QoS 1, and counts them', async () => {
    const watcher = await subscriber(broker, 'sys-spoof-watcher', ['$SYS/spoof/#', 'after']);
    const spoofer = watcher.client;
    const dropped = () => broker.server.broker.counters.dropped['sys-topic'];
    const before = dropped();
    await spoofer.publishAsync('$SYS/spoof/a', 'x', { qos: 0 });
    await expect(spoofer.publishAsync('$SYS/spoof/b', 'x', { qos: 1, retain: true })).resolves.toBeDefined();
    await spoofer.publishAsync('after', 'y', { qos: 1 });
    await watcher.next((m) => m.topic === 'after', 'the message after');
    expect(watcher.got.filter((m) => m.topic.startsWith('$SYS'))).toEqual([]);
    expect(dropped() - before).toBe(2);
    expect(spoofer.connected).toBe(true);
  });

  it('publishes nothing when sysInterval is 0', async () => {
    const quiet = await startBroker({ sysInterval: 0, brokerId: 'quiet' });
    try {
      const sub = await subscriber(quiet, 'nosys', ['$SYS/#', 'sentinel']);
      sub.client.publish('sentinel', 'here');
      await sub.next((m) => m.topic === 'sentinel', 'the sentinel');
      expect(sub.got.map((m) => m.topic)).toEqual(['sentinel']);
    } finally {
      await quiet.stop();
    }
  });
});
