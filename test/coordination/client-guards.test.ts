/**
 * Tests whether the client survives what node-zookeeper-client 1.1.3 does not: a reply with an
 * error code the library does not know (it throws inside its socket handler, which kills the
 * process), and a reply cut in half by a lost connection (the half is glued to the next
 * connection's first bytes). A fake server speaks just enough of ZooKeeper's protocol.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ExponentialBackoffRetry } from '../../src/coordination/zookeeper/retry.js';
import { Code, ZkClient, ZooKeeperError } from '../../src/coordination/zookeeper/internal.js';
import { silentLogger } from '../../src/coordination/zookeeper/options.js';

type Reply = (socket: Socket, xid: number, connection: number) => void;

/** Accepts connections, answers ConnectRequest with a session, and each request with `reply`. */
async function fakeServer(reply: Reply): Promise<{ server: Server; port: number }> {
  let connections = 0;
  const server = createServer((socket) => {
    const connection = ++connections;
    let pending = Buffer.alloc(0);
    let first = true;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32BE(0) + 4) {
        const frame = pending.subarray(4, pending.readInt32BE(0) + 4);
        pending = pending.subarray(frame.length + 4);
        if (first) {
          first = false;
          const body = Buffer.alloc(4 + 4 + 8 + 4 + 16);
          body.writeInt32BE(0, 0); // protocol version
          body.writeInt32BE(4000, 4); // negotiated session timeout
          body.writeBigInt64BE(0x1234n, 8); // session id
          body.writeInt32BE(16, 16); // password length, then 16 zero bytes
          socket.write(Buffer.concat([int32(body.length), body]));
        } else if (frame.readInt32BE(0) >= 0) {
          reply(socket, frame.readInt32BE(0), connection); // xid >= 0: a request (not a ping)
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** ReplyHeader(xid, zxid, err), framed. */
function replyHeader(xid: number, err: number): Buffer {
  const body = Buffer.alloc(16);
  body.writeInt32BE(xid, 0);
  body.writeBigInt64BE(1n, 4);
  body.writeInt32BE(err, 12);
  return Buffer.concat([int32(body.length), body]);
}

function client(port: number): ZkClient {
  return new ZkClient({
    connectString: `127.0.0.1:${port}`,
    root: '/',
    sessionTimeoutMs: 4000,
    spinDelayMs: 10,
    connectRetry: new ExponentialBackoffRetry({ baseSleepMs: 10, maxSleepMs: 50, maxRetries: 5 }),
    operationRetry: new ExponentialBackoffRetry({ baseSleepMs: 10, maxSleepMs: 50, maxRetries: 2 }),
    log: silentLogger,
  });
}

describe('node-zookeeper-client guards', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step();
  });

  it('an error code the library does not know fails the request instead of crashing the process', async () => {
    // QUOTA_EXCEEDED (-125) came with ZooKeeper 3.7; node-zookeeper-client 1.1.3 throws on it.
    const { server, port } = await fakeServer((socket, xid) =>
      socket.write(replyHeader(xid, Code.QUOTA_EXCEEDED)),
    );
    const zk = client(port);
    cleanup.push(
      () => zk.close(),
      () => new Promise((resolve) => server.close(() => resolve())),
    );
    await zk.start();
    const failure = await zk.getData('/x').then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ZooKeeperError);
    expect((failure as ZooKeeperError).codeName).toBe('QUOTA_EXCEEDED');
    expect(zk.state).toBe('connected');
  });

  it('a reply cut by a lost connection does not corrupt the next connection', async () => {
    const { server, port } = await fakeServer((socket, xid, connection) => {
      if (connection === 1) {
        // Half a reply, then the connection dies.
        socket.write(replyHeader(xid, Code.NO_NODE).subarray(0, 9));
        setTimeout(() => socket.destroy(), 20);
      } else {
        socket.write(replyHeader(xid, Code.NO_NODE)); // a whole one: getData resolves null
      }
    });
    const zk = client(port);
    cleanup.push(
      () => zk.close(),
      () => new Promise((resolve) => server.close(() => resolve())),
    );
    await zk.start();
    const first = await zk.getData('/x').then(
      () => null,
      (err: unknown) => err,
    );
    expect((first as ZooKeeperError).code).toBe(Code.CONNECTION_LOSS);
    await zk.whenConnected();
    expect(await zk.getData('/x')).toBeNull();
  });
});
