/**
 * Shared subscriptions (MQTT 5.0 section 4.8.2), cluster-wide. A group is a share name and a filter
 * (`$share/{group}/{filter}`); each message matching it goes to one member of the group. The groups
 * are part of the replicated state, and the member is chosen while applying the log, by a
 * round-robin over the members in subscription order that prefers connected sessions. Every replica
 * therefore chooses the same member for the same message, and only that member's broker delivers it.
 *
 * Member order and the round-robin position are in the snapshot: a replica restarted from it must
 * choose exactly as the others do.
 */
import type { SubscriptionOptions } from '../../coordination/log-events.js';
import { TopicTrie } from '../../protocol/topic-trie.js';
import type { SharedFilter } from '../../protocol/topic.js';

export interface SharedGroup {
  /** The whole subscription filter, `$share/{group}/{filter}`. */
  readonly key: string;
  readonly filter: string;
  /** Members in the order they subscribed. */
  readonly members: string[];
  readonly options: Map<string, SubscriptionOptions>;
  /** Where the round-robin goes on. */
  next: number;
}

export interface SharedGroupSnapshot {
  key: string;
  filter: string;
  members: [clientId: string, options: SubscriptionOptions][];
  next: number;
}

export interface SharedChoice {
  clientId: string;
  options: SubscriptionOptions;
}

const NONE: readonly SharedGroup[] = [];

export class SharedGroups {
  private readonly groups = new Map<string, SharedGroup>();
  private readonly trie = new TopicTrie<SharedGroup>();

  get size(): number {
    return this.groups.size;
  }

  /** Memberships over all groups. */
  get memberCount(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.members.length;
    return n;
  }

  /** Adds or replaces a member's subscription; returns true when it is new. */
  add(key: string, shared: SharedFilter, clientId: string, options: SubscriptionOptions): boolean {
    let group = this.groups.get(key);
    if (group === undefined) {
      group = { key, filter: shared.filter, members: [], options: new Map(), next: 0 };
      this.groups.set(key, group);
      this.trie.add(shared.filter, key, group);
    }
    const isNew = !group.options.has(clientId);
    if (isNew) group.members.push(clientId);
    group.options.set(clientId, options);
    return isNew;
  }

  /** Removes a member; returns true when it was one. An emptied group goes. */
  remove(key: string, clientId: string): boolean {
    const group = this.groups.get(key);
    if (group?.options.delete(clientId) !== true) return false;
    const i = group.members.indexOf(clientId);
    group.members.splice(i, 1);
    if (i < group.next) group.next--;
    if (group.next >= group.members.length) group.next = 0;
    if (group.members.length === 0) {
      this.groups.delete(key);
      this.trie.remove(group.filter, key);
    }
    return true;
  }

  /** Groups whose filter matches `topic`, in key order (the same on every replica). */
  match(topic: string): readonly SharedGroup[] {
    if (this.groups.size === 0) return NONE; // the publish path: nothing allocated without groups
    const found: SharedGroup[] = [];
    this.trie.match(topic, (_key, group) => found.push(group));
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * The member that gets the next message: the next connected one in round-robin order, else the
   * next one whose session outlives its connection (its message waits in its queue), else none.
   */
  choose(group: SharedGroup, connected: (clientId: string) => boolean, persistent: (clientId: string) => boolean): SharedChoice | null {
    const n = group.members.length;
    for (const acceptable of [connected, persistent]) {
      for (let i = 0; i < n; i++) {
        const index = (group.next + i) % n;
        const clientId = group.members[index]!;
        if (!acceptable(clientId)) continue;
        group.next = (index + 1) % n;
        return { clientId, options: group.options.get(clientId)! };
      }
    }
    return null;
  }

  toJSON(): SharedGroupSnapshot[] {
    return [...this.groups.values()].map((g) => ({
      key: g.key,
      filter: g.filter,
      members: g.members.map((id): [string, SubscriptionOptions] => [id, g.options.get(id)!]),
      next: g.next,
    }));
  }

  restore(snapshots: SharedGroupSnapshot[]): void {
    for (const s of snapshots) {
      const group: SharedGroup = {
        key: s.key,
        filter: s.filter,
        members: s.members.map(([id]) => id),
        options: new Map(s.members),
        next: s.next,
      };
      this.groups.set(s.key, group);
      this.trie.add(s.filter, s.key, group);
    }
  }
}
