/**
 * The debug endpoint's views of the broker's actors, as plain JSON: one line per connection actor
 * for the list, one connection in full (its snapshot and history), and the coordinator with the
 * log's positions. Read on request only; nothing here runs on the hot path.
 */
import type { ConnectionContext } from '../../actors/connection/context.js';
import type { CoordinatorContext } from '../../actors/coordinator/coordinator.machine.js';
import type { Broker } from '../broker.js';
import type { SubscriptionOptions } from '../../coordination/log-events.js';
import type { ClosedConnection, Tracked } from './hub.js';
import type { TransitionRecord } from './history.js';
import { toJson, type Json, type SerialiseOptions } from './serialise.js';

export type SessionView = { kind: 'clean' } | { kind: 'persistent'; expiry: number };

export interface ConnectionSummary {
  clientId: string | null;
  connId: string;
  remoteAddress: string;
  /** The state value as a path: awaitingConnect, connecting, connected.alive, connected.unlimited. */
  state: string;
  protocolVersion: 3 | 4 | 5 | null;
  /** Null until the CONNECT is accepted. */
  session: SessionView | null;
  /** Seconds; 0: none. */
  keepAlive: number;
  sinceLastPacketMs: number;
  /** Time left before the keep-alive closes the connection (1.5 x keep-alive); null without one. */
  keepAliveExpiresInMs: number | null;
  /** Outbound QoS 1/2 in the window, of which PUBREL sent and PUBCOMP awaited. */
  inflight: number;
  awaitingPubcomp: number;
  queued: number;
  /**
   * Inbound QoS 1/2 counted against the Receive Maximum (QoS 2 until its PUBCOMP), and inbound QoS 2
   * acknowledged with PUBREC whose PUBREL has not come.
   */
  inboundUnacked: number;
  awaitingPubrel: number;
  subscriptions: string[];
  connectedAt: number;
}

/** The quota's usage (log bytes and entries, state bytes, limits, refusals). */
export function quotaView(broker: Broker): Json {
  return toJson(broker.quota.current(), { payloadPreview: false, maxItems: 20 }) ?? null;
}

function subscriptionsOf(broker: Broker, t: Tracked, ctx: ConnectionContext): string[] {
  const conn = t.conn;
  if (conn === null) return [];
  if (conn.logged) {
    const session = broker.state.sessions.get(ctx.clientId);
    return session?.owner?.connId === conn.connId ? [...session.subscriptions.keys()] : [];
  }
  // a clean session's ordinary filters are in this broker's router, its shared ones in the state
  return [...broker.router.filtersOf(t.id), ...sharedOf(broker, ctx.clientId, conn.connId).map(([f]) => f)];
}

/** The shared subscriptions a clean session holds in the replicated state. */
function sharedOf(broker: Broker, clientId: string, connId: string): [string, SubscriptionOptions][] {
  const session = broker.state.sessions.get(clientId);
  return session?.owner?.connId === connId ? [...session.subscriptions] : [];
}

export function connectionSummary(broker: Broker, t: Tracked): ConnectionSummary {
  const ctx = t.actor.getSnapshot().context as ConnectionContext;
  const conn = t.conn;
  const now = ctx.now();
  let awaitingPubcomp = 0;
  for (const e of ctx.outbound.inflight.values()) if (e.phase === 'release') awaitingPubcomp++;
  let awaitingPubrel = 0;
  for (const phase of ctx.inboundQos2.values()) if (phase === 'received') awaitingPubrel++;
  const accepted = ctx.connect !== null;
  return {
    clientId: ctx.clientId !== '' ? ctx.clientId : null,
    connId: t.id,
    remoteAddress: ctx.remoteAddress,
    state: t.key,
    protocolVersion: accepted ? ctx.version : null,
    session:
      !accepted || conn === null
        ? null
        : conn.logged
          ? { kind: 'persistent', expiry: conn.sessionExpiry }
          : { kind: 'clean' },
    keepAlive: ctx.keepAliveMs / 1000,
    sinceLastPacketMs: now - ctx.lastPacketAt,
    keepAliveExpiresInMs:
      ctx.keepAliveMs > 0 && t.key.startsWith('connected')
        ? ctx.lastPacketAt + ctx.keepAliveMs * 1.5 - now
        : null,
    inflight: ctx.outbound.inflight.size,
    awaitingPubcomp,
    queued: ctx.outbound.queued,
    inboundUnacked: ctx.inboundUnacked,
    awaitingPubrel,
    subscriptions: subscriptionsOf(broker, t, ctx),
    connectedAt: ctx.connectedAt,
  };
}

