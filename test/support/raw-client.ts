/**
 * A small raw MQTT client for black-box tests over real TCP: it sends packets (encoded with
 * mqtt-packet) or bytes exactly as given, splits what the server sends into frames, and lets a test
 * await the next one or the end of the connection. Every wait is bounded.
 */
import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import type { IConnackPacket, IConnectPacket, Packet } from 'mqtt-packet';

/** One packet as the server sent it: its bytes, and what mqtt-packet made of them. */
export interface Frame {
  bytes: Buffer;
  packet: Packet;
}

export type Version = 3 | 4 | 5;

const DEFAULT_WAIT_MS = 3000;
let clientCounter = 0;

/** Bytes from hex written with spaces for readability: `hex('20 02 00 00')`. */
export function hex(text: string): Buffer {
  const digits = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`not hex: ${text}`);
  return Buffer.from(digits, 'hex');
}

/** A client id unique within this test process, readable in broker logs. */
export function uniqueId(prefix = 'c'): string {
  clientCounter++;
  return `${prefix}${process.pid}x${clientCounter}`;
}

/** A CONNECT with harmless defaults: MQTT 3.1.1, clean session, no keep-alive, a unique id. */
export function connectPacket(over: Partial<IConnectPacket> = {}): IConnectPacket {
  const version = over.protocolVersion ?? 4;
  return {
    cmd: 'connect',
    protocolId: version === 3 ? 'MQIsdp' : 'MQTT',
    protocolVersion: version,
    clientId: uniqueId(),
    clean: true,
    keepalive: 0,
    ...over,
  };
}

export class RawClient {
  /** Every frame received, in order, whether consumed or not. */
  readonly received: Frame[] = [];
  private readonly queue: Frame[] = [];
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  private failure: Error | null = null;
  private wakers: (() => void)[] = [];

  private constructor(
    private readonly socket: net.Socket,
    public version: Version,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const end = (): void => {
      this.ended = true;
      this.notify();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  /** Opens a TCP connection; nothing is sent. */
  static open(port: number, version: Version = 4, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no TCP connection to ${host}:${port} within ${DEFAULT_WAIT_MS} ms`));
      }, DEFAULT_WAIT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', reject);
        resolve(new RawClient(socket, version));
      });
      socket.once('error', reject);
    });
  }

  /** Opens a connection, sends CONNECT and expects CONNACK 0 (the session-present flag is not checked). */
  static async connect(port: number, over: Partial<IConnectPacket> = {}): Promise<RawClient> {
    const packet = connectPacket(over);
    const client = await RawClient.open(port, packet.protocolVersion);
    try {
      const connack = await client.handshake(packet);
      const code = connack.returnCode ?? connack.reasonCode;
      if (code !== 0) throw new Error(`CONNECT refused with ${code}`);
      return client;
    } catch (err) {
      client.destroy();
      throw err;
    }
  }

  /** Sends CONNECT and returns the CONNACK. */
  async handshake(packet: IConnectPacket): Promise<IConnackPacket> {
    this.version = packet.protocolVersion as Version;
    this.send(packet);
    return this.expect('connack');
  }

  send(packet: Packet): void {
    this.sendBytes(mqttPacket.generate(packet, { protocolVersion: this.version }));
  }

  /** Writes bytes as given: a Buffer, or hex text. */
  sendBytes(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? hex(bytes) : bytes);
  }

  /** The next frame; rejects when the connection ends first or nothing comes within `ms`. */
  async nextFrame(ms = DEFAULT_WAIT_MS): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const frame = this.queue.shift();
      if (frame !== undefined) return frame;
      if (this.failure !== null) throw this.failure;
      if (this.ended) throw new Error('connection closed while waiting for a packet');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no packet within ${ms} ms`);
      await this.waitForEvent(left);
    }
  }

  async next(ms = DEFAULT_WAIT_MS): Promise<Packet> {
    return (await this.nextFrame(ms)).packet;
  }

  /** The next packet, which must be of type `cmd`. */
  async expect<C extends Packet['cmd']>(cmd: C, ms = DEFAULT_WAIT_MS): Promise<Extract<Packet, { cmd: C }>> {
    const packet = await this.next(ms);
    if (packet.cmd !== cmd) throw new Error(`expected ${cmd}, got ${JSON.stringify(packet)}`);
    return packet as Extract<Packet, { cmd: C }>;
  }

