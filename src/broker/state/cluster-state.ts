/**
 * The state every replica derives from the log: retained messages and sessions. `apply` is
 * deterministic: the same entries in the same order give the same state on every replica (time comes
 * from the events, never from the local clock), which is what lets any replica resume any session
 * and what the leader's snapshots capture.
 *
 * What the local broker must do about an event (deliver, grant a session, close a taken-over
 * connection) is reported to a StateListener; the state itself knows nothing of connections.
 */
import type {
  AckEvent,
  BrokerGoneEvent,
  LogEvent,
  PublishEvent,
  SessionCloseEvent,
  SessionOpenEvent,
  SubscribeEvent,
  UnsubscribeEvent,
  WillMessage,
  WillPublishEvent,
} from '../../coordination/log-events.js';
import type { Delivery } from '../../actors/connection/types.js';
import { RetainedStore, type RetainedMessage } from './retained.js';
import type { Owner, SessionRecord } from './session.js';
import { SessionStore } from './sessions.js';
import type { SharedGroup, SharedGroupSnapshot } from './shared-groups.js';
import { isSharedFilter } from '../../protocol/topic.js';
import { openSession, willDueAt, willEndedBy, type OpenResult } from './session-open.js';

export interface StateLimits {
  /** QoS 1/2 messages kept per persistent session. Must be the same on every replica. */
  maxQueuedMessages: number;
}

/** What happened that the local broker may have to act on. Every method is called on every replica. */
export interface StateListener {
  /** A publish was applied: deliver it to local clean-session subscribers. */
  published(event: PublishEvent): void;
  /** Messages for a connected persistent session, in log order. */
  sessionDeliveries(session: SessionRecord, owner: Owner, deliveries: Delivery[]): void;
  sessionOpened(event: SessionOpenEvent, session: SessionRecord, result: OpenResult): void;
  subscribed(event: SubscribeEvent, session: SessionRecord | undefined, retained: Delivery[]): void;
  unsubscribed(event: UnsubscribeEvent, existed: boolean[]): void;
  /** The sessions these connections owned were released: their broker was declared gone. */
  sessionsReleased(event: BrokerGoneEvent, owners: Owner[]): void;
}

export interface StateSnapshot {
  logClock: number;
  messages: number;
  retained: RetainedMessage[];
  sessions: ReturnType<SessionStore['toJSON']>;
  /** Shared subscription groups with their member order and round-robin position. */
  shared?: SharedGroupSnapshot[];
}

export class ClusterState {
  readonly retained = new RetainedStore();
  readonly sessions = new SessionStore();
  /** The latest event time applied: the log's own clock, the same on every replica. */
  logClock = 0;
  /** Publishes applied so far. */
  messages = 0;
  private pending = new Map<string, { session: SessionRecord; owner: Owner; deliveries: Delivery[] }>();

  constructor(
    private readonly limits: StateLimits,
    private readonly listener: StateListener,
  ) {}

  /** Applies the events of one log entry, then hands out the deliveries it produced. */
  applyEntry(events: LogEvent[]): void {
    for (const event of events) this.apply(event);
    this.flushDeliveries();
  }

  private apply(event: LogEvent): void {
    switch (event.type) {
      case 'publish':
        return this.applyPublish(event);
      case 'session-open':
        return this.applyOpen(event);
      case 'session-close':
        return this.applyClose(event);
      case 'subscribe':
        return this.applySubscribe(event);
      case 'unsubscribe':
        return this.applyUnsubscribe(event);
      case 'ack':
        return this.applyAck(event);
      case 'inbound-release':
        this.sessions.get(event.clientId)?.awaitingRelease.delete(event.packetId);
        return;
      case 'broker-gone':
        return this.applyBrokerGone(event);
      case 'session-expire': {
        const record = this.sessions.get(event.clientId);
        if (record?.owner === null && record.disconnectedAt === event.disconnectedAt) this.sessions.delete(record);
        return;
      }
      case 'will-publish':
        return this.applyWillPublish(event);
      case 'expire-messages':
        return this.applyExpireMessages(event.at);
    }
  }

  private applyWillPublish(event: WillPublishEvent): void {
    const record = this.sessions.get(event.clientId);
    const will = record?.will;
    if (record === undefined || record.owner !== null || will === null || will === undefined) return;
    this.publishWill(record, will, event.at);
    if (!record.persistent) this.sessions.delete(record);
  }

  private publishWill(record: SessionRecord, will: WillMessage, at: number): void {
    record.will = null;
    record.willDueAt = null;
    this.applyPublish({
      type: 'publish',
      topic: will.topic,
      payload: will.payload,
      qos: will.qos,
      retain: will.retain,
      clientId: record.clientId,
      brokerId: '',
      at,
      ...(will.properties !== undefined ? { properties: will.properties } : {}),
      ...(will.expiryInterval !== undefined ? { expiresAt: at + will.expiryInterval * 1000 } : {}),
    });
  }

