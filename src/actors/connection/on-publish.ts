/**
 * Inbound PUBLISH (MQTT 3.1.1 section 3.3 and 4.3, 5.0 section 3.3). Every publish goes to the log
 * (the `publish` effect); its ack waits until the log entry holding it is committed (DESIGN.md
 * promise 3): PUBACK for QoS 1, PUBREC for QoS 2. A QoS 2 packet id stays known until PUBREL, so a
 * retry is acknowledged again but not published twice [MQTT-4.3.3-2].
 */
import type { IPublishPacket } from 'mqtt-packet';
import type { ErrorKind } from '../../protocol/reason-codes.js';
import { ProtocolError, reasonCodeOf } from '../../protocol/reason-codes.js';
import { packetProblem } from '../../protocol/validate.js';
import { buildAck } from './build.js';
import type { ConnectionContext } from './context.js';
import type { Out } from './out.js';

function fail(out: Out, kind: ErrorKind, message: string): void {
  out.raise({ type: 'protocol.error', error: new ProtocolError(kind, message) });
}

/** MQTT 5.0 topic aliases [MQTT-3.3.2-7..12]: remember, resolve, and strip before the log. */
function resolveTopicAlias(ctx: ConnectionContext, packet: IPublishPacket, out: Out): boolean {
  const alias = packet.properties?.topicAlias;
  if (alias === undefined) return true;
  if (alias === 0 || alias > ctx.limits.topicAliasMaximum) {
    fail(out, 'topic-alias-invalid', `topic alias ${alias} outside 1..${ctx.limits.topicAliasMaximum}`);
    return false;
  }
  if (packet.topic.length > 0) {
    ctx.topicAliases.set(alias, packet.topic);
  } else {
    const topic = ctx.topicAliases.get(alias);
    if (topic === undefined) {
      fail(out, 'protocol', `topic alias ${alias} was never set`);
      return false;
    }
    packet.topic = topic;
  }
  delete packet.properties!.topicAlias;
  return true;
}

export function onPublish(ctx: ConnectionContext, packet: IPublishPacket, out: Out): void {
  const problem = packetProblem(packet, ctx.version);
  if (problem !== null) {
    out.raise({ type: 'protocol.error', error: problem });
    return;
  }
  if (ctx.version === 5 && !resolveTopicAlias(ctx, packet, out)) return;
  ctx.stats.publishesIn++;
  if (packet.qos === 0) {
    out.emit({ type: 'publish', packet });
    return;
  }
  const id = packet.messageId!;
  if (packet.qos === 2) {
    const state = ctx.inboundQos2.get(id);
    if (state === 'received') {
      out.emit({ type: 'send', packet: buildAck('pubrec', id, ctx.version) });
      return;
    }
    if (state === 'committing') return; // its PUBREC follows the commit
  }
  // [MQTT-3.3.4-9] a 5.0 client may not exceed the Receive Maximum the server announced
  if (ctx.version === 5 && ctx.inboundUnacked >= ctx.limits.receiveMaximum) {
    fail(out, 'receive-maximum-exceeded', `more than ${ctx.limits.receiveMaximum} unacknowledged publishes`);
    return;
  }
  ctx.inboundUnacked++;
  if (packet.qos === 2) ctx.inboundQos2.set(id, 'committing');
  out.emit({ type: 'publish', packet });
}

/** The log committed an inbound publish: its ack is due (in receive order [MQTT-4.6.0-2]). */
export function onPublishCommitted(ctx: ConnectionContext, packetId: number, qos: 1 | 2, out: Out): void {
  if (qos === 1) {
    ctx.inboundUnacked--;
    out.emit({ type: 'send', packet: buildAck('puback', packetId, ctx.version) });
    return;
  }
  if (ctx.inboundQos2.get(packetId) !== 'committing') return; // released meanwhile
  ctx.inboundQos2.set(packetId, 'received');
  out.emit({ type: 'send', packet: buildAck('pubrec', packetId, ctx.version) });
}

/**
 * The log refused an inbound publish. Quota: 5.0 answers the ack with 0x97 Quota exceeded; 3.1.1 has
 * no such code, so the ack is withheld and the connection closed (the client resends later).
 */
export function onPublishFailed(
  ctx: ConnectionContext,
  packetId: number,
  qos: 1 | 2,
  kind: ErrorKind,
  reason: string,
  out: Out,
): void {
  if (ctx.version === 5 && kind === 'quota-exceeded') {
    ctx.inboundUnacked--;
    ctx.inboundQos2.delete(packetId);
    out.emit({
      type: 'send',
      packet: buildAck(qos === 1 ? 'puback' : 'pubrec', packetId, 5, reasonCodeOf(kind)),
    });
    return;
  }
  out.raise({ type: 'server.disconnect', kind, reason });
}