  /**
   * The first packet of type `cmd` (and, if given, packet id `messageId`), waiting for it; packets of
   * other types stay queued, in order, for later reads.
   */
  async nextOf<C extends Packet['cmd']>(
    cmd: C,
    messageId?: number,
    ms = DEFAULT_WAIT_MS,
  ): Promise<Extract<Packet, { cmd: C }>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.queue.findIndex(
        (f) => f.packet.cmd === cmd && (messageId === undefined || f.packet.messageId === messageId),
      );
      if (i >= 0) return this.queue.splice(i, 1)[0]!.packet as Extract<Packet, { cmd: C }>;
      if (this.failure !== null) throw this.failure;
      if (this.ended) throw new Error(`connection closed while waiting for ${cmd}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${cmd} within ${ms} ms`);
      await this.waitForEvent(left);
    }
  }

  /** Resolves when nothing arrives for `ms` and the connection stays open; rejects otherwise. */
  async nothingFor(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const frame = this.queue.shift();
      if (frame !== undefined) throw new Error(`unexpected packet ${JSON.stringify(frame.packet)}`);
      if (this.ended) throw new Error('the connection closed while nothing was expected');
      const left = deadline - Date.now();
      if (left <= 0) return;
      await this.waitForEvent(left);
    }
  }

  /**
   * Waits until the server closes the connection and returns the packets that came before the
   * close and were not consumed (`[]`: closed without a word). Rejects if it stays open for `ms`.
   */
  async closed(ms = DEFAULT_WAIT_MS): Promise<Packet[]> {
    const deadline = Date.now() + ms;
    while (!this.ended) {
      if (this.failure !== null) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`connection still open after ${ms} ms`);
      await this.waitForEvent(left);
    }
    if (this.failure !== null) throw this.failure;
    return this.queue.splice(0).map((f) => f.packet);
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** PINGREQ, and PINGRESP within the wait: the connection is alive. */
  async ping(ms = DEFAULT_WAIT_MS): Promise<void> {
    this.send({ cmd: 'pingreq' });
    await this.expect('pingresp', ms);
  }

  /** DISCONNECT, then close our side. */
  async disconnect(): Promise<void> {
    if (this.ended) return;
    this.send({ cmd: 'disconnect' });
    await this.end();
  }

  /** Closes our side and waits (bounded) for the socket to close. */
  async end(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, DEFAULT_WAIT_MS);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }

  /** Drops the connection abruptly, without DISCONNECT (a network failure as the server sees it). */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    try {
      for (;;) {
        const size = frameSize(this.pending);
        if (size === null || size > this.pending.length) break;
        const bytes = Buffer.from(this.pending.subarray(0, size));
        this.pending = this.pending.subarray(size);
        const frame = { bytes, packet: parseFrame(bytes, this.version) };
        this.received.push(frame);
        this.queue.push(frame);
      }
    } catch (err) {
      // the server sent something unreadable: the test fails on its next wait
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.socket.destroy();
    }
    this.notify();
  }

  private notify(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }

  private waitForEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.wakers = this.wakers.filter((w) => w !== wake);
        resolve();
      }, ms);
      this.wakers.push(wake);
    });
  }
}

/** Bytes of the whole frame at the start of `buf`, or null while its fixed header is incomplete. */
function frameSize(buf: Buffer): number | null {
  let length = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    if (i >= buf.length) return null;
    const byte = buf[i]!;
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return 1 + i + length;
    multiplier *= 128;
  }
  throw new Error('server sent a malformed remaining length');
}

function parseFrame(bytes: Buffer, version: Version): Packet {
  const parser = mqttPacket.parser({ protocolVersion: version });
  let packet: Packet | undefined;
  let error: Error | undefined;
  parser.on('packet', (p: Packet) => (packet = p));
  parser.on('error', (e: Error) => (error = e));
  parser.parse(bytes);
  if (packet === undefined) {
    throw new Error(
      `server sent bytes mqtt-packet cannot parse (${bytes.toString('hex')}): ${error?.message}`,
    );
  }
  return packet;
}
