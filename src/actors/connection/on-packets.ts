/**
 * The packets of one read from the socket, handled in order (Aedes' handlers/index.js). The edge
 * hands them over as one event so that XState's per-event cost is paid per read, not per packet;
 * packets that change the connection's state (a second CONNECT, DISCONNECT, packets a server never
 * receives) and protocol errors are raised as events of their own, and nothing after them in the
 * same read is handled [MQTT-4.8.0-1], [MQTT-3.14.4-2].
 */
import type { Packet } from 'mqtt-packet';
import { packetProblem } from '../../protocol/validate.js';
import type { ConnectionContext } from './context.js';
import { onPubcomp, onPuback, onPubrec, onPubrel } from './on-acks.js';
import { onPublish } from './on-publish.js';
import { onSubscribe, onUnsubscribe } from './on-subscribe.js';
import type { Out } from './out.js';
import type { ConnectionEvent } from './types.js';

/** An Out that remembers whether a handler raised an event (which ends the batch). */
class BatchOut implements Out {
  raised = false;
  constructor(private readonly out: Out) {}
  emit(effect: Parameters<Out['emit']>[0]): void {
    this.out.emit(effect);
  }
  raise(event: ConnectionEvent): void {
    this.raised = true;
    this.out.raise(event);
  }
}

/** Handles packets received while connected. */
export function onPackets(ctx: ConnectionContext, packets: Packet[], out: Out): void {
  ctx.lastPacketAt = ctx.now(); // every packet counts for keep-alive [MQTT-3.1.2-23]
  ctx.stats.packetsIn += packets.length;
  const batch = new BatchOut(out);
  for (const packet of packets) {
    switch (packet.cmd) {
      case 'publish':
        onPublish(ctx, packet, batch);
        break;
      case 'puback':
        onPuback(ctx, packet.messageId!, batch);
        break;
      case 'pubrec':
        onPubrec(ctx, packet.messageId!, packet.reasonCode ?? 0, batch);
        break;
      case 'pubrel':
        onPubrel(ctx, packet.messageId!, batch);
        break;
      case 'pubcomp':
        onPubcomp(ctx, packet.messageId!, batch);
        break;
      case 'subscribe':
        onSubscribe(ctx, packet, batch);
        break;
      case 'unsubscribe':
        onUnsubscribe(ctx, packet, batch);
        break;
      case 'pingreq':
        batch.emit({ type: 'send', packet: { cmd: 'pingresp' } });
        break;
      case 'connect':
        batch.raise({ type: 'connect', packet }); // [MQTT-3.1.0-2] a second CONNECT is a violation
        break;
      case 'disconnect':
        batch.raise({ type: 'disconnect', packet });
        break;
      case 'auth': // no enhanced authentication, so no AUTH is expected [MQTT-4.12.0-7]
        batch.raise({ type: 'protocol.error', error: packetProblem(packet, ctx.version)! });
        break;
      default:
        batch.raise({ type: 'unexpected', packet });
    }
    if (batch.raised) return;
  }
}

/** Before CONNACK: the first packet must be CONNECT [MQTT-3.1.0-1]; the rest waits for CONNACK. */
export function splitConnect(packets: Packet[], out: Out): void {
  const [first, ...rest] = packets;
  if (first?.cmd !== 'connect') return;
  out.raise({ type: 'connect', packet: first });
  if (rest.length > 0) out.raise({ type: 'packets', packets: rest });
}