/** One connection in full: its summary, the XState snapshot made plain, its state changes. */
export function connectionDetail(broker: Broker, t: Tracked, o: SerialiseOptions): Json {
  const snapshot = t.actor.getSnapshot();
  const ctx = snapshot.context as ConnectionContext;
  const session = t.conn?.logged === true ? broker.state.sessions.get(ctx.clientId) : undefined;
  const subscriptions =
    session !== undefined
      ? [...session.subscriptions].map(([filter, options]) => ({ filter, ...options }))
      : [
          ...broker.router.subscriptionsOf(t.id),
          ...(t.conn === null ? [] : sharedOf(broker, ctx.clientId, t.conn.connId)).map(
            ([filter, options]) => ({
              filter,
              options,
            }),
          ),
        ].map(({ filter, options }) => ({ filter, ...options }));
  return {
    live: true,
    ...(toJson(connectionSummary(broker, t), o) as Record<string, Json>),
    subscriptions: toJson(subscriptions, o) ?? [],
    snapshot: {
      status: snapshot.status,
      value: toJson(snapshot.value, o) ?? null,
      context: toJson(ctx, o) ?? null,
    },
    history: historyJson(t.history.toArray(), o),
  };
}

export function closedDetail(c: ClosedConnection, o: SerialiseOptions): Json {
  return {
    live: false,
    clientId: c.clientId,
    connId: c.connId,
    remoteAddress: c.remoteAddress,
    state: 'closed',
    connectedAt: c.connectedAt,
    closedAt: c.closedAt,
    closeReason: toJson(c.closeReason, o) ?? null,
    stats: toJson(c.stats, o) ?? null,
    history: historyJson(c.history, o),
  };
}

function historyJson(history: TransitionRecord[], o: SerialiseOptions): Json {
  return history.map((r) => toJson(r, o) ?? null);
}

/** The coordinator actor, the coordination link and the log as this broker sees them. */
export function coordinatorView(broker: Broker): Json {
  const t = broker.inspection.coordinator;
  const stats = broker.coordination.stats();
  const leaderId = broker.coordination.leaderId();
  const o: SerialiseOptions = { payloadPreview: false, maxItems: 200 };
  const snapshot = t?.actor.getSnapshot();
  const ctx = snapshot?.context as CoordinatorContext | undefined;
  const members = broker.coordination.members().map((m) => ({
    ...m,
    lag: Math.max(0, stats.head - m.applied),
    leader: m.brokerId === leaderId,
    self: m.brokerId === broker.brokerId && m.epoch === broker.epoch,
  }));
  return {
    brokerId: broker.brokerId,
    epoch: broker.epoch,
    state: t?.key ?? null,
    value: snapshot !== undefined ? (toJson(snapshot.value, o) ?? null) : null,
    role: broker.coordination.isLeader() ? 'leader' : 'follower',
    leaderId,
    link: broker.coordination.linkState,
    context: ctx !== undefined ? (toJson(ctx, o) ?? null) : null,
    members: toJson(members, o) ?? [],
    log: toJson(stats, o) ?? null,
    applied: broker.applied,
    lag: Math.max(0, stats.head - broker.applied),
    caughtUp: broker.caughtUp,
    quota: quotaView(broker),
    history: t !== null ? historyJson(t.history.toArray(), o) : [],
  };
}
