/**
 * The session side of a connection: announcing it in the log on CONNECT (which takes the client id
 * over cluster-wide), granting it when that announcement is applied, and ending it: the will
 * [MQTT-3.1.2-8] and the session-close event.
 */
import type { IConnectPacket } from 'mqtt-packet';
import type { CloseReason } from '../actors/connection/types.js';
import type { PublishEvent, WillMessage } from '../coordination/log-events.js';
import type { UserPropertyList } from '../protocol/wire-checks.js';
import type { ClientConnection } from './client-connection.js';
import { forwardedProperties } from './publish-event.js';
import { MAX_LIVE_QUEUE } from './state/session.js';
import type { OpenResult } from './state/session-open.js';

/** Seconds the session outlives the connection: 5.0 says so in CONNECT; 3.1.1 clean session 0 gets the configured expiry. */
function sessionExpiryOf(conn: ClientConnection, packet: IConnectPacket): number {
  if (packet.protocolVersion === 5) return packet.properties?.sessionExpiryInterval ?? 0;
  return packet.clean ? 0 : conn.services.settings.persistentSessionExpiry;
}

function willOf(packet: IConnectPacket): WillMessage | undefined {
  const will = packet.will;
  if (!will) return undefined;
  const payload = typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload;
  const props = will.properties;
  const forwarded = forwardedProperties(props, will as UserPropertyList);
  return {
    topic: will.topic,
    payload,
    qos: will.qos ?? 0,
    retain: will.retain ?? false,
    delayInterval: props?.willDelayInterval ?? 0,
    ...(forwarded !== undefined ? { properties: forwarded } : {}),
    ...(props?.messageExpiryInterval !== undefined ? { expiryInterval: props.messageExpiryInterval } : {}),
  };
}

/** CONNECT accepted by the actor: announce the connection for its client id in the log. */
export function beginSession(conn: ClientConnection, packet: IConnectPacket): void {
  const { services } = conn;
  conn.sessionExpiry = sessionExpiryOf(conn, packet);
  conn.logged = conn.sessionExpiry > 0;
  const will = willOf(packet);
  services.append(
    {
      type: 'session-open',
      clientId: packet.clientId,
      brokerId: services.brokerId,
      epoch: services.epoch,
      connId: conn.connId,
      cleanStart: packet.clean ?? true,
      expiryInterval: conn.sessionExpiry,
      protocolVersion: packet.protocolVersion === 5 ? 5 : packet.protocolVersion === 3 ? 3 : 4,
      at: services.now(),
      ...(will !== undefined ? { will } : {}),
    },
    (err) => {
      if (err === null) return;
      conn.log.warn({ err: err.message }, 'connection refused: session not recorded');
      conn.send({
        type: 'session.refused',
        kind: 'server-unavailable',
        reason: 'the cluster log is unavailable',
      });
    },
  );
}

/** Our session-open was applied: the session is ours, cluster-wide. */
export function grantSession(conn: ClientConnection, result: OpenResult): void {
  conn.logged = conn.sessionExpiry > 0 || result.sessionPresent;
  conn.granted = true;
  conn.services.counters.connectionsAccepted++;
  const packet = conn.connectPacket!;
  conn.log.info(
    {
      protocolVersion: packet.protocolVersion,
      clean: packet.clean,
      keepalive: packet.keepalive,
      sessionPresent: result.sessionPresent,
    },
    'client connected',
  );
  conn.send({
    type: 'session.granted',
    grant: {
      sessionPresent: result.sessionPresent,
      clientId: conn.clientId,
      awaitingRelease: result.awaitingRelease,
      queued: result.queued,
      ...(conn.logged ? { maxQueued: MAX_LIVE_QUEUE } : {}),
    },
  });
}

/** Whether a connection that ended this way owes its will [MQTT-3.1.2-8], [MQTT-3.14.4-3]. */
function owesWill(reason: CloseReason): boolean {
  return reason.kind === 'client-disconnect' ? reason.sendWill : true;
}

/** The connection ended: publish the will if due, and record the end in the log. */
export function endSession(conn: ClientConnection, reason: CloseReason): void {
  const { services } = conn;
  services.router.removeAll(conn.connId);
  const packet = conn.connectPacket;
  // conn.log carries clientId (and brokerId) once the CONNECT named it
  if (packet === null || !conn.granted) {
    if (packet === null) services.counters.connectionsRefused++;
    conn.log.info({ reason }, 'connection closed before CONNACK');
    if (packet === null) return;
  } else {
    conn.log.info({ reason }, 'client disconnected');
  }
  const at = services.now();
  if (conn.logged && conn.granted) {
    // what this connection never sent goes to the next one as new, not as a re-delivery
    const unsent = conn.actor.getSnapshot().context.outbound.unsentPacketIds();
    if (unsent.length > 0) {
      services.append({
        type: 'ack',
        clientId: packet.clientId,
        connId: conn.connId,
        phase: 'unsent',
        packetIds: unsent,
      });
    }
  }
  // a session the cluster released (its broker was declared gone) had its will published then
  const record = services.state.sessions.get(packet.clientId);
  const released = record === undefined || record.owner === null;
  const will = conn.granted && !released && owesWill(reason) ? willOf(packet) : undefined;
  const expiry =
    reason.kind === 'client-disconnect' && reason.sessionExpiryInterval !== undefined
      ? reason.sessionExpiryInterval
      : conn.sessionExpiry;
  let willDueAt: number | undefined;
  if (will !== undefined) {
    const due = at + Math.min(will.delayInterval, expiry) * 1000;
    if (due <= at) services.append(willPublish(conn, will, at));
    else willDueAt = due;
  }
  services.append({
    type: 'session-close',
    clientId: packet.clientId,
    connId: conn.connId,
    at,
    ...(willDueAt !== undefined ? { willDueAt } : {}),
    ...(expiry !== conn.sessionExpiry ? { expiryInterval: expiry } : {}),
  });
}

export function willPublish(
  conn: { clientId: string; services: ClientConnection['services'] },
  will: WillMessage,
  at: number,
): PublishEvent {
  return {
    type: 'publish',
    topic: will.topic,
    payload: will.payload,
    qos: will.qos,
    retain: will.retain,
    clientId: conn.clientId,
    brokerId: conn.services.brokerId,
    at,
    ...(will.properties !== undefined ? { properties: will.properties } : {}),
    ...(will.expiryInterval !== undefined ? { expiresAt: at + will.expiryInterval * 1000 } : {}),
  };
}
