// Test whether the debug token guards /debug data and /metrics (401 without, 200 with) while health,
// readiness and the page's shell stay open; whether readiness turns false as soon as shutdown
// starts; and whether every log line about a client carries its clientId and the brokerId.
import { Writable } from 'node:stream';
import net from 'node:net';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';
import { startServer } from '../../src/server/server.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { httpGet, until } from '../support/http-client.js';

describe('the debug token', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker({ debugToken: 'tok-123', sysInterval: 0 });
  });
  afterAll(async () => {
    await broker.stop();
  });
  const get = (path: string, token?: string) =>
    httpGet(broker.httpPort, path, token !== undefined ? { authorization: `Bearer ${token}` } : {});

  it('answers 401 without the token and 200 with it, for /debug data and /metrics', async () => {
    for (const path of [
      '/debug/actors',
      '/debug/actors/x',
      '/debug/coordinator',
      '/debug/events',
      '/metrics',
    ]) {
      const none = await get(path);
      expect([path, none.status]).toEqual([path, 401]);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expect([path, (await get(path, 'wrong')).status]).toEqual([path, 401]);
    }
    expect((await get('/debug/actors', 'tok-123')).status).toBe(200);
    expect((await get('/debug/coordinator', 'tok-123')).status).toBe(200);
    expect((await get('/metrics', 'tok-123')).status).toBe(200);
  });

  it('leaves health, readiness and the page shell (which holds no data) open', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    const page = await get('/debug/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });

  it('binds the HTTP endpoint to localhost unless configured', () => {
    expect(loadConfig({}, {}).httpHost).toBe('127.0.0.1');
  });
});

describe('readiness on shutdown', () => {
  it('turns /readyz to 503 (draining) as soon as close() starts', async () => {
    const broker = await startBroker({ sysInterval: 0 });
    expect((await httpGet(broker.httpPort, '/readyz')).status).toBe(200);
    // a client that keeps its side open makes the drain last (its socket is cut after 2 s)
    const stubborn = net.connect({ host: '127.0.0.1', port: broker.port, allowHalfOpen: true });
    await new Promise<void>((resolve) => stubborn.once('connect', () => resolve()));
    stubborn.on('error', () => undefined);
    await until(
      async () => broker.server.broker.connections.size,
      (n) => n === 1,
      5000,
      'the connection',
    );
    const closed = broker.stop();
    expect(broker.server.draining).toBe(true);
    const ready = await httpGet(broker.httpPort, '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'not ready', draining: true });
    await closed;
    stubborn.destroy();
  });
});

describe('structured logs', () => {
  it('puts clientId and brokerId on every line about a client', async () => {
    const lines: Record<string, unknown>[] = [];
    const raw: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) {
          if (line === '') continue;
          raw.push(line);
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    const config = {
      ...loadConfig({}, {}),
      brokerId: 'logged',
      host: '127.0.0.1',
      port: 0,
      httpPort: 0,
      standalone: true,
      sysInterval: 0,
    };
    const server = await startServer(config, pino({ level: 'debug' }, sink));
    try {
      const client = mqtt.connect({
        host: '127.0.0.1',
        port: server.mqttPort,
        clientId: 'log-me',
        reconnectPeriod: 0,
      });
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      await client.subscribeAsync('l/#');
      await client.publishAsync('$SYS/nope', 'x');
      await client.endAsync();
      await until(
        async () => lines.some((l) => l.msg === 'client disconnected'),
        (v) => v,
        5000,
        'the disconnect line',
      );
    } finally {
      await server.close();
    }
    const aboutClient = lines.filter(
      (l) => l.connId !== undefined && l.msg !== 'connection closed before CONNACK',
    );
    expect(aboutClient.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'client connected',
        'subscribe',
        'publish to a $SYS topic dropped',
        'client disconnected',
      ]),
    );
    for (const l of aboutClient) expect([l.msg, l.clientId, l.brokerId]).toEqual([l.msg, 'log-me', 'logged']);
    // one key each: the rebound child logger does not repeat clientId or brokerId
    for (const line of raw.filter((l) => l.includes('"connId"') && l.includes('"clientId"'))) {
      expect(line.match(/"clientId"/g)).toHaveLength(1);
      expect(line.match(/"brokerId"/g)).toHaveLength(1);
    }
  });
});
