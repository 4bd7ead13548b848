/**
 * Topic names and topic filters (MQTT 3.1.1 section 4.7, MQTT 5.0 section 4.7).
 *
 * A note on matching, with the spec's own examples:
 * - valid filters: `a/b/+`, `a/#`, `#`, `+/+/+`, `+`, `/`, `a//b`, `sport/tennis/#` (matches `sport/tennis` too)
 * - invalid filters: `a/#/c` ('#' must be last), `a+/b/c` and `a/b#` (a wildcard must fill its level), ``
 * - valid but not matching: `+` does not match `/finance` (two levels), `sport/+` does not match `sport`,
 *   `#` and `+/...` never match a topic that starts with `$` [MQTT-4.7.2-1].
 *
 * Pure: strings in, booleans out.
 */

/** Topic names and filters are UTF-8 strings of at most 65535 bytes [MQTT-4.7.3-3]. */
export const MAX_TOPIC_BYTES = 65535;

export type TopicProblem =
  | 'empty'
  | 'too long'
  | 'wildcard in topic name'
  | 'misplaced wildcard'
  | 'null character'
  | 'ill-formed UTF-8'
  | 'control or non-character'
  | 'bad shared subscription';

/**
 * Characters a string may not carry. U+0000 is forbidden [MQTT-1.5.3-2]. The decoder turns every
 * ill-formed UTF-8 sequence into U+FFFD, so U+FFFD is how ill-formed input shows [MQTT-1.5.3-1]
 * (a well-formed U+FFFD is refused too: see docs/CONFORMANCE.md). The control characters
 * U+0001..U+001F and U+007F..U+009F and the Unicode non-characters "SHOULD NOT" appear and a
 * receiver "MAY close" on them (section 1.5.3): like Mosquitto, we close.
 */
export function stringProblem(s: string): TopicProblem | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) continue; // printable ASCII: the common case
    if (c === 0) return 'null character';
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return 'control or non-character';
    if (c < 0xd800) continue;
    if (c === 0xfffd) return 'ill-formed UTF-8';
    if ((c >= 0xfdd0 && c <= 0xfdef) || c === 0xfffe || c === 0xffff) return 'control or non-character';
    // U+nFFFE and U+nFFFF of the supplementary planes: a high surrogate ending in 0x3F, then DFFE/DFFF
    if (c <= 0xdbff && (c & 0x3f) === 0x3f && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdffe) {
      return 'control or non-character';
    }
  }
  return null;
}

/** Checks a topic name as it may appear in PUBLISH or a will [MQTT-3.3.2-2], [MQTT-4.7.3-1]. */
export function topicNameProblem(topic: string): TopicProblem | null {
  if (topic.length === 0) return 'empty';
  if (topic.includes('+') || topic.includes('#')) return 'wildcard in topic name';
  if (topic.length > MAX_TOPIC_BYTES / 3 && Buffer.byteLength(topic) > MAX_TOPIC_BYTES) return 'too long';
  return stringProblem(topic);
}

/** Checks a topic filter as it may appear in SUBSCRIBE or UNSUBSCRIBE [MQTT-4.7.1-1..3], [MQTT-4.7.3-1]. */
export function topicFilterProblem(filter: string): TopicProblem | null {
  if (filter.length === 0) return 'empty';
  if (filter.length > MAX_TOPIC_BYTES / 3 && Buffer.byteLength(filter) > MAX_TOPIC_BYTES) return 'too long';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.length <= 1) {
      if (level === '#' && i !== levels.length - 1) return 'misplaced wildcard';
      continue;
    }
    if (level.includes('+') || level.includes('#')) return 'misplaced wildcard';
  }
  return stringProblem(filter);
}

/** A shared subscription filter `$share/{group}/{filter}` (MQTT 5.0 section 4.8.2). */
export interface SharedFilter {
  group: string;
  filter: string;
}

/** Splits `$share/group/filter`; null for an ordinary filter, 'invalid' for a malformed shared one. */
export function parseSharedFilter(filter: string): SharedFilter | 'invalid' | null {
  if (!filter.startsWith('$share/')) return null;
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return 'invalid';
  const group = rest.slice(0, slash);
  const inner = rest.slice(slash + 1);
  if (group.includes('+') || group.includes('#')) return 'invalid';
  if (topicFilterProblem(inner) !== null) return 'invalid';
  return { group, filter: inner };
}

/** True for a well-formed shared subscription filter (a malformed one is refused in 5.0). */
export function isSharedFilter(filter: string): boolean {
  return filter.startsWith('$share/') && parseSharedFilter(filter) !== 'invalid';
}

/** True when `filter` matches `topic`. The trie is the fast path; this is the reference. */
export function topicMatches(filter: string, topic: string): boolean {
  // [MQTT-4.7.2-1] a filter starting with a wildcard never matches a topic starting with '$'
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true; // '#' also matches the parent level [MQTT-4.7.1-2]
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
