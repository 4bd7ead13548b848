/**
 * An MQTT client at the packet level, for tests that need a client to stop half-way through a flow
 * (send PUBREC and never PUBCOMP, never send PUBREL, stay silent past its keep-alive). Every wait is
 * bounded.
 */
import net from 'node:net';
import mqttPacket, { type IConnectPacket, type Packet } from 'mqtt-packet';

export interface RawClient {
  readonly packets: Packet[];
  send(packet: Packet): void;
  /** The first packet of that type received (already or to come) after `from` packets. */
  next(cmd: Packet['cmd'], timeoutMs?: number): Promise<Packet>;
  close(): void;
}

export function rawConnection(port: number): Promise<{ socket: net.Socket; client: RawClient }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      const packets: Packet[] = [];
      const waiters: { cmd: string; resolve: (p: Packet) => void }[] = [];
      let taken = 0;
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on('packet', (p: Packet) => {
        packets.push(p);
        const w = waiters.find((x) => x.cmd === p.cmd);
        if (w !== undefined) {
          waiters.splice(waiters.indexOf(w), 1);
          taken = packets.length;
          w.resolve(p);
        }
      });
      socket.on('data', (chunk: Buffer) => parser.parse(chunk));
      const client: RawClient = {
        packets,
        send: (packet) => socket.write(mqttPacket.generate(packet, { protocolVersion: 4 })),
        next(cmd, timeoutMs = 5000) {
          const i = packets.findIndex((p, idx) => idx >= taken && p.cmd === cmd);
          if (i >= 0) {
            taken = i + 1;
            return Promise.resolve(packets[i]!);
          }
          return new Promise((res, rej) => {
            const w = { cmd, resolve: (p: Packet) => (clearTimeout(t), res(p)) };
            const t = setTimeout(() => {
              waiters.splice(waiters.indexOf(w), 1);
              rej(new Error(`no ${cmd} within ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.push(w);
          });
        },
        close: () => socket.destroy(),
      };
      resolve({ socket, client });
    });
  });
}

/** Connects and waits for CONNACK. */
export async function rawClient(
  port: number,
  connect: Partial<IConnectPacket> & { clientId: string },
): Promise<RawClient> {
  const { client } = await rawConnection(port);
  client.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    ...connect,
  });
  await client.next('connack');
  return client;
}