  private applyExpireMessages(at: number): void {
    if (at > this.logClock) this.logClock = at;
    this.retained.expire(at);
    // only messages never offered to a connection: one that may be in flight keeps its packet id
    // until acknowledged, or the id could be reused while the client still holds it [MQTT-2.3.1-4]
    for (const record of this.sessions.values()) {
      for (const [id, m] of record.queue) {
        if (m.expiresAt !== undefined && m.expiresAt <= at && !m.maybeSent) record.remove(id);
      }
    }
  }

  private applyPublish(event: PublishEvent): void {
    this.messages++;
    if (event.at > this.logClock) this.logClock = event.at;
    if (event.retain) this.retained.apply(event);
    if (event.qos2PacketId !== undefined) {
      const publisher = this.sessions.get(event.clientId);
      if (publisher?.persistent) publisher.awaitingRelease.add(event.qos2PacketId);
    }
    this.listener.published(event);
    for (const [clientId, match] of this.sessions.match(event.topic)) {
      if (match.noLocal && clientId === event.clientId) continue; // MQTT 5.0 No Local [MQTT-3.8.3-3]
      const session = this.sessions.get(clientId)!;
      this.queueFor(session, deliveryOf(event, match.qos, match.retainAsPublished, match.subscriptionIds));
    }
    for (const group of this.sessions.shared.match(event.topic)) this.publishShared(group, event);
  }

  /**
   * One message to one member of a shared group (MQTT 5.0 section 4.8.2): chosen here, in log order,
   * so every replica picks the same member. A persistent member keeps it in its session like any
   * message; a clean one gets it only while connected (its broker assigns the packet id).
   */
  private publishShared(group: SharedGroup, event: PublishEvent): void {
    const choice = this.sessions.shared.choose(
      group,
      (id) => (this.sessions.get(id)?.owner ?? null) !== null,
      (id) => this.sessions.get(id)?.persistent === true,
    );
    if (choice === null) return;
    const session = this.sessions.get(choice.clientId)!;
    const { options } = choice;
    const ids = options.subscriptionId !== undefined ? [options.subscriptionId] : [];
    const delivery = deliveryOf(event, options.qos, options.retainAsPublished, ids);
    if (session.persistent) this.queueFor(session, delivery);
    else if (session.owner !== null) this.pendingFor(session, session.owner).push(delivery);
  }

  /** QoS 1/2 messages are kept in the session until acknowledged; QoS 0 only go to a live owner. */
  private queueFor(session: SessionRecord, delivery: Delivery): void {
    if (delivery.qos > 0) {
      const queued = session.enqueue(delivery, this.limits.maxQueuedMessages);
      if (queued === null || session.owner === null) return;
      this.pendingFor(session, session.owner).push(queued);
    } else if (session.owner !== null) {
      this.pendingFor(session, session.owner).push(delivery);
    }
  }

  private pendingFor(session: SessionRecord, owner: Owner): Delivery[] {
    let p = this.pending.get(session.clientId);
    if (p === undefined) {
      p = { session, owner, deliveries: [] };
      this.pending.set(session.clientId, p);
    }
    return p.deliveries;
  }

  private flushDeliveries(): void {
    if (this.pending.size === 0) return;
    const pending = this.pending;
    this.pending = new Map();
    for (const { session, owner, deliveries } of pending.values()) {
      this.listener.sessionDeliveries(session, owner, deliveries);
    }
  }

  private applyOpen(event: SessionOpenEvent): void {
    if (event.at > this.logClock) this.logClock = event.at;
    // deliveries produced earlier in this entry belong to the previous owner
    this.flushDeliveries();
    const ended = willEndedBy(this.sessions, event); // [MQTT-3.1.2-8]
    if (ended !== null) this.publishWill(ended.session, ended.will, event.at);
    const result = openSession(this.sessions, event);
    this.listener.sessionOpened(event, result.session, result);
  }

  private applyClose(event: SessionCloseEvent): void {
    if (event.at > this.logClock) this.logClock = event.at;
    const record = this.sessions.get(event.clientId);
    if (record?.owner?.connId !== event.connId) return; // a close that lost the race with a takeover
    this.flushDeliveries();
    record.owner = null;
    record.disconnectedAt = event.at;
    if (event.expiryInterval !== undefined) record.expiryInterval = event.expiryInterval;
    if (event.willDueAt !== undefined) {
      record.willDueAt = event.willDueAt;
    } else {
      record.will = null;
      record.willDueAt = null;
    }
    if (!record.persistent && record.willDueAt === null) this.sessions.delete(record);
  }

