/**
 * Subscriptions of the clean sessions connected to this broker. They die with their connection, so
 * they stay here, out of the log (DESIGN.md); persistent sessions' subscriptions live in the
 * replicated ClusterState instead. A message matching several subscriptions of one client goes to it
 * once, with the highest granted QoS and every subscription identifier [MQTT-3.3.5-1].
 */
import type { PublishEvent, SubscriptionOptions } from '../coordination/log-events.js';
import { TopicTrie } from '../protocol/topic-trie.js';
import type { Delivery } from '../actors/connection/types.js';

interface Route {
  qos: 0 | 1 | 2;
  retainAsPublished: boolean;
  noLocal: boolean;
  subscriptionIds: number[] | null;
}

export class LocalRouter {
  private readonly trie = new TopicTrie<SubscriptionOptions>();
  private readonly byConnection = new Map<string, Set<string>>();
  /** Scratch map reused by `route` (one publish at a time). */
  private readonly routes = new Map<string, Route>();

  get size(): number {
    return this.trie.size;
  }

  /** Adds or replaces a subscription; returns true when it is new. */
  add(connId: string, filter: string, options: SubscriptionOptions): boolean {
    let filters = this.byConnection.get(connId);
    if (filters === undefined) {
      filters = new Set();
      this.byConnection.set(connId, filters);
    }
    filters.add(filter);
    return this.trie.add(filter, connId, options);
  }

  remove(connId: string, filter: string): boolean {
    this.byConnection.get(connId)?.delete(filter);
    return this.trie.remove(filter, connId);
  }

  removeAll(connId: string): void {
    const filters = this.byConnection.get(connId);
    if (filters === undefined) return;
    for (const filter of filters) this.trie.remove(filter, connId);
    this.byConnection.delete(connId);
  }

  filtersOf(connId: string): string[] {
    return [...(this.byConnection.get(connId) ?? [])];
  }

  /** A connection's subscriptions with their options (for the debug endpoint). */
  subscriptionsOf(connId: string): { filter: string; options: SubscriptionOptions }[] {
    const out: { filter: string; options: SubscriptionOptions }[] = [];
    for (const filter of this.byConnection.get(connId) ?? []) {
      const options = this.trie.get(filter, connId);
      if (options !== undefined) out.push({ filter, options });
    }
    return out;
  }

  /**
   * Calls `deliver` once per local connection whose subscriptions match. `clientIdOf` resolves a
   * connection's client id for No Local. Deliveries without subscription ids are shared between
   * connections (one object per QoS), so fan-out allocates per message, not per subscriber.
   */
  route(
    event: PublishEvent,
    clientIdOf: (connId: string) => string | undefined,
    deliver: (connId: string, delivery: Delivery) => void,
  ): void {
    if (this.trie.size === 0) return;
    const routes = this.routes;
    this.trie.match(event.topic, (connId, options) => {
      const r = routes.get(connId);
      const id = options.subscriptionId;
      if (r === undefined) {
        routes.set(connId, {
          qos: options.qos,
          retainAsPublished: options.retainAsPublished,
          noLocal: options.noLocal,
          subscriptionIds: id !== undefined ? [id] : null,
        });
        return;
      }
      if (options.qos > r.qos) r.qos = options.qos;
      r.retainAsPublished ||= options.retainAsPublished;
      r.noLocal &&= options.noLocal;
      if (id !== undefined) (r.subscriptionIds ??= []).push(id);
    });
    const shared: (Delivery | undefined)[] = [undefined, undefined, undefined];
    for (const [connId, r] of routes) {
      if (r.noLocal && clientIdOf(connId) === event.clientId) continue;
      const qos = event.qos < r.qos ? event.qos : r.qos;
      const retain = r.retainAsPublished && event.retain;
      if (r.subscriptionIds === null && !retain) {
        deliver(connId, (shared[qos] ??= makeDelivery(event, qos, false, null)));
      } else {
        deliver(connId, makeDelivery(event, qos, retain, r.subscriptionIds));
      }
    }
    routes.clear();
  }
}

function makeDelivery(event: PublishEvent, qos: 0 | 1 | 2, retain: boolean, ids: number[] | null): Delivery {
  const d: Delivery = { topic: event.topic, payload: event.payload, qos, retain };
  if (event.properties !== undefined) d.properties = event.properties;
  if (event.expiresAt !== undefined) d.expiresAt = event.expiresAt;
  if (ids !== null) d.subscriptionIds = ids;
  return d;
}
