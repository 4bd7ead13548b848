/**
 * Retained messages, derived from the log: one per topic, replaced by a later retained publish and
 * cleared by a retained publish with an empty payload [MQTT-3.3.1-10], [MQTT-3.3.1-11]. Kept as a
 * tree of topic levels so that a new subscription's filter walks only the matching branches.
 */
import type { PublishEvent } from '../../coordination/log-events.js';

export interface RetainedMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  properties?: PublishEvent['properties'];
  expiresAt?: number;
  /** Publisher, for MQTT 5.0 no-local on subscribe. */
  clientId: string;
}

class Level {
  readonly children = new Map<string, Level>();
  message: RetainedMessage | null = null;
}

export class RetainedStore {
  private readonly root = new Level();
  private count = 0;
  private payloadBytes = 0;
  private withExpiry = 0;

  /** Retained messages that carry an expiry (so the expiry duty can skip the scan when there are none). */
  get expiring(): number {
    return this.withExpiry;
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.payloadBytes;
  }

  /** Applies a retained publish: set, replace, or clear when the payload is empty. */
  apply(event: PublishEvent): void {
    if (event.payload.length === 0) {
      this.delete(event.topic);
      return;
    }
    const message: RetainedMessage = {
      topic: event.topic,
      payload: event.payload,
      qos: event.qos,
      clientId: event.clientId,
      ...(event.properties !== undefined ? { properties: event.properties } : {}),
      ...(event.expiresAt !== undefined ? { expiresAt: event.expiresAt } : {}),
    };
    this.set(message);
  }

  set(message: RetainedMessage): void {
    let node = this.root;
    for (const level of message.topic.split('/')) {
      let next = node.children.get(level);
      if (next === undefined) {
        next = new Level();
        node.children.set(level, next);
      }
      node = next;
    }
    if (node.message === null) this.count++;
    else this.forget(node.message);
    this.payloadBytes += message.payload.length;
    if (message.expiresAt !== undefined) this.withExpiry++;
    node.message = message;
  }

  get(topic: string): RetainedMessage | undefined {
    let node: Level | undefined = this.root;
    for (const level of topic.split('/')) {
      node = node.children.get(level);
      if (node === undefined) return undefined;
    }
    return node.message ?? undefined;
  }

  delete(topic: string): void {
    const levels = topic.split('/');
    const path: Level[] = [this.root];
    for (const level of levels) {
      const next = path[path.length - 1]!.children.get(level);
      if (next === undefined) return;
      path.push(next);
    }
    const node = path[path.length - 1]!;
    if (node.message === null) return;
    this.count--;
    this.forget(node.message);
    node.message = null;
    for (let i = levels.length; i > 0; i--) {
      const child = path[i]!;
      if (child.message !== null || child.children.size > 0) break;
      path[i - 1]!.children.delete(levels[i - 1]!);
    }
  }

  /** Retained messages whose topic matches `filter`, skipping `$` topics for leading wildcards [MQTT-4.7.2-1]. */
  match(filter: string): RetainedMessage[] {
    const out: RetainedMessage[] = [];
    this.walk(this.root, filter.split('/'), 0, out);
    return out;
  }

  /** Every retained message, for snapshots. */
  all(): RetainedMessage[] {
    const out: RetainedMessage[] = [];
    const stack = [this.root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.message !== null) out.push(node.message);
      for (const child of node.children.values()) stack.push(child);
    }
    return out;
  }

  /** Removes messages whose expiry passed (MQTT 5.0 3.3.2.3.3); returns how many. */
  expire(now: number): number {
    const expired = this.all().filter((m) => m.expiresAt !== undefined && m.expiresAt <= now);
    for (const m of expired) this.delete(m.topic);
    return expired.length;
  }

  private forget(message: RetainedMessage): void {
    this.payloadBytes -= message.payload.length;
    if (message.expiresAt !== undefined) this.withExpiry--;
  }

  private walk(node: Level, filter: string[], i: number, out: RetainedMessage[]): void {
    if (i === filter.length) {
      if (node.message !== null) out.push(node.message);
      return;
    }
    const level = filter[i]!;
    if (level === '#') {
      this.collect(node, i === 0, out); // '#' matches the parent level too [MQTT-4.7.1-2]
      return;
    }
    if (level === '+') {
      for (const [name, child] of node.children) {
        if (i === 0 && name.startsWith('$')) continue;
        this.walk(child, filter, i + 1, out);
      }
      return;
    }
    const child = node.children.get(level);
    if (child) this.walk(child, filter, i + 1, out);
  }

  private collect(node: Level, atRoot: boolean, out: RetainedMessage[]): void {
    if (node.message !== null && !atRoot) out.push(node.message);
    for (const [name, child] of node.children) {
      if (atRoot && name.startsWith('$')) continue;
      this.collect(child, false, out);
    }
  }
}
