/**
 * A TCP proxy between one ZooKeeper client and every server of an ensemble (one listener per
 * server), for fault injection with real ZooKeeper: cut the link and keep it down, freeze it (a
 * hung server: sockets open, nothing moves), or lose the reply of the next log create: the
 * request reaches the server and commits, the proxy swallows the reply and then cuts the
 * connection, so the client learns nothing but "connection loss".
 *
 * It reads ZooKeeper's framing (4-byte length, then for requests xid and op type; for replies xid,
 * zxid and error) just enough to find a create, including creates inside multi().
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

type Mode = 'pass' | 'refuse' | 'freeze';

const OP = { CREATE: 1, DELETE: 2, SET_DATA: 5, CHECK: 13, MULTI: 14, CREATE2: 15 } as const;

interface Link {
  client: Socket;
  server: Socket;
  upstream: number;
  /** The xid whose reply we wait for, swallowing replies meanwhile; then the link is cut. */
  swallowUntil: number | null;
}

interface ArmedLoss {
  match: (path: string) => boolean;
  resolve: () => void;
}

export class FaultProxy {
  /** Per server (listener). */
  private readonly modes: Mode[];
  private readonly links = new Set<Link>();
  private armed: ArmedLoss | null = null;
  private frozen: (() => void)[] = [];

  private constructor(
    private readonly servers: Server[],
    readonly ports: number[],
    private readonly upstreams: { host: string; port: number }[],
  ) {
    this.modes = upstreams.map(() => 'pass');
  }

  static async start(upstreams: { host: string; port: number }[]): Promise<FaultProxy> {
    const servers: Server[] = [];
    const ports: number[] = [];
    const proxy = new FaultProxy(servers, ports, upstreams);
    for (const [i] of upstreams.entries()) {
      const server = createServer((socket) => proxy.accept(socket, i));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      ports.push(typeof address === 'object' && address !== null ? address.port : 0);
      servers.push(server);
    }
    return proxy;
  }

  get connectString(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** Indexes of the servers the client is connected to right now. */
  connectedTo(): number[] {
    return [...this.links].map((link) => link.upstream);
  }

  /** Cuts every connection and refuses new ones until `pass()`. */
  refuse(): void {
    this.modes.fill('refuse');
    for (const link of [...this.links]) this.cut(link);
  }

  /**
   * Connections to these servers (default: all) stay open but nothing moves, new ones included:
   * a hung server, as the client sees it.
   */
  freeze(upstreams: number[] = this.upstreams.map((_, i) => i)): void {
    for (const i of upstreams) this.modes[i] = 'freeze';
    for (const link of this.links) {
      if (!upstreams.includes(link.upstream)) continue;
      link.client.pause();
      link.server.pause();
    }
  }

  pass(): void {
    for (const link of [...this.links]) {
      if (this.modes[link.upstream] === 'freeze') this.cut(link); // a frozen link is dead to its client
    }
    this.modes.fill('pass');
    for (const release of this.frozen.splice(0)) release();
  }

  /** The reply to the next create whose path matches is lost; resolves once that happened. */
  loseReplyOfNextCreate(match: (path: string) => boolean): Promise<void> {
    return new Promise((resolve) => (this.armed = { match, resolve }));
  }

  async close(): Promise<void> {
    for (const link of [...this.links]) this.cut(link);
    await Promise.all(this.servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }

  private accept(client: Socket, upstream: number): void {
    if (this.modes[upstream] === 'refuse') {
      client.destroy();
      return;
    }
    if (this.modes[upstream] === 'freeze') {
      // Accept and sit on it, as a hung server's kernel would.
      client.pause();
      client.on('error', () => undefined);
      this.frozen.push(() => client.destroy());
      return;
    }
    const target = this.upstreams[upstream]!;
    const server = connect(target.port, target.host);
    const link: Link = { client, server, upstream, swallowUntil: null };
    this.links.add(link);
    client.setNoDelay(true);
    server.setNoDelay(true);
    client.on(
      'data',
      framer((frame, first) => this.fromClient(link, frame, first)),
    );
    server.on(
      'data',
      framer((frame, first) => this.fromServer(link, frame, first)),
    );
    for (const socket of [client, server]) {
      socket.on('error', () => this.cut(link));
      socket.on('close', () => this.cut(link));
    }
  }

  private fromClient(link: Link, frame: Buffer, first: boolean): void {
    if (!first && this.armed !== null) {
      const path = createdPath(frame);
      if (path !== null && this.armed.match(path)) {
        link.swallowUntil = frame.readInt32BE(4);
      }
    }
    link.server.write(frame);
  }

  private fromServer(link: Link, frame: Buffer, first: boolean): void {
    if (link.swallowUntil === null || first) {
      link.client.write(frame);
      return;
    }
    if (frame.readInt32BE(4) !== link.swallowUntil) return; // an earlier reply: lost as well
    // The create committed (this is its reply); the client never hears of it.
    const armed = this.armed;
    this.armed = null;
    this.cut(link);
    armed?.resolve();
  }

  private cut(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.destroy();
    link.server.destroy();
  }
}

/** Splits a byte stream into length-prefixed frames; the first frame of a connection is flagged. */
function framer(onFrame: (frame: Buffer, first: boolean) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let first = true;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0);
      if (pending.length < size + 4) break;
      onFrame(pending.subarray(0, size + 4), first);
      first = false;
      pending = pending.subarray(size + 4);
    }
  };
}

/** The path of the (first) create in a request frame, or null. */
function createdPath(frame: Buffer): string | null {
  const reader = new JuteReader(frame, 4);
  reader.int(); // xid
  const type = reader.int();
  if (type === OP.CREATE || type === OP.CREATE2) return reader.string();
  if (type !== OP.MULTI) return null;
  for (let op = 0; op < 1000; op++) {
    const opType = reader.int();
    const done = reader.bool();
    reader.int(); // err
    if (done) return null;
    const path = reader.string();
    if (opType === OP.CREATE || opType === OP.CREATE2) return path;
    if (opType === OP.SET_DATA) reader.buffer();
    if (opType === OP.SET_DATA || opType === OP.CHECK || opType === OP.DELETE)
      reader.int(); // version
    else return null;
  }
  return null;
}

class JuteReader {
  constructor(
    private readonly buf: Buffer,
    private offset: number,
  ) {}

  int(): number {
    const value = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  bool(): boolean {
    return this.buf.readUInt8(this.offset++) !== 0;
  }

  buffer(): Buffer {
    const length = this.int();
    if (length < 0) return Buffer.alloc(0);
    const value = this.buf.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  string(): string {
    return this.buffer().toString('utf8');
  }
}
