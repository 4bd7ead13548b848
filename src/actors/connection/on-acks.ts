/**
 * PUBACK, PUBREC, PUBREL, PUBCOMP (MQTT 3.1.1 sections 3.4-3.7 and 4.3, 5.0 sections 3.4-3.7 and
 * 4.3). Outbound acks free window slots, so each is followed by a flush of the queue. Unknown packet
 * ids are answered, not fatal: PUBREC with PUBREL, PUBREL with PUBCOMP, both with reason code 0x00 as
 * Mosquitto does (0x92 would be allowed). In 5.0 a PUBACK or PUBREC with a reason code of 0x80 or
 * more ends the message's flow: it counts as acknowledged and is not sent again, and no PUBREL
 * follows [MQTT-4.3.3-4], [MQTT-4.4.0-2]. An ack of the wrong kind for a message in flight (PUBACK
 * for QoS 2, PUBREC for QoS 1, PUBCOMP before PUBREC) breaks the QoS flows [MQTT-4.3.2-1],
 * [MQTT-4.3.3-1]: a protocol violation that closes the connection [MQTT-4.8.0-1], as in Mosquitto.
 */
import { ProtocolError } from '../../protocol/reason-codes.js';
import { buildAck } from './build.js';
import type { ConnectionContext } from './context.js';
import { flush } from './deliver.js';
import type { Out } from './out.js';

type Ack = 'puback' | 'pubrec' | 'pubcomp';

/** True when `ack` may answer what is in flight under `packetId` (or nothing is); else raises the error. */
function fits(ctx: ConnectionContext, ack: Ack, packetId: number, out: Out): boolean {
  const awaiting = ctx.outbound.awaiting(packetId);
  // a repeated PUBREC after PUBREL is answered with PUBREL again
  if (awaiting === null || awaiting === ack || (ack === 'pubrec' && awaiting === 'pubcomp')) return true;
  const message = `${ack.toUpperCase()} for packet ${packetId}, which awaits ${awaiting.toUpperCase()}`;
  out.raise({ type: 'protocol.error', error: new ProtocolError('protocol', message) });
  return false;
}

export function onPuback(ctx: ConnectionContext, packetId: number, out: Out): void {
  if (!fits(ctx, 'puback', packetId, out)) return;
  if (!ctx.outbound.complete(packetId, 'puback')) return;
  out.emit({ type: 'delivered', packetId });
  flush(ctx, out);
}

export function onPubrec(ctx: ConnectionContext, packetId: number, reasonCode: number, out: Out): void {
  if (!fits(ctx, 'pubrec', packetId, out)) return;
  if (reasonCode >= 0x80 && ctx.outbound.awaiting(packetId) === 'pubrec') {
    // [MQTT-4.4.0-2] refused by the client: acknowledged, never re-sent, no PUBREL [MQTT-4.3.3-4]
    ctx.outbound.discard(packetId);
    out.emit({ type: 'delivered', packetId });
    flush(ctx, out);
    return;
  }
  // [MQTT-4.3.3-1] after PUBREC the message must not be sent again: only PUBREL is owed. 'released'
  // comes first, so that a broker recording it in the log can hold the PUBREL until it is committed
  if (ctx.outbound.received(packetId)) out.emit({ type: 'released', packetId });
  out.emit({ type: 'send', packet: buildAck('pubrel', packetId, ctx.version) });
}

export function onPubrel(ctx: ConnectionContext, packetId: number, out: Out): void {
  const state = ctx.inboundQos2.get(packetId);
  ctx.inboundQos2.delete(packetId);
  if (state !== undefined) {
    ctx.inboundUnacked--;
    out.emit({ type: 'inboundReleased', packetId });
  }
  // [MQTT-4.3.3-11] PUBCOMP with the same packet id, known or not
  out.emit({ type: 'send', packet: buildAck('pubcomp', packetId, ctx.version) });
}

export function onPubcomp(ctx: ConnectionContext, packetId: number, out: Out): void {
  if (!fits(ctx, 'pubcomp', packetId, out)) return;
  if (!ctx.outbound.complete(packetId, 'pubcomp')) return;
  out.emit({ type: 'delivered', packetId });
  flush(ctx, out);
}
