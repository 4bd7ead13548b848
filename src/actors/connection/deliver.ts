/**
 * Messages to the client: the bounded queue, the inflight window, and the PUBLISH (or PUBREL, for a
 * resumed QoS 2 message already acknowledged with PUBREC) that goes out. For a 5.0 client the
 * PUBLISH gets its topic alias, and one larger than the client's Maximum Packet Size is not sent: it
 * is dropped as if it had been delivered [MQTT-3.1.2-24], [MQTT-3.1.2-25].
 */
import { publishSize, type OutboundPublish } from '../../protocol/encode5.js';
import { buildAck, buildPublish } from './build.js';
import type { ConnectionContext } from './context.js';
import type { Sendable } from './outbound.js';
import type { Out } from './out.js';
import type { Delivery } from './types.js';

export function deliver(ctx: ConnectionContext, messages: Delivery[], out: Out): void {
  let dropped = 0;
  for (const message of messages) {
    if (!ctx.outbound.push(message)) {
      flush(ctx, out); // make room by sending what the window allows, then try once more
      if (!ctx.outbound.push(message)) dropped++;
    }
  }
  if (dropped > 0) out.emit({ type: 'dropped', count: dropped, reason: 'queue-full' });
  ctx.stats.dropped += dropped;
  flush(ctx, out);
}

const sendable: Sendable[] = [];

/** Sends what the window allows now. */
export function flush(ctx: ConnectionContext, out: Out): void {
  const now = ctx.now();
  let tooLarge = 0;
  // a QoS 1/2 message too large to send frees its window slot: pull again after one
  for (let again = true; again;) {
    again = false;
    const expired = ctx.outbound.pull(sendable, now);
    if (expired > 0) {
      ctx.stats.dropped += expired;
      out.emit({ type: 'dropped', count: expired, reason: 'expired' });
    }
    for (const s of sendable) {
      if (s.release) {
        out.emit({ type: 'send', packet: buildAck('pubrel', s.packetId, ctx.version) });
        continue;
      }
      const packet = buildPublish(s.delivery, s.packetId, ctx.version, now);
      if (ctx.version === 5 && !fits5(ctx, packet)) {
        tooLarge++;
        if (s.packetId !== 0 && ctx.outbound.discard(s.packetId)) {
          out.emit({ type: 'delivered', packetId: s.packetId });
          again = true;
        }
        continue;
      }
      out.emit({ type: 'send', packet });
      ctx.stats.publishesOut++;
    }
    sendable.length = 0;
  }
  if (tooLarge > 0) {
    ctx.stats.dropped += tooLarge;
    out.emit({ type: 'dropped', count: tooLarge, reason: 'too-large' });
  }
}

/**
 * Gives a 5.0 PUBLISH its topic alias and checks its size against the client's Maximum Packet Size;
 * false when it must not be sent. An alias is only recorded once a PUBLISH setting it goes out.
 */
function fits5(ctx: ConnectionContext, packet: OutboundPublish): boolean {
  const max = ctx.clientMaxPacketSize;
  const aliases = ctx.outboundAliases;
  const topic = packet.topic;
  if (aliases !== null) {
    const known = aliases.known(topic);
    if (known !== undefined) {
      packet.properties = { ...packet.properties, topicAlias: known };
      packet.topic = '';
      return max === Infinity || publishSize(packet) <= max;
    }
    const alias = aliases.next();
    const withAlias: OutboundPublish = { ...packet, properties: { ...packet.properties, topicAlias: alias } };
    if (max === Infinity || publishSize(withAlias) <= max) {
      aliases.assign(topic, alias);
      packet.properties = withAlias.properties;
      return true;
    }
  }
  return max === Infinity || publishSize(packet) <= max;
}
