/**
 * All sessions of the cluster, as derived from the log: every connected client (for takeover and
 * wills) and every persistent session (with its subscriptions in one cluster-wide trie, keyed by
 * client id), and the shared subscriptions of every session (shared-groups.ts). Changed only by
 * ClusterState while applying log events.
 */
import type { SubscriptionOptions } from '../../coordination/log-events.js';
import { TopicTrie } from '../../protocol/topic-trie.js';
import { parseSharedFilter, type SharedFilter } from '../../protocol/topic.js';
import { SessionRecord, type SessionSnapshot } from './session.js';
import { SharedGroups, type SharedGroupSnapshot } from './shared-groups.js';

/** One client's match of a publish, merged over its overlapping subscriptions [MQTT-3.3.5-1]. */
export interface SessionMatch {
  qos: 0 | 1 | 2;
  /** Some matching subscription wants the RETAIN flag as published (MQTT 5.0 Retain As Published). */
  retainAsPublished: boolean;
  /** Every matching subscription has No Local set. */
  noLocal: boolean;
  subscriptionIds: number[];
}

export class SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly subscriptions = new TopicTrie<SubscriptionOptions>();
  readonly shared = new SharedGroups();

  get size(): number {
    return this.sessions.size;
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  get(clientId: string): SessionRecord | undefined {
    return this.sessions.get(clientId);
  }

  getOrCreate(clientId: string): SessionRecord {
    let record = this.sessions.get(clientId);
    if (record === undefined) {
      record = new SessionRecord(clientId);
      this.sessions.set(clientId, record);
    }
    return record;
  }

  values(): IterableIterator<SessionRecord> {
    return this.sessions.values();
  }

  /** Adds or replaces a subscription; returns true when it is new [MQTT-3.8.4-3]. */
  subscribe(record: SessionRecord, filter: string, options: SubscriptionOptions): boolean {
    const isNew = !record.subscriptions.has(filter);
    record.subscriptions.set(filter, options);
    const shared = sharedOf(filter);
    if (shared !== null) this.shared.add(filter, shared, record.clientId, options);
    else this.subscriptions.add(filter, record.clientId, options);
    return isNew;
  }

  /** Removes a subscription; returns true when it existed. */
  unsubscribe(record: SessionRecord, filter: string): boolean {
    if (!record.subscriptions.delete(filter)) return false;
    this.forget(record.clientId, filter);
    return true;
  }

  /** Discards a session's state but keeps the record (clean start). */
  clear(record: SessionRecord): void {
    for (const filter of record.subscriptions.keys()) this.forget(record.clientId, filter);
    record.clear();
  }

  private forget(clientId: string, filter: string): void {
    if (sharedOf(filter) !== null) this.shared.remove(filter, clientId);
    else this.subscriptions.remove(filter, clientId);
  }

  delete(record: SessionRecord): void {
    this.clear(record);
    this.sessions.delete(record.clientId);
  }

  /** Persistent sessions whose subscriptions match `topic`, merged per session. */
  match(topic: string): Map<string, SessionMatch> {
    const matches = new Map<string, SessionMatch>();
    if (this.subscriptions.size === 0) return matches;
    this.subscriptions.match(topic, (clientId, options) => {
      const m = matches.get(clientId);
      if (m === undefined) {
        matches.set(clientId, {
          qos: options.qos,
          retainAsPublished: options.retainAsPublished,
          noLocal: options.noLocal,
          subscriptionIds: options.subscriptionId !== undefined ? [options.subscriptionId] : [],
        });
        return;
      }
      if (options.qos > m.qos) m.qos = options.qos;
      m.retainAsPublished ||= options.retainAsPublished;
      m.noLocal &&= options.noLocal;
      if (options.subscriptionId !== undefined) m.subscriptionIds.push(options.subscriptionId);
    });
    return matches;
  }

  toJSON(): SessionSnapshot[] {
    return [...this.sessions.values()].map((s) => s.toJSON());
  }

  /** Restores sessions, and the shared groups with their member order and round-robin position. */
  restore(snapshots: SessionSnapshot[], shared: SharedGroupSnapshot[] = []): void {
    for (const s of snapshots) {
      const record = SessionRecord.fromJSON(s);
      this.sessions.set(record.clientId, record);
      for (const [filter, options] of record.subscriptions) {
        if (sharedOf(filter) === null) this.subscriptions.add(filter, record.clientId, options);
      }
    }
    this.shared.restore(shared);
  }
}

/** The group and filter of a shared subscription; null for an ordinary filter. */
function sharedOf(filter: string): SharedFilter | null {
  const shared = parseSharedFilter(filter);
  return shared === 'invalid' ? null : shared;
}
