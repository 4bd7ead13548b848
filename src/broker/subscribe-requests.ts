/**
 * SUBSCRIBE and UNSUBSCRIBE on this broker. A clean session subscribes here and now: the retained
 * messages as of this moment, then every publish applied after it. A persistent session subscribes
 * through the log: the ack and the retained messages come when the subscribe event is applied, at
 * its log position (DESIGN.md promise 5: no race between retain and subscribe).
 *
 * Shared subscriptions are cluster state whatever the session (every replica must choose the same
 * member for each message: state/shared-groups.ts), so a clean session's shared filters go through
 * the log too; its other filters in the same packet are made here when that event is applied, and
 * the ack waits for it. Requests are answered in the order they came: one with nothing for the log
 * waits behind one that has (a later SUBSCRIBE of the same filter must win [MQTT-3.8.4-3]).
 */
import type { ISubscribePacket, IUnsubscribePacket } from 'mqtt-packet';
import type { Delivery } from '../actors/connection/types.js';
import type { ClientConnection } from './client-connection.js';
import { isSharedFilter } from '../protocol/topic.js';
import {
  planSubscribe,
  planUnsubscribe,
  unsubackCodes,
  type SubscribePlan,
  type UnsubscribePlan,
} from './subscribe-plan.js';

type Accepted = SubscribePlan['accepted'];

/**
 * A request not answered yet. `afterLog`: it waits for its own log event; otherwise only for those
 * before it. `local` is what a clean session makes here when it is answered.
 */
export type PendingAck =
  | { kind: 'subscribe'; afterLog: boolean; packetId: number; codes: number[]; local: Accepted }
  | { kind: 'unsubscribe'; afterLog: boolean; packetId: number; plan: UnsubscribePlan; local: boolean };

export function subscribe(conn: ClientConnection, packet: ISubscribePacket): void {
  const { services } = conn;
  const plan = planSubscribe(packet, conn.version, services.settings.refusedFilters);
  const packetId = packet.messageId!;
  conn.log.debug({ subscriptions: packet.subscriptions, codes: plan.codes }, 'subscribe');
  const logged = conn.logged ? plan.accepted : plan.accepted.filter((a) => isSharedFilter(a.filter));
  if (logged.length > 0) {
    const local = conn.logged ? [] : plan.accepted.filter((a) => !isSharedFilter(a.filter));
    conn.pendingAcks.push({ kind: 'subscribe', afterLog: true, packetId, codes: plan.codes, local });
    services.append(
      {
        type: 'subscribe',
        clientId: conn.clientId,
        connId: conn.connId,
        subscriptions: logged,
        at: services.now(),
      },
      (err) => {
        if (err !== null)
          conn.disconnect('server-unavailable', 'subscription not recorded: the cluster log is unavailable');
      },
    );
    return;
  }
  const pending: PendingAck = {
    kind: 'subscribe',
    afterLog: false,
    packetId,
    codes: plan.codes,
    local: plan.accepted,
  };
  if (conn.pendingAcks.length > 0) conn.pendingAcks.push(pending);
  else finishSubscribe(conn, pending, []);
}

function finishSubscribe(
  conn: ClientConnection,
  pending: PendingAck & { kind: 'subscribe' },
  retained: Delivery[],
): void {
  const local = subscribeHere(conn, pending.local);
  conn.send({
    type: 'subscribe.done',
    packetId: pending.packetId,
    granted: pending.codes.map((code) => ({ code })),
  });
  const all = local.length > 0 ? [...retained, ...local] : retained;
  if (all.length > 0) conn.deliver(all);
}

/** A clean session's subscriptions, in this broker's router; returns the retained messages owed. */
function subscribeHere(conn: ClientConnection, accepted: Accepted): Delivery[] {
  const { services } = conn;
  const retained: Delivery[] = [];
  const now = services.now();
  for (const { filter, options } of accepted) {
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
  const sys = accepted.length > 0 ? services.sys?.retainedFor(accepted) : undefined;
  if (sys !== undefined) retained.push(...sys);
  return retained;
}

export function unsubscribe(conn: ClientConnection, packet: IUnsubscribePacket): void {
  const { services } = conn;
  const plan = planUnsubscribe(packet, conn.version);
  const packetId = packet.messageId!;
  const logged = conn.logged ? plan.filters : plan.filters.filter(isSharedFilter);
  if (logged.length > 0) {
    conn.pendingAcks.push({ kind: 'unsubscribe', afterLog: true, packetId, plan, local: !conn.logged });
    services.append(
      {
        type: 'unsubscribe',
        clientId: conn.clientId,
        connId: conn.connId,
        filters: logged,
        at: services.now(),
      },
      (err) => {
        if (err !== null)
          conn.disconnect('server-unavailable', 'unsubscribe not recorded: the cluster log is unavailable');
      },
    );
    return;
  }
  const pending: PendingAck = { kind: 'unsubscribe', afterLog: false, packetId, plan, local: true };
  if (conn.pendingAcks.length > 0) conn.pendingAcks.push(pending);
  else finishUnsubscribe(conn, pending, []);
}

/** UNSUBACK; a clean session's local filters are removed now, `loggedExisted` answers for the rest. */
function finishUnsubscribe(
  conn: ClientConnection,
  pending: PendingAck & { kind: 'unsubscribe' },
  loggedExisted: boolean[],
): void {
  let next = 0;
  const existed = pending.local
    ? pending.plan.filters.map((f) =>
        isSharedFilter(f) ? loggedExisted[next++] === true : conn.services.router.remove(conn.connId, f),
      )
    : loggedExisted;
  conn.send({
    type: 'unsubscribe.done',
    packetId: pending.packetId,
    codes: unsubackCodes(pending.plan, existed),
  });
}

/** Answers the requests that waited only for the one just answered. */
function answerWaiting(conn: ClientConnection): void {
  while (conn.pendingAcks.length > 0 && !conn.pendingAcks[0]!.afterLog) {
    const next = conn.pendingAcks.shift()!;
    if (next.kind === 'subscribe') finishSubscribe(conn, next, []);
    else finishUnsubscribe(conn, next, []);
  }
}

/** Our subscribe event was applied: SUBACK, then the retained messages as of its position. */
export function subscribeApplied(conn: ClientConnection, retained: Delivery[]): void {
  const pending = conn.pendingAcks.shift();
  if (pending?.kind !== 'subscribe' || !pending.afterLog) {
    conn.log.error('subscribe applied with no subscribe pending');
    return;
  }
  finishSubscribe(conn, pending, retained);
  answerWaiting(conn);
}

/** Our unsubscribe event was applied; `loggedExisted` answers for the filters it carried. */
export function unsubscribeApplied(conn: ClientConnection, loggedExisted: boolean[]): void {
  const pending = conn.pendingAcks.shift();
  if (pending?.kind !== 'unsubscribe' || !pending.afterLog) {
    conn.log.error('unsubscribe applied with no unsubscribe pending');
    return;
  }
  finishUnsubscribe(conn, pending, loggedExisted);
  answerWaiting(conn);
}
