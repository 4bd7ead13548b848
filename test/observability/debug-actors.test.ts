// Test whether GET /debug/actors, /debug/actors/:clientId and /debug/coordinator show exactly the
// states and counts of clients put in known states: connected, a PUBCOMP owed, a PUBREL owed, a
// keep-alive about to expire, no CONNECT yet, a persistent session; and never a password or payload.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';
import { getJson, until } from '../support/http-client.js';
import { rawClient, rawConnection, type RawClient } from '../support/raw-mqtt.js';

interface Summary {
  clientId: string | null;
  connId: string;
  state: string;
  session: { kind: string; expiry?: number } | null;
  keepAlive: number;
  keepAliveExpiresInMs: number | null;
  inflight: number;
  awaitingPubcomp: number;
  queued: number;
  inboundUnacked: number;
  awaitingPubrel: number;
  subscriptions: string[];
}
interface List {
  total: number;
  offset: number;
  limit: number;
  states: Record<string, number>;
  actors: Summary[];
}

let broker: TestBroker;
const mqttClients: MqttClient[] = [];
const raws: RawClient[] = [];

function connect(clientId: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect({
    host: '127.0.0.1',
    port: broker.port,
    clientId,
    reconnectPeriod: 0,
    ...options,
  });
  mqttClients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

const list = (query = ''): Promise<List> => getJson<List>(broker.httpPort, `/debug/actors${query}`);
const one = (id: string, query = ''): Promise<Record<string, unknown>> =>
  getJson(broker.httpPort, `/debug/actors/${encodeURIComponent(id)}${query}`);
const byClient = (l: List, id: string): Summary => {
  const a = l.actors.find((x) => x.clientId === id);
  if (a === undefined) throw new Error(`${id} not listed: ${JSON.stringify(l.actors)}`);
  return a;
};

beforeAll(async () => {
  broker = await startBroker({ sysInterval: 0 });
  const plain = await connect('plain', { username: 'alice', password: 's3cret-pw' });
  await plain.subscribeAsync('a/b', { qos: 1 });
  await plain.subscribeAsync('$share/g/s/t', { qos: 0 }); // held in the replicated state
  await connect('persist', { clean: false }).then((c) => c.subscribeAsync('p/#', { qos: 1 }));

  // a subscriber that acknowledges a QoS 2 message with PUBREC and never completes it (PUBCOMP due)
  const pubcomp = await rawClient(broker.port, { clientId: 'pub-comp-due' });
  raws.push(pubcomp);
  pubcomp.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q2/#', qos: 2 }] });
  await pubcomp.next('suback');
  await plain.publishAsync('q2/x', Buffer.alloc(100, 'A'), { qos: 2 });
  const publish = await pubcomp.next('publish');
  pubcomp.send({ cmd: 'pubrec', messageId: publish.messageId! });
  await pubcomp.next('pubrel');

  // a publisher of a QoS 2 message that never releases it (PUBREL due)
  const pubrel = await rawClient(broker.port, { clientId: 'pub-rel-due' });
  raws.push(pubrel);
  pubrel.send({
    cmd: 'publish',
    topic: 'in/x',
    payload: Buffer.from('x'),
    qos: 2,
    messageId: 7,
    retain: false,
    dup: false,
  });
  await pubrel.next('pubrec');

  // a TCP connection that has not sent CONNECT
  const { client: silent } = await rawConnection(broker.port);
  raws.push(silent);
  await until(list, (l) => l.states.awaitingConnect === 1, 5000, 'the silent connection');
});

afterAll(async () => {
  for (const c of mqttClients.splice(0)) c.end(true);
  for (const r of raws.splice(0)) r.close();
  await broker.stop();
});

describe('GET /debug/actors', () => {
  it('lists every connection actor with its state, session, keep-alive, inflight and queued counts', async () => {
    const l = await list();
    expect(l.total).toBe(5);
    expect(l.states).toEqual({ 'connected.alive': 4, awaitingConnect: 1 });
    expect(byClient(l, 'plain')).toMatchObject({
      state: 'connected.alive',
      session: { kind: 'clean' },
      keepAlive: 60,
      inflight: 0,
      queued: 0,
      awaitingPubrel: 0,
      subscriptions: ['a/b', '$share/g/s/t'],
    });
    expect(byClient(l, 'persist')).toMatchObject({
      session: { kind: 'persistent', expiry: 7200 },
      subscriptions: ['p/#'],
    });
    expect(byClient(l, 'pub-comp-due')).toMatchObject({
      inflight: 1,
      awaitingPubcomp: 1,
      queued: 0,
      subscriptions: ['q2/#'],
    });
    expect(byClient(l, 'pub-rel-due')).toMatchObject({ awaitingPubrel: 1, inboundUnacked: 1, inflight: 0 });
    const silent = l.actors.find((a) => a.state === 'awaitingConnect');
    expect(silent).toMatchObject({ clientId: null, session: null, keepAliveExpiresInMs: null });
  });

  it('filters by client id prefix and by state, and pages', async () => {
    const pub = await list('?clientId=pub-');
    expect(pub.actors.map((a) => a.clientId).sort()).toEqual(['pub-comp-due', 'pub-rel-due']);
    expect((await list('?state=awaitingConnect')).total).toBe(1);
    expect((await list('?state=connected')).total).toBe(4);
    expect((await list('?state=connected.alive&clientId=pl')).actors.map((a) => a.clientId)).toEqual([
      'plain',
    ]);
    const page = await list('?offset=1&limit=2');
    expect(page).toMatchObject({ total: 5, offset: 1, limit: 2 });
    expect(page.actors).toHaveLength(2);
    expect(page.actors[0]!.connId).toBe((await list()).actors[1]!.connId);
  });

  it('shows a keep-alive about to expire, then the connection closed by it', async () => {
    const sleepy = await rawClient(broker.port, { clientId: 'sleepy', keepalive: 1 });
    raws.push(sleepy);
    const a = byClient(await list('?clientId=sleepy'), 'sleepy');
    expect(a.keepAlive).toBe(1);
    expect(a.keepAliveExpiresInMs).toBeGreaterThan(0);
    expect(a.keepAliveExpiresInMs).toBeLessThanOrEqual(1500);
    const closed = await until(
      () => one('sleepy'),
      (d) => d.live === false,
      10_000,
      'the keep-alive timeout',
    );
    expect(closed.closeReason).toMatchObject({ kind: 'error', error: 'keep-alive-timeout' });
    const history = closed.history as { from: string | null; to: string; via: string[] }[];
    expect(history.map((h) => h.to)).toEqual(['awaitingConnect', 'connecting', 'connected.alive', 'closed']);
    expect(history.at(-1)!.via).toContain('after KEEP_ALIVE');
  });
});

describe('GET /debug/actors/:clientId', () => {
  it('gives the snapshot as plain JSON with the history, and never the password', async () => {
    const d = await one('plain');
    expect(d).toMatchObject({ live: true, clientId: 'plain', state: 'connected.alive' });
    const snapshot = d.snapshot as { status: string; value: unknown; context: Record<string, unknown> };
    expect(snapshot.status).toBe('active');
    expect(snapshot.value).toEqual({ connected: 'alive' });
    expect(snapshot.context).toMatchObject({ clientId: 'plain', keepAliveMs: 60_000, version: 4 });
    expect(snapshot.context).not.toHaveProperty('now');
    expect((d.subscriptions as { filter: string; qos: number }[]).map((x) => [x.filter, x.qos])).toEqual([
      ['a/b', 1],
      ['$share/g/s/t', 0],
    ]);
    expect((snapshot.context.connect as Record<string, unknown>).password).toBe('[redacted]');
    expect(JSON.stringify(d)).not.toContain('s3cret-pw');
    const history = d.history as { from: string | null; to: string; via: string[] }[];
    expect(history).toEqual([
      expect.objectContaining({ from: null, to: 'awaitingConnect' }),
      expect.objectContaining({ from: 'awaitingConnect', to: 'connecting', via: ['connect'] }),
      expect.objectContaining({ from: 'connecting', to: 'connected.alive', via: ['session.granted'] }),
    ]);
  });

  it('summarises the outbound window: ids and topics, payload sizes, a preview only when asked', async () => {
    const outbound = async (query: string) =>
      (
        (await one('pub-comp-due', query)).snapshot as {
          context: { outbound: { inflight: Record<string, unknown>[] } };
        }
      ).context.outbound;
    const plain = await outbound('');
    expect(plain).toMatchObject({ inflightCount: 1, queuedCount: 0 });
    expect(plain.inflight[0]).toMatchObject({
      topic: 'q2/x',
      qos: 2,
      phase: 'release',
      payload: { bytes: 100 },
    });
    expect(plain.inflight[0]!.payload).not.toHaveProperty('preview');
    const previewed = await outbound('?payload=preview');
    expect(previewed.inflight[0]!.payload).toEqual({
      bytes: 100,
      preview: 'A'.repeat(64),
      previewHex: '41'.repeat(64),
      truncated: true,
    });
  });

  it('answers 404 for a client it does not know', async () => {
    await expect(one('nobody')).rejects.toThrow(/404/);
  });
});

describe('GET /debug/coordinator', () => {
  it('shows the role, leader, members, link, log positions, lag and quota', async () => {
    const c = await getJson(broker.httpPort, '/debug/coordinator');
    expect(c).toMatchObject({
      brokerId: 'test',
      role: 'leader',
      leaderId: 'test',
      link: 'connected',
      state: 'leader',
      lag: 0,
    });
    expect(c.members).toEqual([
      expect.objectContaining({ brokerId: 'test', leader: true, self: true, lag: 0 }),
    ]);
    const log = c.log as Record<string, unknown>;
    expect(log).toMatchObject({ applied: log.head, pendingEvents: 0 });
    expect(typeof log.head).toBe('number');
    expect(c.quota).toEqual(expect.objectContaining({ exceeded: false, refused: 0 }));
    expect(c.context).toEqual(expect.objectContaining({ brokerId: 'test', dutyErrors: 0 }));
  });
});
