/**
 * Messages to the client: expiry and size checks, the bounded queue, the inflight window, and the
 * PUBLISH (or PUBREL, for a resumed QoS 2 message already acknowledged with PUBREC) that goes out.
 */
import { buildAck, buildPublish } from './build.js';
import type { ConnectionContext } from './context.js';
import type { Sendable } from './outbound.js';
import type { Out } from './out.js';
import type { Delivery } from './types.js';

/** Bytes a PUBLISH takes on the wire, close enough to honour a 5.0 client's Maximum Packet Size. */
function publishSize(d: Delivery): number {
  let props = 0;
  if (d.properties) {
    for (const value of Object.values(d.properties)) props += 4 + JSON.stringify(value).length;
  }
  return 5 + 2 + Buffer.byteLength(d.topic) + 2 + d.payload.length + props + 16;
}

export function deliver(ctx: ConnectionContext, messages: Delivery[], out: Out): void {
  let dropped = 0;
  let tooLarge = 0;
  for (const message of messages) {
    if (ctx.clientMaxPacketSize !== Infinity && publishSize(message) > ctx.clientMaxPacketSize) {
      tooLarge++; // [MQTT-3.1.2-25] never send a packet larger than the client accepts
    } else if (!ctx.outbound.push(message)) {
      flush(ctx, out); // make room by sending what the window allows, then try once more
      if (!ctx.outbound.push(message)) dropped++;
    }
  }
  if (dropped > 0) out.emit({ type: 'dropped', count: dropped, reason: 'queue-full' });
  if (tooLarge > 0) out.emit({ type: 'dropped', count: tooLarge, reason: 'too-large' });
  ctx.stats.dropped += dropped + tooLarge;
  flush(ctx, out);
}

const sendable: Sendable[] = [];

/** Sends what the window allows now. */
export function flush(ctx: ConnectionContext, out: Out): void {
  const now = ctx.now();
  const expired = ctx.outbound.pull(sendable, now);
  if (expired > 0) {
    ctx.stats.dropped += expired;
    out.emit({ type: 'dropped', count: expired, reason: 'expired' });
  }
  if (sendable.length === 0) return;
  for (const s of sendable) {
    if (s.release) {
      out.emit({ type: 'send', packet: buildAck('pubrel', s.packetId, ctx.version) });
    } else {
      out.emit({ type: 'send', packet: buildPublish(s.delivery, s.packetId, ctx.version, now) });
      ctx.stats.publishesOut++;
    }
  }
  sendable.length = 0;
}
