/**
 * Messages on their way to one client: the inflight window of QoS 1/2 publishes awaiting their acks,
 * and the queue behind it. Pure data structure: no timers, no I/O.
 *
 * One queue for every QoS: a QoS 0 message waits behind queued QoS 1/2 messages instead of
 * overtaking them, so that every subscriber sees messages in log order (DESIGN.md promise 2; the
 * spec only requires order per QoS [MQTT-4.6.0-6]). Only QoS 1/2 messages take a window slot.
 * When the queue is full the newest message is dropped, which keeps what is delivered in order.
 */
import type { Delivery } from './types.js';

export interface InflightEntry {
  delivery: Delivery;
  packetId: number;
  /** 'publish': waiting for PUBACK/PUBREC; 'release': PUBREL sent, waiting for PUBCOMP. */
  phase: 'publish' | 'release';
}

export interface OutboundLimits {
  /** QoS 1/2 messages sent and not yet acknowledged (MQTT 5.0: at most the client's Receive Maximum). */
  maxInflight: number;
  /** Messages waiting behind the window. */
  maxQueued: number;
}

/** What `push`/`pull` decided for each message. */
export interface Sendable {
  delivery: Delivery;
  /** 0 for QoS 0. */
  packetId: number;
  /** True when PUBREL (not PUBLISH) is owed: a resumed QoS 2 message already acknowledged with PUBREC. */
  release: boolean;
}

export class Outbound {
  readonly inflight = new Map<number, InflightEntry>();
  private queue: Delivery[] = [];
  private queueHead = 0;
  private lastId = 0;

  constructor(private readonly limits: OutboundLimits) {}

  /** Changes the queue bound (a persistent session's connection keeps what its session holds). */
  setMaxQueued(maxQueued: number): void {
    this.limits.maxQueued = maxQueued;
  }

  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** Adds a message; returns false when the queue is full and the message was dropped. */
  push(delivery: Delivery): boolean {
    if (this.queued >= this.limits.maxQueued) return false;
    this.queue.push(delivery);
    return true;
  }

  /**
   * Takes from the queue what may be sent now, in order, assigning packet ids to QoS 1/2 messages
   * that do not carry one. Stops at the first QoS 1/2 message that does not fit the window.
   * Messages whose expiry passed before they could be sent are dropped [MQTT-3.3.2-5]; returns how many.
   */
  pull(out: Sendable[], now: number): number {
    let expired = 0;
    while (this.queueHead < this.queue.length) {
      const delivery = this.queue[this.queueHead]!;
      if (delivery.expiresAt !== undefined && delivery.expiresAt <= now && delivery.released !== true) {
        expired++;
      } else if (delivery.qos === 0) {
        out.push({ delivery, packetId: 0, release: false });
      } else {
        if (this.inflight.size >= this.limits.maxInflight) break;
        const packetId = delivery.packetId ?? this.nextId();
        const release = delivery.released === true;
        this.inflight.set(packetId, { delivery, packetId, phase: release ? 'release' : 'publish' });
        out.push({ delivery, packetId, release });
      }
      this.queue[this.queueHead++] = undefined as unknown as Delivery;
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    return expired;
  }

  /**
   * The acknowledgement the message in flight under `packetId` waits for: PUBACK (QoS 1), PUBREC or,
   * once PUBREL is sent, PUBCOMP (QoS 2); null when nothing is in flight under that id.
   */
  awaiting(packetId: number): 'puback' | 'pubrec' | 'pubcomp' | null {
    const entry = this.inflight.get(packetId);
    if (entry === undefined) return null;
    if (entry.delivery.qos === 1) return 'puback';
    return entry.phase === 'publish' ? 'pubrec' : 'pubcomp';
  }

  /** PUBACK (QoS 1) or PUBCOMP (QoS 2): the message is done. False for an unknown id. */
  complete(packetId: number, expected: 'puback' | 'pubcomp'): boolean {
    const entry = this.inflight.get(packetId);
    if (entry === undefined) return false;
    const matches = expected === 'puback' ? entry.delivery.qos === 1 : entry.phase === 'release';
    if (!matches) return false;
    this.inflight.delete(packetId);
    return true;
  }

  /**
   * The message in flight under `packetId` is done without its usual ack: refused by the client
   * (PUBACK/PUBREC >= 0x80) or too large to send [MQTT-3.1.2-25]. False for an unknown id.
   */
  discard(packetId: number): boolean {
    return this.inflight.delete(packetId);
  }

  /** PUBREC: a QoS 2 message moves to its release phase. False for an unknown id. */
  received(packetId: number): boolean {
    const entry = this.inflight.get(packetId);
    if (entry?.delivery.qos !== 2) return false;
    entry.phase = 'release';
    return true;
  }

  /** Packet ids of queued messages never sent (a persistent session's, whose ids are assigned ahead). */
  unsentPacketIds(): number[] {
    const ids: number[] = [];
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const id = this.queue[i]!.packetId;
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  /** Everything unacknowledged and queued, in order, for a session that outlives this connection. */
  pending(): Delivery[] {
    const inflight = [...this.inflight.values()].map((e): Delivery => ({
      ...e.delivery,
      packetId: e.packetId,
      dup: true,
      released: e.phase === 'release',
    }));
    return [...inflight, ...this.queue.slice(this.queueHead)];
  }

  /** Packet ids 1..65535, skipping those in flight [MQTT-2.3.1-2]. */
  private nextId(): number {
    for (;;) {
      this.lastId = this.lastId >= 65535 ? 1 : this.lastId + 1;
      if (!this.inflight.has(this.lastId)) return this.lastId;
    }
  }
}
