/**
 * SUBSCRIBE and UNSUBSCRIBE on this broker. A clean session subscribes here and now: the retained
 * messages as of this moment, then every publish applied after it. A persistent session subscribes
 * through the log: the ack and the retained messages come when the subscribe event is applied, at
 * its log position (DESIGN.md promise 5: no race between retain and subscribe).
 */
import type { ISubscribePacket, IUnsubscribePacket } from 'mqtt-packet';
import type { Delivery } from '../actors/connection/types.js';
import type { ClientConnection } from './client-connection.js';
import { planSubscribe, planUnsubscribe, unsubackCodes, type UnsubscribePlan } from './subscribe-plan.js';

export type PendingAck =
  | { kind: 'subscribe'; packetId: number; codes: number[] }
  | { kind: 'unsubscribe'; packetId: number; plan: UnsubscribePlan };

export function subscribe(conn: ClientConnection, packet: ISubscribePacket): void {
  const { services } = conn;
  const plan = planSubscribe(packet, conn.version, services.settings.refusedFilters);
  const packetId = packet.messageId!;
  const granted = plan.codes.map((code) => ({ code }));
  conn.log.debug({ subscriptions: packet.subscriptions, codes: plan.codes }, 'subscribe');
  if (conn.logged && plan.accepted.length > 0) {
    conn.pendingAcks.push({ kind: 'subscribe', packetId, codes: plan.codes });
    services.append(
      {
        type: 'subscribe',
        clientId: conn.clientId,
        connId: conn.connId,
        subscriptions: plan.accepted,
        at: services.now(),
      },
      (err) => {
        if (err !== null)
          conn.disconnect('server-unavailable', 'subscription not recorded: the cluster log is unavailable');
      },
    );
    return;
  }
  const retained: Delivery[] = [];
  const now = services.now();
  for (const { filter, options } of plan.accepted) {
    const isNew = services.router.add(conn.connId, filter, options);
    // MQTT 5.0 Retain Handling: 0 always, 1 only for a new subscription, 2 never
    if (options.retainHandling === 2 || (options.retainHandling === 1 && !isNew)) continue;
    for (const m of services.state.retained.match(filter)) {
      if (m.expiresAt !== undefined && m.expiresAt <= now) continue;
      if (options.noLocal && m.clientId === conn.clientId) continue;
      retained.push({
        topic: m.topic,
        payload: m.payload,
        qos: Math.min(m.qos, options.qos) as 0 | 1 | 2,
        retain: true, // [MQTT-3.3.1-8]
        ...(m.properties !== undefined ? { properties: m.properties } : {}),
        ...(m.expiresAt !== undefined ? { expiresAt: m.expiresAt } : {}),
        ...(options.subscriptionId !== undefined ? { subscriptionIds: [options.subscriptionId] } : {}),
      });
    }
  }
  // this broker's $SYS/ values are not in the replicated retained store (sys-topics.ts)
  const sys = services.sys?.retainedFor(plan.accepted);
  if (sys !== undefined) retained.push(...sys);
  conn.send({ type: 'subscribe.done', packetId, granted });
  if (retained.length > 0) conn.deliver(retained);
}

export function unsubscribe(conn: ClientConnection, packet: IUnsubscribePacket): void {
  const { services } = conn;
  const plan = planUnsubscribe(packet, conn.version);
  const packetId = packet.messageId!;
  if (conn.logged && plan.filters.length > 0) {
    conn.pendingAcks.push({ kind: 'unsubscribe', packetId, plan });
    services.append(
      {
        type: 'unsubscribe',
        clientId: conn.clientId,
        connId: conn.connId,
        filters: plan.filters,
        at: services.now(),
      },
      (err) => {
        if (err !== null)
          conn.disconnect('server-unavailable', 'unsubscribe not recorded: the cluster log is unavailable');
      },
    );
    return;
  }
  const existed = plan.filters.map((f) => services.router.remove(conn.connId, f));
  conn.send({ type: 'unsubscribe.done', packetId, codes: unsubackCodes(plan, existed) });
}

/** Our subscribe event was applied: SUBACK, then the retained messages as of its position. */
export function subscribeApplied(conn: ClientConnection, retained: Delivery[]): void {
  const pending = conn.pendingAcks.shift();
  if (pending?.kind !== 'subscribe') {
    conn.log.error('subscribe applied with no subscribe pending');
    return;
  }
  conn.send({
    type: 'subscribe.done',
    packetId: pending.packetId,
    granted: pending.codes.map((code) => ({ code })),
  });
  if (retained.length > 0) conn.deliver(retained);
}

export function unsubscribeApplied(conn: ClientConnection, existed: boolean[]): void {
  const pending = conn.pendingAcks.shift();
  if (pending?.kind !== 'unsubscribe') {
    conn.log.error('unsubscribe applied with no unsubscribe pending');
    return;
  }
  conn.send({
    type: 'unsubscribe.done',
    packetId: pending.packetId,
    codes: unsubackCodes(pending.plan, existed),
  });
}
