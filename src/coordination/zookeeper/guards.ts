/**
 * Defensive patches to node-zookeeper-client 1.1.3, applied once per process before the first
 * client connects. Each fixes a way the library can crash the process or corrupt a connection:
 *
 * 1. Exception.create throws on an error code it does not know (ZooKeeper 3.5+ added several:
 *    SESSION_MOVED, REQUEST_TIMEOUT, QUOTA_EXCEEDED, THROTTLED_OP...). It is called inside the
 *    socket 'data' handler, so one such reply is an uncaught exception: the process dies. We make
 *    it return an exception that keeps the real code.
 * 2. Anything else thrown while parsing a reply: the socket is dropped (the library reconnects and
 *    fails the requests in flight with CONNECTION_LOSS) instead of the exception escaping.
 * 3. A reply cut in half by a lost connection stays in `pendingBuffer` and is glued in front of the
 *    next connection's first bytes, which then misparse. We clear it when the socket closes.
 * The data handler also records when bytes last arrived (`lastDataAt`), for the watchdog.
 *
 * And one patch for speed: the library writes every request to the socket as it is queued, one
 * syscall (and, with Nagle off, one TCP packet) each. A follower reading 32 entries ahead, or a
 * writer with 8 batches in flight, queues many in one turn: the socket is corked while they are
 * queued and uncorked on the next tick, so they go out in one writev.
 */
import zookeeper from 'node-zookeeper-client';
import { codeName } from './errors.js';

interface ExceptionModule {
  create(code: number, path?: string): unknown;
  SYSTEM_ERROR: number;
}

interface ConnectionManagerProto {
  onSocketData(this: ConnectionManagerLike, buffer: Buffer): void;
  onSocketClosed(this: ConnectionManagerLike, hadError: boolean): void;
  onPacketQueueReadable(this: ConnectionManagerLike): void;
}

interface ConnectionManagerLike {
  pendingBuffer: Buffer | null;
  socket?: { destroy(): void; cork(): void; uncork(): void; destroyed: boolean };
  /** Set here: when bytes last came from the server (the watchdog tells slow from hung by it). */
  lastDataAt?: number;
}

const GUARDED = Symbol.for('mqttzoo.node-zookeeper-client.guarded');

type Guardable = object & { [GUARDED]?: true };

/** Reported when a reply could not be parsed (the connection is dropped and re-established). */
export type ParseFailureListener = (err: unknown) => void;
let onParseFailure: ParseFailureListener = () => undefined;

export function setParseFailureListener(listener: ParseFailureListener): void {
  onParseFailure = listener;
}

/** Patch 1: unknown error codes become exceptions instead of a throw inside the socket handler. */
export function guardExceptionCodes(): void {
  const mod = zookeeper.Exception as unknown as ExceptionModule & Guardable;
  if (mod[GUARDED]) return;
  const create = mod.create.bind(mod);
  mod.create = (code: number, path?: string): unknown => {
    try {
      return create(code, path);
    } catch {
      const known = create(mod.SYSTEM_ERROR, path) as { code: number; name: string; message: string };
      known.code = code;
      known.name = codeName(code);
      known.message = `Exception: ${known.name}[${code}]${path === undefined ? '' : `@${path}`}`;
      return known;
    }
  };
  mod[GUARDED] = true;
}

/** Patches 2 and 3 and the corking, on the ConnectionManager prototype (via a client instance). */
export function guardConnectionManager(client: zookeeper.Client): void {
  const manager = (client as unknown as { connectionManager: object }).connectionManager;
  const proto = Object.getPrototypeOf(manager) as ConnectionManagerProto & Guardable;
  if (proto[GUARDED]) return;
  const onData = proto.onSocketData;
  const onClosed = proto.onSocketClosed;
  const onReadable = proto.onPacketQueueReadable;
  proto.onPacketQueueReadable = function (this: ConnectionManagerLike): void {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return onReadable.call(this);
    socket.cork();
    try {
      onReadable.call(this);
    } finally {
      process.nextTick(() => socket.uncork());
    }
  };
  proto.onSocketData = function (this: ConnectionManagerLike, buffer: Buffer): void {
    this.lastDataAt = Date.now();
    try {
      onData.call(this, buffer);
    } catch (err) {
      this.pendingBuffer = null;
      onParseFailure(err);
      this.socket?.destroy();
    }
  };
  proto.onSocketClosed = function (this: ConnectionManagerLike, hadError: boolean): void {
    this.pendingBuffer = null;
    onClosed.call(this, hadError);
  };
  proto[GUARDED] = true;
}
