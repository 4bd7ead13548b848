/**
 * The MQTT TCP listener: bytes in through the decoder to the connection actor, bytes out from it.
 * Writes made in one turn of the event loop go out in one syscall (cork until the next tick), and a
 * congested log pauses reading until it drains (back-pressure instead of unbounded buffering).
 */
import net from 'node:net';
import type { Logger } from 'pino';
import type { Broker } from '../broker/broker.js';
import type { ClientConnection } from '../broker/client-connection.js';
import type { FlowClient } from '../broker/flow-control.js';
import type { Transport } from '../broker/transport.js';
import { Decoder } from '../protocol/codec.js';

export interface TcpListenerOptions {
  host: string;
  port: number;
  maxPacketSize: number;
}

function socketTransport(socket: net.Socket): Transport {
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  return {
    remoteAddress: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`,
    get bufferedBytes() {
      return socket.writableLength;
    },
    write(bytes) {
      if (socket.destroyed) return;
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      socket.write(bytes);
    },
    end() {
      if (!socket.destroyed) socket.end();
      // a client that does not close its side within a grace period is cut off
      setTimeout(() => socket.destroy(), 2000).unref();
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    onDrain: (listener) => socket.on('drain', listener),
  };
}

export interface TcpListener {
  readonly server: net.Server;
  readonly port: number;
  /** Starts serving: connections accepted before this waited, paused, and are served now. */
  attach(broker: Broker, log: Logger): void;
}

/**
 * Binds the MQTT port before the broker exists, so that the broker can announce the real port in
 * membership; connections that arrive before `attach` wait, paused.
 */
export function listenTcp(options: TcpListenerOptions): Promise<TcpListener> {
  const waiting: net.Socket[] = [];
  let serve: ((socket: net.Socket) => void) | null = null;
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    if (serve === null) waiting.push(socket);
    else serve(socket);
  });
  server.maxConnections = Number.MAX_SAFE_INTEGER;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as net.AddressInfo).port,
        attach(broker, log) {
          serve = connectionHandler(broker, options, log);
          for (const socket of waiting.splice(0)) if (!socket.destroyed) serve(socket);
        },
      });
    });
  });
}

function connectionHandler(
  broker: Broker,
  options: TcpListenerOptions,
  log: Logger,
): (socket: net.Socket) => void {
  const pausedForLog = new Set<net.Socket>();
  const open = new Map<net.Socket, ClientConnection>();
  const sockets = new Map<FlowClient, net.Socket>();
  const reading = (socket: net.Socket): boolean => !pausedForLog.has(socket) && !broker.flow.paused;
  broker.coordination.onDrain(() => {
    for (const socket of pausedForLog) {
      pausedForLog.delete(socket);
      if (reading(socket)) socket.resume();
    }
  });
  // a client that cannot keep up pauses every other client's input until it drains (flow-control.ts);
  // its own socket goes on being read, since its acks are what free it
  broker.flow.changed.add((paused) => {
    for (const [socket, conn] of open) {
      if (paused && !broker.flow.isCongested(conn)) socket.pause();
      else if (!paused && !pausedForLog.has(socket)) socket.resume();
    }
  });
  // ... also when it became congested after intake was paused for another client
  broker.flow.congestedClient.add((client) => {
    const socket = sockets.get(client);
    if (socket !== undefined && !pausedForLog.has(socket)) socket.resume();
  });
  return (socket) => {
    socket.setNoDelay(true);
    const conn = broker.attach(socketTransport(socket));
    open.set(socket, conn);
    sockets.set(conn, socket);
    const decoder = new Decoder({ maxPacketSize: options.maxPacketSize });
    socket.on('data', (chunk: Buffer) => {
      broker.counters.bytesReceived += chunk.length;
      const { packets, error } = decoder.push(chunk);
      const byType = broker.counters.packetsReceived;
      for (const packet of packets) byType[packet.cmd]++;
      conn.receive(packets);
      if (error !== null) {
        conn.protocolError(error);
        return;
      }
      if (broker.congested && !pausedForLog.has(socket)) {
        socket.pause();
        pausedForLog.add(socket);
      }
    });
    socket.on('error', (err) => log.debug({ connId: conn.connId, err: err.message }, 'socket error'));
    socket.on('close', () => {
      pausedForLog.delete(socket);
      open.delete(socket);
      sockets.delete(conn);
      conn.socketClosed();
    });
    if (reading(socket)) socket.resume();
  };
}
