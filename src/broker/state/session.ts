/**
 * One session as every replica knows it (MQTT 3.1.1 section 3.1.2.4 "Session state"): its owner
 * connection, its will, and for a persistent session its subscriptions, the QoS 1/2 messages not yet
 * acknowledged, and the inbound QoS 2 packet ids not yet released.
 *
 * Packet ids of queued messages are assigned here, when a message is queued, in log order. Every
 * replica assigns the same ids, so a session resumed on another replica re-sends a message with the
 * id its client already knows, which is what makes QoS 2 exactly-once survive a broker's death.
 */
import type { SubscriptionOptions, WillMessage } from '../../coordination/log-events.js';
import type { Delivery } from '../../actors/connection/types.js';

export interface Owner {
  brokerId: string;
  epoch: string;
  connId: string;
}

export interface QueuedMessage extends Delivery {
  packetId: number;
  /** An owner was connected while it was queued: it may have been sent (DUP on resume). */
  maybeSent: boolean;
}

/** Messages a connected persistent session may have unacknowledged: most of the 16-bit id space. */
export const MAX_LIVE_QUEUE = 65_000;

/** Session expiry meaning "never" (MQTT 5.0 3.1.2.11.2). */
export const NEVER_EXPIRES = 0xffffffff;

export class SessionRecord {
  owner: Owner | null = null;
  protocolVersion: 3 | 4 | 5 = 4;
  /** Seconds the session outlives its connection; 0: it ends with the connection. */
  expiryInterval = 0;
  disconnectedAt: number | null = null;
  will: WillMessage | null = null;
  /** When a delayed will is owed (MQTT 5.0 will delay), the time it is due. */
  willDueAt: number | null = null;
  readonly subscriptions = new Map<string, SubscriptionOptions>();
  /** QoS 1/2 messages not yet acknowledged, in log order, by packet id. Change it through the methods. */
  readonly queue = new Map<number, QueuedMessage>();
  /** Payload bytes in the queue (for the quota). */
  queuedBytes = 0;
  readonly awaitingRelease = new Set<number>();
  private lastPacketId = 0;
  /** Messages dropped because the queue was full (counted, visible in inspection). */
  dropped = 0;

  constructor(readonly clientId: string) {}

  get persistent(): boolean {
    return this.expiryInterval > 0;
  }

  /**
   * Queues a QoS 1/2 message with the next free packet id; null when the queue is full. The bound
   * is `maxOffline` while no connection owns the session (Mosquitto's max_queued_messages); while one
   * does, its broker's flow control paces delivery and only the packet id space bounds the queue (the
   * state quota bounds its bytes), so a burst from the log never drops what a live client will ack.
   */
  enqueue(delivery: Delivery, maxOffline: number): QueuedMessage | null {
    const bound = this.owner === null ? maxOffline : MAX_LIVE_QUEUE;
    if (this.queue.size >= bound) {
      this.dropped++;
      return null;
    }
    let id = this.lastPacketId;
    do id = id >= 65535 ? 1 : id + 1;
    while (this.queue.has(id));
    this.lastPacketId = id;
    const queued: QueuedMessage = { ...delivery, packetId: id, maybeSent: this.owner !== null };
    this.queue.set(id, queued);
    this.queuedBytes += queued.payload.length;
    return queued;
  }

  /** The message was acknowledged (PUBACK / PUBCOMP) or expired: it leaves the session. */
  remove(packetId: number): void {
    const m = this.queue.get(packetId);
    if (m === undefined) return;
    this.queuedBytes -= m.payload.length;
    this.queue.delete(packetId);
  }

  /** The connection that ended never sent it: the next one sends it as new (DUP=0) [MQTT-3.3.1-3]. */
  markUnsent(packetId: number): void {
    const m = this.queue.get(packetId);
    if (m !== undefined && m.maybeSent) this.queue.set(packetId, { ...m, maybeSent: false });
  }

  /** PUBREC: only PUBREL is owed now, so the payload is no longer needed. Keeps the queue order. */
  markReleased(packetId: number): void {
    const m = this.queue.get(packetId);
    if (m === undefined || m.released === true) return;
    this.queuedBytes -= m.payload.length;
    this.queue.set(packetId, { ...m, released: true, payload: Buffer.alloc(0) });
  }

  /** Forgets subscriptions, queue and inbound state (clean start [MQTT-3.1.2-6]). */
  clear(): void {
    this.subscriptions.clear();
    this.queue.clear();
    this.queuedBytes = 0;
    this.awaitingRelease.clear();
    this.lastPacketId = 0;
  }

  /** The queue as the next connection must receive it: possibly-sent messages marked DUP. */
  resumeQueue(): Delivery[] {
    const out: Delivery[] = [];
    for (const m of this.queue.values()) out.push(m.maybeSent ? { ...m, dup: true } : m);
    for (const m of this.queue.values()) m.maybeSent = true;
    return out;
  }

  toJSON(): SessionSnapshot {
    return {
      clientId: this.clientId,
      owner: this.owner,
      protocolVersion: this.protocolVersion,
      expiryInterval: this.expiryInterval,
      disconnectedAt: this.disconnectedAt,
      will: this.will,
      willDueAt: this.willDueAt,
      subscriptions: [...this.subscriptions],
      queue: [...this.queue.values()],
      awaitingRelease: [...this.awaitingRelease],
      lastPacketId: this.lastPacketId,
      dropped: this.dropped,
    };
  }

  static fromJSON(s: SessionSnapshot): SessionRecord {
    const r = new SessionRecord(s.clientId);
    r.owner = s.owner;
    r.protocolVersion = s.protocolVersion;
    r.expiryInterval = s.expiryInterval;
    r.disconnectedAt = s.disconnectedAt;
    r.will = s.will;
    r.willDueAt = s.willDueAt;
    for (const [filter, options] of s.subscriptions) r.subscriptions.set(filter, options);
    for (const m of s.queue) {
      r.queue.set(m.packetId, m);
      r.queuedBytes += m.payload.length;
    }
    for (const id of s.awaitingRelease) r.awaitingRelease.add(id);
    r.lastPacketId = s.lastPacketId;
    r.dropped = s.dropped;
    return r;
  }
}

export interface SessionSnapshot {
  clientId: string;
  owner: Owner | null;
  protocolVersion: 3 | 4 | 5;
  expiryInterval: number;
  disconnectedAt: number | null;
  will: WillMessage | null;
  willDueAt: number | null;
  subscriptions: [string, SubscriptionOptions][];
  queue: QueuedMessage[];
  awaitingRelease: number[];
  lastPacketId: number;
  dropped: number;
}
