// Test whether the topic trie finds exactly the subscriptions the reference matcher finds.
import { describe, expect, it } from 'vitest';
import { topicMatches } from '../../src/protocol/topic.js';
import { TopicTrie } from '../../src/protocol/topic-trie.js';

function matchKeys(trie: TopicTrie<string>, topic: string): string[] {
  const keys: string[] = [];
  trie.match(topic, (key, value) => keys.push(`${key}:${value}`));
  return keys.sort();
}

describe('TopicTrie', () => {
  it('matches exact, + and # filters, and # matches the parent level', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/b', 'c1', 'exact');
    trie.add('a/+', 'c2', 'plus');
    trie.add('a/#', 'c3', 'hash');
    trie.add('#', 'c4', 'all');
    expect(matchKeys(trie, 'a/b')).toEqual(['c1:exact', 'c2:plus', 'c3:hash', 'c4:all']);
    expect(matchKeys(trie, 'a')).toEqual(['c3:hash', 'c4:all']);
    expect(matchKeys(trie, 'a/b/c')).toEqual(['c3:hash', 'c4:all']);
  });

  it('never matches $ topics with filters starting with a wildcard [MQTT-4.7.2-1]', () => {
    const trie = new TopicTrie<string>();
    trie.add('#', 'c1', 'x');
    trie.add('+/uptime', 'c2', 'x');
    trie.add('$SYS/#', 'c3', 'x');
    expect(matchKeys(trie, '$SYS/uptime')).toEqual(['c3:x']);
  });

  it('replaces a value for the same filter and key, and counts entries', () => {
    const trie = new TopicTrie<number>();
    expect(trie.add('a', 'k', 1)).toBe(true);
    expect(trie.add('a', 'k', 2)).toBe(false);
    expect(trie.size).toBe(1);
    expect(trie.get('a', 'k')).toBe(2);
  });

  it('removes entries and prunes empty branches', () => {
    const trie = new TopicTrie<number>();
    trie.add('a/b/c', 'k', 1);
    trie.add('a/b', 'k', 2);
    expect(trie.remove('a/b/c', 'k')).toBe(true);
    expect(trie.remove('a/b/c', 'k')).toBe(false);
    expect(trie.remove('x', 'k')).toBe(false);
    expect([...trie.entriesOf()]).toEqual([['a/b', 'k', 2]]);
    trie.remove('a/b', 'k');
    expect(trie.size).toBe(0);
    expect([...trie.entriesOf()]).toEqual([]);
  });

  it('agrees with the reference matcher on generated filters and topics', () => {
    const levels = ['a', 'b', '', '$x'];
    const filterLevels = [...levels, '+'];
    const filters = new Set<string>();
    const topics = new Set<string>();
    const build = (
      parts: string[],
      depth: number,
      out: Set<string>,
      alphabet: string[],
      hash: boolean,
    ): void => {
      if (depth > 0) out.add(parts.join('/'));
      if (hash && depth > 0) out.add([...parts, '#'].join('/'));
      if (depth === 3) return;
      for (const l of alphabet) build([...parts, l], depth + 1, out, alphabet, hash);
    };
    build([], 0, filters, filterLevels, true);
    filters.add('#');
    build([], 0, topics, levels, false);
    const trie = new TopicTrie<string>();
    for (const f of filters) trie.add(f, f, f);
    for (const t of topics) {
      const expected = [...filters].filter((f) => topicMatches(f, t)).sort();
      const found: string[] = [];
      trie.match(t, (key) => found.push(key));
      expect(found.sort()).toEqual(expected);
    }
  });
});
