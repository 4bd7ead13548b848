// Test whether GET /debug/events streams the transitions of a client that connects, subscribes and
// disconnects, filters them, turns XState inspection off when no viewer is left, and whether a slow
// viewer loses events (counted and announced) instead of holding the broker's memory.
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InspectionEvent, type InspectionEventData } from '../../src/broker/inspection/events.js';
import { parseFilter, SseViewer } from '../../src/server/debug/sse.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { until } from '../support/http-client.js';
import { openSse, type SseMessage } from '../support/sse-client.js';

let broker: TestBroker;

beforeAll(async () => {
  broker = await startBroker({ sysInterval: 0 });
});

afterAll(async () => {
  await broker.stop();
});

const data = (m: SseMessage): InspectionEventData => JSON.parse(m.data) as InspectionEventData;
const isTransition = (pred: (d: InspectionEventData) => boolean) => (m: SseMessage) =>
  m.event === 'transition' && pred(data(m));

async function connectSubscribeDisconnect(clientId: string): Promise<void> {
  const client = mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync('x/y', { qos: 1 });
  await client.endAsync();
}

describe('GET /debug/events', () => {
  it('delivers the transitions of a client that connects, subscribes and disconnects', async () => {
    const sse = await openSse(broker.httpPort, '/debug/events?clientId=sse-client');
    try {
      const hello = await sse.next((m) => m.event === 'hello');
      expect(JSON.parse(hello.data)).toMatchObject({ brokerId: 'test', filter: { clientId: 'sse-client' } });
      await connectSubscribeDisconnect('sse-client');
      await sse.next(
        isTransition((d) => d.to === 'closed'),
        5000,
        'the close',
      );
      const events = sse.messages.filter((m) => m.event === 'transition').map(data);
      expect(events.every((e) => e.clientId === 'sse-client' && e.actor === 'connection')).toBe(true);
      const steps = events.map((e) => [e.event, e.from, e.to]);
      expect(steps).toContainEqual(['packets', 'awaitingConnect', 'connecting']);
      expect(steps).toContainEqual(['session.granted', 'connecting', 'connected.alive']);
      expect(steps).toContainEqual(['subscribe.done', 'connected.alive', 'connected.alive']);
      expect(steps.at(-1)).toEqual(['packets', 'connected.alive', 'closed']);
      const subscribe = events.find((e) => e.event === 'packets' && !e.changed);
      expect(subscribe?.detail).toMatchObject({
        count: 1,
        packets: [{ cmd: 'subscribe', filters: ['x/y'] }],
      });
      expect(JSON.stringify(subscribe?.detail)).not.toContain('payload');
      const order = ['connecting', 'session.granted', 'subscribe.done', 'closed'].map((k) =>
        events.findIndex((e) => e.to === k || e.event === k),
      );
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    } finally {
      sse.close();
    }
  });

  it('filters by event type and state changes, and keeps other clients out', async () => {
    const granted = await openSse(broker.httpPort, '/debug/events?type=session.granted');
    const changes = await openSse(broker.httpPort, '/debug/events?clientId=filt&changes=1');
    try {
      await connectSubscribeDisconnect('other');
      await connectSubscribeDisconnect('filtered');
      await changes.next(
        isTransition((d) => d.to === 'closed'),
        5000,
        'the close of filtered',
      );
      await granted.next(
        isTransition((d) => d.clientId === 'filtered'),
        5000,
        'the grant of filtered',
      );
      const grants = granted.messages.filter((m) => m.event === 'transition').map(data);
      expect(grants.map((e) => [e.event, e.clientId])).toEqual([
        ['session.granted', 'other'],
        ['session.granted', 'filtered'],
      ]);
      const changed = changes.messages.filter((m) => m.event === 'transition').map(data);
      expect(changed.map((e) => e.to)).toEqual(['connecting', 'connected.alive', 'closed']);
    } finally {
      granted.close();
      changes.close();
    }
  });

  it('registers XState inspection only while someone watches', async () => {
    const inspection = broker.server.broker.inspection;
    const client = mqtt.connect({
      host: '127.0.0.1',
      port: broker.port,
      clientId: 'watched',
      reconnectPeriod: 0,
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const tracked = () => [...inspection.liveConnections()].find((t) => t.conn?.clientId === 'watched')!;
    expect(tracked().inspectSub).toBeNull();
    const sse = await openSse(broker.httpPort, '/debug/events');
    await sse.next((m) => m.event === 'hello');
    expect(inspection.viewers).toBe(1);
    expect(tracked().inspectSub).not.toBeNull();
    expect(inspection.coordinator?.inspectSub).not.toBeNull();
    sse.close();
    await until(
      async () => inspection.viewers,
      (n) => n === 0,
      5000,
      'the viewer to leave',
    );
    expect(tracked().inspectSub).toBeNull();
    expect(inspection.coordinator?.inspectSub).toBeNull();
    await client.endAsync();
  });
});

/** An HTTP response whose socket is full: every write reports back-pressure until 'drain'. */
class StuckResponse extends EventEmitter {
  readonly chunks: string[] = [];
  writeHead(): this {
    return this;
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return false;
  }
}

function event(seq: number): InspectionEvent {
  return new InspectionEvent({
    seq,
    at: 0,
    brokerId: 'b',
    actor: 'connection',
    id: `c${seq}`,
    clientId: 'slow',
    event: 'deliver',
    from: 'connected.alive',
    to: 'connected.alive',
    changed: false,
  });
}

describe('a slow viewer', () => {
  it('keeps at most its queue, counts what it drops and announces it once it catches up', async () => {
    const res = new StuckResponse();
    let droppedTotal = 0;
    const viewer = new SseViewer(
      res as unknown as http.ServerResponse,
      parseFilter(new URL('http://x/debug/events')),
      { maxQueued: 100, heartbeatMs: 60_000 },
      (n) => (droppedTotal += n),
    );
    viewer.hello({});
    for (let seq = 1; seq <= 5000; seq++) viewer.push(event(seq));
    await new Promise((r) => setImmediate(r));
    expect(res.chunks).toHaveLength(1); // the greeting; the socket is blocked from then on
    expect(viewer.dropped).toBe(4900);
    expect(droppedTotal).toBe(4900);
    res.emit('drain');
    const flushed = res.chunks.slice(1).join('');
    expect(flushed).toContain('event: dropped\ndata: {"dropped":4900,"total":4900}');
    expect(flushed.match(/event: transition/g)).toHaveLength(100);
    expect(flushed).toContain('id: 100\n');
    expect(flushed).not.toContain('id: 101\n');
    viewer.close();
  });
});
