/**
 * CONNECT and CONNACK (MQTT 3.1.1 sections 3.1-3.2, 5.0 sections 3.1-3.2). The actor checks the
 * packet, settles keep-alive and flow-control limits, and asks the broker for the session (the
 * `connect` effect); the broker answers with session.granted or session.refused, and only then is
 * CONNACK sent [MQTT-3.2.0-1]. Packets the client sends before CONNACK are kept and replayed after it.
 */
import type { IConnectPacket } from 'mqtt-packet';
import type { ProtocolVersion } from '../../protocol/codec.js';
import type { ErrorKind } from '../../protocol/reason-codes.js';
import { ProtocolError } from '../../protocol/reason-codes.js';
import { connectProblem } from '../../protocol/validate.js';
import { buildConnackAccepted, buildConnackRefused, type ServerLimits } from './build.js';
import { setCloseReason } from './close.js';
import type { ConnectionContext } from './context.js';
import { deliver } from './deliver.js';
import { Outbound } from './outbound.js';
import type { Out } from './out.js';
import { OutboundTopicAliases } from './topic-aliases.js';
import type { ConnectionEvent, SessionGrant } from './types.js';

/** The reason a CONNECT cannot be accepted, before asking the broker; null when it can go on. */
export function connectRefusal(ctx: ConnectionContext, packet: IConnectPacket): ProtocolError | null {
  const problem = connectProblem(packet, ctx.limits.maxClientIdLength);
  if (problem !== null) return problem;
  // [MQTT-3.1.3-8] a 3.1.1 client with an empty id must ask for a clean session
  if (packet.clientId === '' && packet.protocolVersion !== 5 && !packet.clean) {
    return new ProtocolError('client-id-rejected', 'empty client id with clean session 0');
  }
  return null;
}

/** The keep-alive the server applies, in seconds, and whether a 5.0 client must be told. */
function settleKeepAlive(ctx: ConnectionContext, requested: number): { seconds: number; override: boolean } {
  const max = ctx.limits.maxKeepAlive;
  if (max === 0 || ctx.version !== 5 || (requested !== 0 && requested <= max)) {
    return { seconds: requested, override: false };
  }
  return { seconds: max, override: true };
}

export function onConnect(ctx: ConnectionContext, packet: IConnectPacket, out: Out): void {
  ctx.version = packet.protocolVersion as ProtocolVersion;
  // [MQTT-3.1.3-6] an empty client id gets a unique one from the server
  if (packet.clientId === '') {
    packet.clientId = `auto-${ctx.connId}`;
    ctx.assignedClientId = true;
  }
  ctx.clientId = packet.clientId;
  ctx.connect = packet;
  ctx.keepAliveMs = settleKeepAlive(ctx, packet.keepalive ?? 0).seconds * 1000;
  const props = packet.properties;
  if (ctx.version === 5 && props) {
    if (props.maximumPacketSize !== undefined) ctx.clientMaxPacketSize = props.maximumPacketSize;
    // [MQTT-3.3.4-9] never more unacknowledged QoS 1/2 PUBLISH than the client's Receive Maximum
    if (props.receiveMaximum !== undefined && props.receiveMaximum < ctx.limits.maxInflight) {
      ctx.outbound = new Outbound({ maxInflight: props.receiveMaximum, maxQueued: ctx.limits.maxQueued });
    }
    // [MQTT-3.1.2-26], [MQTT-3.1.2-27] topic aliases only up to what the client allows (none if absent)
    const aliases = Math.min(props.topicAliasMaximum ?? 0, ctx.limits.topicAliasMaximum);
    if (aliases > 0) ctx.outboundAliases = new OutboundTopicAliases(aliases);
  }
  out.emit({ type: 'connect', packet });
}

/** Refuses a CONNECT: a CONNACK with the reason where the version has one, then close [MQTT-3.2.2-7]. */
export function refuseConnect(ctx: ConnectionContext, kind: ErrorKind, message: string, out: Out): void {
  const connack = buildConnackRefused(ctx.version, kind);
  if (connack !== null) out.emit({ type: 'send', packet: connack });
  setCloseReason(ctx, { kind: 'error', error: kind, message });
}

/** The broker refused the CONNECT (e.g. quota, server unavailable, not authorized). */
export function onRefused(ctx: ConnectionContext, kind: ErrorKind, reason: string, out: Out): void {
  refuseConnect(ctx, kind, reason, out);
}

/**
 * The decoder refused the very first packet: an unknown protocol level gets a CONNACK, and so does
 * an error in a CONNECT that announced 5.0 (0x81 / 0x82, section 4.13); the rest closes without one.
 */
export function onEarlyProtocolError(ctx: ConnectionContext, error: ProtocolError, out: Out): void {
  if (error.kind === 'unsupported-version') {
    // [MQTT-3.1.2-2] CONNACK 0x01 in the 3.1.1 format the client may understand, then close
    ctx.version = 4;
    refuseConnect(ctx, 'unsupported-version', error.message, out);
  } else if (error.connectVersion === 5) {
    ctx.version = 5;
    refuseConnect(ctx, error.kind, error.message, out);
  } else {
    setCloseReason(ctx, { kind: 'error', error: error.kind, message: error.message });
  }
}

/** The broker granted the session: CONNACK, then queued messages, then packets sent early. */
export function onGranted(ctx: ConnectionContext, grant: SessionGrant, out: Out): void {
  const packet = ctx.connect!;
  const keepAlive = settleKeepAlive(ctx, packet.keepalive ?? 0);
  const limits: ServerLimits = {
    receiveMaximum: ctx.limits.receiveMaximum,
    maximumPacketSize: ctx.limits.maxPacketSize,
    topicAliasMaximum: ctx.limits.topicAliasMaximum,
    ...(keepAlive.override ? { serverKeepAlive: keepAlive.seconds } : {}),
  };
  // [MQTT-3.1.3-7], [MQTT-3.2.2-16] a server-assigned client id is returned in CONNACK
  const assigned = ctx.assignedClientId ? grant.clientId : undefined;
  ctx.clientId = grant.clientId;
  ctx.connackSent = true;
  out.emit({
    type: 'send',
    packet: buildConnackAccepted(
      ctx.version,
      grant.sessionPresent,
      limits,
      assigned,
      grant.sessionExpiryInterval,
    ),
  });
  if (grant.maxQueued !== undefined) ctx.outbound.setMaxQueued(grant.maxQueued);
  for (const id of grant.awaitingRelease) ctx.inboundQos2.set(id, 'received');
  ctx.inboundUnacked += grant.awaitingRelease.length;
  ctx.lastPacketAt = ctx.now();
  // [MQTT-4.4.0-1] a resumed session re-sends unacknowledged messages first, in order
  if (grant.queued.length > 0) deliver(ctx, grant.queued, out);
  replayDeferred(ctx, out);
}

/** Keeps a packet that arrived before CONNACK; refuses when too many pile up. */
export function defer(ctx: ConnectionContext, event: ConnectionEvent, out: Out): void {
  if (ctx.deferred.length >= ctx.limits.maxDeferred) {
    out.raise({ type: 'server.disconnect', kind: 'server-busy', reason: 'too many packets before CONNACK' });
    return;
  }
  ctx.deferred.push(event);
}

function replayDeferred(ctx: ConnectionContext, out: Out): void {
  const deferred = ctx.deferred;
  ctx.deferred = [];
  for (const event of deferred) out.raise(event);
}
