/**
 * A cheap MQTT 3.1.1 client over a raw TCP socket, for the load generator.
 *
 * Control packets (CONNECT, SUBSCRIBE, DISCONNECT and their acks) go through mqtt-packet; PUBLISH
 * and PUBACK are framed and decoded by offset in bench/frames.ts so that a delivery allocates
 * nothing. The client does no queueing of its own: callers write pre-encoded batches and watch
 * `writableLength` for back-pressure. Roles (publisher, subscriber) set the hooks.
 */
import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { nowUs } from './clock.js';
import { FrameReader, type FrameSink } from './frames.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface ClientHooks {
  onPublish(buf: Buffer, qos: number, packetId: number, payloadStart: number, payloadEnd: number): void;
  onPuback(packetId: number): void;
  /** After every chunk read from the socket (flush acks, refill a window). */
  afterChunk(): void;
}

export class ClientError extends Error {
  override name = 'ClientError';
}

const NO_HOOKS: ClientHooks = {
  onPublish: () => undefined,
  onPuback: () => undefined,
  afterChunk: () => undefined,
};

export class BenchClient implements FrameSink {
  hooks: ClientHooks = NO_HOOKS;
  /** Receive time of the chunk being processed, in µs (one clock read per chunk). */
  chunkTimeUs = 0;
  /** The first socket error or unexpected close, if any. */
  failure: Error | null = null;
  private readonly reader = new FrameReader();
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });
  private waiters: ((packet: Packet) => boolean)[] = [];
  private closing = false;

  private constructor(
    private readonly socket: net.Socket,
    readonly clientId: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => {
      if (!this.closing) this.fail(new ClientError(`${clientId}: connection closed by the broker`));
    });
    this.parser.on('packet', (packet: Packet) => {
      this.waiters = this.waiters.filter((accept) => !accept(packet));
    });
    this.parser.on('error', (err: Error) => this.fail(err));
  }

  /** Connects, sends CONNECT (clean session) and waits for a successful CONNACK. */
  static async connect(endpoint: Endpoint, clientId: string, timeoutMs: number): Promise<BenchClient> {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const client = new BenchClient(socket, clientId);
    const connack = client.expect((p) => p.cmd === 'connack', timeoutMs, 'CONNACK');
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        keepalive: 0,
        clientId,
      }),
    );
    try {
      const packet = await connack;
      if (packet.cmd === 'connack' && (packet.returnCode ?? 0) !== 0) {
        throw new ClientError(`${clientId}: CONNACK return code ${packet.returnCode ?? '?'}`);
      }
    } catch (err) {
      client.destroy();
      throw err;
    }
    return client;
  }

  /** Subscribes to `topic` and waits for a SUBACK granting it. */
  async subscribe(topic: string, qos: 0 | 1, timeoutMs: number): Promise<void> {
    const messageId = 1 + Math.floor(Math.random() * 60000);
    const suback = this.expect((p) => p.cmd === 'suback' && p.messageId === messageId, timeoutMs, 'SUBACK');
    this.socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos }] }));
    const packet = await suback;
    if (packet.cmd === 'suback' && packet.granted.some((g) => typeof g !== 'number' || g >= 0x80)) {
      throw new ClientError(`${this.clientId}: subscription to ${topic} refused`);
    }
  }

  /** Writes bytes; false when the socket buffers more than its high-water mark. */
  write(buf: Buffer): boolean {
    return this.socket.write(buf);
  }

  get writableLength(): number {
    return this.socket.writableLength;
  }

  get writableHighWaterMark(): number {
    return this.socket.writableHighWaterMark;
  }

  /**
   * Resolves at the next 'drain', at a close, or after `maxMs` (so a caller's deadline is never
   * missed: 'drain' only comes after a write that returned false).
   */
  waitDrain(maxMs = 50): Promise<void> {
    if (this.socket.writableLength === 0 || this.failure !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Sends DISCONNECT and ends the socket; destroys it if the broker does not close it soon. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.hooks = NO_HOOKS;
    if (!this.socket.destroyed) {
      this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  onPublish(buf: Buffer, qos: number, packetId: number, payloadStart: number, payloadEnd: number): void {
    this.hooks.onPublish(buf, qos, packetId, payloadStart, payloadEnd);
  }

  onPuback(packetId: number): void {
    this.hooks.onPuback(packetId);
  }

  onOtherFrame(frame: Buffer): void {
    this.parser.parse(frame);
  }

  private onData(chunk: Buffer): void {
    this.chunkTimeUs = nowUs();
    try {
      this.reader.push(chunk, this);
    } catch (err) {
      this.fail(err instanceof Error ? err : new ClientError(String(err)));
      this.socket.destroy();
      return;
    }
    this.hooks.afterChunk();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const accept of this.waiters) accept({ cmd: 'disconnect' });
    this.waiters = [];
  }

  /** A promise for the next packet matching `match`, rejected on timeout or failure. */
  private expect(match: (p: Packet) => boolean, timeoutMs: number, what: string): Promise<Packet> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== accept);
        reject(new ClientError(`${this.clientId}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const accept = (packet: Packet): boolean => {
        if (this.failure !== null) {
          clearTimeout(timer);
          reject(new ClientError(`${this.clientId}: ${this.failure.message} while waiting for ${what}`));
          return true;
        }
        if (!match(packet)) return false;
        clearTimeout(timer);
        resolve(packet);
        return true;
      };
      this.waiters.push(accept);
    });
  }
}
