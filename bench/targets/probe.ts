/**
 * Readiness probes. A broker is ready when its port accepts a CONNECT and answers a successful
 * CONNACK (not merely when the port is open). Redis is ready when it answers PING with PONG.
 */
import net from 'node:net';
import type { Endpoint } from '../client.js';
import { BenchClient } from '../client.js';
import { sleep } from '../clock.js';

export class NotReadyError extends Error {
  override name = 'NotReadyError';
}

let probes = 0;

/**
 * Retries the CONNECT/CONNACK probe every 100 ms until it succeeds, `stillRunning` says the
 * process died, or `timeoutMs` passed.
 */
export async function waitForBroker(
  endpoint: Endpoint,
  timeoutMs: number,
  stillRunning: () => boolean,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError = 'no attempt';
  while (Date.now() < until) {
    if (!stillRunning()) throw new NotReadyError(`process exited before ${endpoint.port} was ready`);
    try {
      const client = await BenchClient.connect(endpoint, `bench-probe-${process.pid}-${probes++}`, 1000);
      client.close();
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(100);
  }
  throw new NotReadyError(
    `no CONNACK on ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms (${lastError})`,
  );
}

/** Waits until a Redis server on `port` answers PING. */
export async function waitForRedis(
  port: number,
  timeoutMs: number,
  stillRunning: () => boolean,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!stillRunning()) throw new NotReadyError('redis-server exited before it was ready');
    if (await redisPing(port)) return;
    await sleep(100);
  }
  throw new NotReadyError(`redis-server on ${port} did not answer PING within ${timeoutMs} ms`);
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
