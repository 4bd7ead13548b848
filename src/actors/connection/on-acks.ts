/**
 * PUBACK, PUBREC, PUBREL, PUBCOMP (MQTT 3.1.1 sections 3.4-3.7 and 4.3). Outbound acks free window
 * slots, so each is followed by a flush of the queue. Unknown packet ids are answered, not fatal:
 * 5.0 says 0x92 Packet Identifier not found.
 */
import { ReasonCode } from '../../protocol/reason-codes.js';
import { buildAck } from './build.js';
import type { ConnectionContext } from './context.js';
import { flush } from './deliver.js';
import type { Out } from './out.js';

export function onPuback(ctx: ConnectionContext, packetId: number, out: Out): void {
  if (!ctx.outbound.complete(packetId, 'puback')) return;
  out.emit({ type: 'delivered', packetId });
  flush(ctx, out);
}

export function onPubrec(ctx: ConnectionContext, packetId: number, out: Out): void {
  const known = ctx.outbound.received(packetId);
  out.emit({
    type: 'send',
    packet: buildAck('pubrel', packetId, ctx.version, known ? 0 : ReasonCode.PacketIdentifierNotFound),
  });
  // [MQTT-4.3.3-1] after PUBREC the message must not be sent again: only PUBREL is owed
  if (known) out.emit({ type: 'released', packetId });
}

export function onPubrel(ctx: ConnectionContext, packetId: number, out: Out): void {
  const state = ctx.inboundQos2.get(packetId);
  ctx.inboundQos2.delete(packetId);
  if (state !== undefined) {
    ctx.inboundUnacked--;
    out.emit({ type: 'inboundReleased', packetId });
  }
  out.emit({
    type: 'send',
    packet: buildAck('pubcomp', packetId, ctx.version, state ? 0 : ReasonCode.PacketIdentifierNotFound),
  });
}

export function onPubcomp(ctx: ConnectionContext, packetId: number, out: Out): void {
  if (!ctx.outbound.complete(packetId, 'pubcomp')) return;
  out.emit({ type: 'delivered', packetId });
  flush(ctx, out);
}
