/**
 * The MQTT TCP listener: bytes in through the decoder to the connection actor, bytes out from it.
 * Writes made in one turn of the event loop go out in one syscall (cork until the next tick), and a
 * congested log pauses reading until it drains (back-pressure instead of unbounded buffering).
 */
import net from 'node:net';
import type { Logger } from 'pino';
import type { Broker } from '../broker/broker.js';
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
  };
}

export function listenTcp(broker: Broker, options: TcpListenerOptions, log: Logger): Promise<net.Server> {
  const pausedForLog = new Set<net.Socket>();
  broker.coordination.onDrain(() => {
    for (const socket of pausedForLog) socket.resume();
    pausedForLog.clear();
  });
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const conn = broker.attach(socketTransport(socket));
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
      conn.socketClosed();
    });
  });
  server.maxConnections = Number.MAX_SAFE_INTEGER;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
