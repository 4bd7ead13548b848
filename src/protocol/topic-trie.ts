/**
 * A trie of topic filters for matching topic names with `+` and `#` (MQTT section 4.7).
 *
 * Each filter holds values by key (a key is a subscriber: one value per subscriber and filter).
 * Matching walks one path per topic level, plus the `+` and `#` branches, so its cost grows with the
 * depth of the topic and the number of wildcard branches, not with the number of subscriptions.
 * Filters starting with a wildcard never match topics starting with `$` [MQTT-4.7.2-1].
 */

class TrieNode<V> {
  readonly children = new Map<string, TrieNode<V>>();
  values: Map<string, V> | null = null;
}

export type TrieVisitor<V> = (key: string, value: V) => void;

export class TopicTrie<V> {
  private readonly root = new TrieNode<V>();
  private entries = 0;

  /** Number of (filter, key) entries. */
  get size(): number {
    return this.entries;
  }

  /** Adds or replaces the value of `key` under `filter`; returns true when the entry is new. */
  add(filter: string, key: string, value: V): boolean {
    let node = this.root;
    for (const level of filter.split('/')) {
      let next = node.children.get(level);
      if (next === undefined) {
        next = new TrieNode<V>();
        node.children.set(level, next);
      }
      node = next;
    }
    node.values ??= new Map();
    const isNew = !node.values.has(key);
    node.values.set(key, value);
    if (isNew) this.entries++;
    return isNew;
  }

  get(filter: string, key: string): V | undefined {
    return this.find(filter)?.values?.get(key);
  }

  /** Removes `key` from `filter`, pruning emptied branches; returns true when it was there. */
  remove(filter: string, key: string): boolean {
    const levels = filter.split('/');
    const path: TrieNode<V>[] = [this.root];
    let node = this.root;
    for (const level of levels) {
      const next = node.children.get(level);
      if (next === undefined) return false;
      path.push(next);
      node = next;
    }
    if (node.values?.delete(key) !== true) return false;
    this.entries--;
    if (node.values.size === 0) node.values = null;
    for (let i = levels.length; i > 0; i--) {
      const child = path[i]!;
      if (child.values !== null || child.children.size > 0) break;
      path[i - 1]!.children.delete(levels[i - 1]!);
    }
    return true;
  }

  /** Calls `visit` once per (key, value) of every filter matching `topic`. */
  match(topic: string, visit: TrieVisitor<V>): void {
    const levels = topic.split('/');
    this.walk(this.root, levels, 0, topic.charCodeAt(0) === 36 /* '$' */, visit);
  }

  /** Every (filter, key, value), for snapshots and inspection. */
  *entriesOf(): Generator<[filter: string, key: string, value: V]> {
    const stack: [TrieNode<V>, string[]][] = [[this.root, []]];
    while (stack.length > 0) {
      const [node, prefix] = stack.pop()!;
      if (node.values !== null) {
        const filter = prefix.join('/');
        for (const [key, value] of node.values) yield [filter, key, value];
      }
      for (const [level, child] of node.children) stack.push([child, [...prefix, level]]);
    }
  }

  private find(filter: string): TrieNode<V> | undefined {
    let node: TrieNode<V> | undefined = this.root;
    for (const level of filter.split('/')) {
      node = node.children.get(level);
      if (node === undefined) return undefined;
    }
    return node;
  }

  private walk(node: TrieNode<V>, levels: string[], i: number, dollar: boolean, visit: TrieVisitor<V>): void {
    const wildcardsAllowed = !(dollar && i === 0);
    if (wildcardsAllowed) {
      // '#' matches this level and everything below, including the parent itself [MQTT-4.7.1-2]
      const hash = node.children.get('#');
      if (hash?.values) for (const [key, value] of hash.values) visit(key, value);
    }
    if (i === levels.length) {
      if (node.values) for (const [key, value] of node.values) visit(key, value);
      return;
    }
    if (wildcardsAllowed) {
      const plus = node.children.get('+');
      if (plus) this.walk(plus, levels, i + 1, dollar, visit);
    }
    const exact = node.children.get(levels[i]!);
    if (exact) this.walk(exact, levels, i + 1, dollar, visit);
  }
}