  private applySubscribe(event: SubscribeEvent): void {
    const record = this.sessions.get(event.clientId);
    if (record?.owner?.connId !== event.connId) {
      this.listener.subscribed(event, undefined, []);
      return;
    }
    const retained: Delivery[] = [];
    for (const { filter, options } of event.subscriptions) {
      const isNew = this.sessions.subscribe(record, filter, options);
      // no retained messages for a shared subscription (MQTT 5.0 section 4.8.2)
      if (isSharedFilter(filter)) continue;
      // MQTT 5.0 Retain Handling: 0 always, 1 only for a new subscription, 2 never [MQTT-3.3.1-9..11]
      if (options.retainHandling === 2 || (options.retainHandling === 1 && !isNew)) continue;
      for (const message of this.retained.match(filter)) {
        if (message.expiresAt !== undefined && message.expiresAt <= this.logClock) continue;
        if (options.noLocal && message.clientId === record.clientId) continue;
        const delivery: Delivery = {
          topic: message.topic,
          payload: message.payload,
          qos: Math.min(message.qos, options.qos) as 0 | 1 | 2,
          retain: true, // [MQTT-3.3.1-8] retained messages sent on subscribe carry RETAIN=1
          ...(message.properties !== undefined ? { properties: message.properties } : {}),
          ...(message.expiresAt !== undefined ? { expiresAt: message.expiresAt } : {}),
          ...(options.subscriptionId !== undefined ? { subscriptionIds: [options.subscriptionId] } : {}),
        };
        if (delivery.qos === 0) retained.push(delivery);
        else {
          const queued = record.enqueue(delivery, this.limits.maxQueuedMessages);
          if (queued !== null) retained.push(queued);
        }
      }
    }
    this.listener.subscribed(event, record, retained);
  }

  private applyUnsubscribe(event: UnsubscribeEvent): void {
    const record = this.sessions.get(event.clientId);
    const existed = event.filters.map((f) => (record ? this.sessions.unsubscribe(record, f) : false));
    this.listener.unsubscribed(event, existed);
  }

  private applyAck(event: AckEvent): void {
    const record = this.sessions.get(event.clientId);
    if (record === undefined) return;
    for (const id of event.packetIds) {
      if (event.phase === 'delivered') record.remove(id);
      else if (event.phase === 'released') record.markReleased(id);
      else record.markUnsent(id);
    }
  }

  private applyBrokerGone(event: BrokerGoneEvent): void {
    if (event.at > this.logClock) this.logClock = event.at;
    // deliveries produced earlier in this entry belong to the owners being released
    this.flushDeliveries();
    const released: Owner[] = [];
    for (const record of [...this.sessions.values()]) {
      const owner = record.owner;
      if (owner?.brokerId !== event.brokerId || owner.epoch !== event.epoch) continue;
      released.push(owner);
      record.owner = null;
      record.disconnectedAt = event.at;
      // the will of a client whose broker vanished is still owed; the leader publishes it when due
      record.willDueAt = record.will !== null ? willDueAt(record, event.at) : null;
      if (!record.persistent && record.willDueAt === null) this.sessions.delete(record);
    }
    if (released.length > 0) this.listener.sessionsReleased(event, released);
  }

  /** Payload bytes of retained and queued messages: what the quota bounds besides the log. */
  payloadBytes(): number {
    let bytes = this.retained.bytes;
    for (const record of this.sessions.values()) bytes += record.queuedBytes;
    return bytes;
  }

  toSnapshot(): StateSnapshot {
    return {
      logClock: this.logClock,
      messages: this.messages,
      retained: this.retained.all(),
      sessions: this.sessions.toJSON(),
      shared: this.sessions.shared.toJSON(),
    };
  }

  restore(snapshot: StateSnapshot): void {
    this.logClock = snapshot.logClock;
    this.messages = snapshot.messages;
    for (const m of snapshot.retained) this.retained.set(m);
    this.sessions.restore(snapshot.sessions, snapshot.shared ?? []);
  }
}

/** A publish as one subscription receives it: at most its QoS, RETAIN as it asks, its identifiers. */
function deliveryOf(
  event: PublishEvent,
  maxQos: number,
  retainAsPublished: boolean,
  subscriptionIds: number[],
): Delivery {
  return {
    topic: event.topic,
    payload: event.payload,
    qos: Math.min(event.qos, maxQos) as 0 | 1 | 2,
    retain: retainAsPublished && event.retain,
    ...(event.properties !== undefined ? { properties: event.properties } : {}),
    ...(subscriptionIds.length > 0 ? { subscriptionIds } : {}),
    ...(event.expiresAt !== undefined ? { expiresAt: event.expiresAt } : {}),
  };
}
