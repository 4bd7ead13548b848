// Test whether topic names and filters are validated and matched as MQTT section 4.7 says.
import { describe, expect, it } from 'vitest';
import {
  parseSharedFilter,
  stringProblem,
  topicFilterProblem,
  topicMatches,
  topicNameProblem,
} from '../../src/protocol/topic.js';

describe('topic filters [MQTT-4.7.1]', () => {
  it.each(['#', '+', 'a/#', 'a/+', '+/+/+', 'sport/tennis/#', 'a//b', '/', '/+', '+/tennis/#', '$SYS/#'])(
    'accepts %j',
    (filter) => expect(topicFilterProblem(filter)).toBeNull(),
  );
  it.each([
    ['a/#/c', 'misplaced wildcard'], // [MQTT-4.7.1-2] '#' must be last
    ['a#', 'misplaced wildcard'], // [MQTT-4.7.1-2] '#' must fill its level
    ['a+/b', 'misplaced wildcard'], // [MQTT-4.7.1-3] '+' must fill its level
    ['a/b+', 'misplaced wildcard'],
    ['', 'empty'], // [MQTT-4.7.3-1]
    ['a\u0000b', 'null character'], // [MQTT-1.5.3-2]
    ['a\uFFFD', 'ill-formed UTF-8'], // [MQTT-1.5.3-1]
  ])('refuses %j (%s)', (filter, problem) => expect(topicFilterProblem(filter)).toBe(problem));
  it('refuses filters longer than 65535 bytes [MQTT-4.7.3-3]', () => {
    expect(topicFilterProblem('é'.repeat(40000))).toBe('too long');
  });
});

describe('characters (section 1.5.3)', () => {
  it.each([
    ['\u0001', 'control or non-character'],
    ['\u001F', 'control or non-character'],
    ['\u007F', 'control or non-character'],
    ['\u009F', 'control or non-character'],
    ['\uFDD0', 'control or non-character'],
    ['\uFFFE', 'control or non-character'],
    ['\uFFFF', 'control or non-character'],
    ['\u{1FFFE}', 'control or non-character'],
    ['\u{10FFFF}', 'control or non-character'],
    ['\u0000', 'null character'],
    ['\uFFFD', 'ill-formed UTF-8'],
  ])('refuses %j in a string', (c, problem) => expect(stringProblem(`a${c}b`)).toBe(problem));
  it.each(['\u00A0', '\uFEFF', '\u{2A6D4}', '\u{1FFFD}', 'é', ' '])('accepts %j', (c) =>
    expect(stringProblem(`a${c}b`)).toBeNull(),
  );
});

describe('topic names [MQTT-3.3.2-2]', () => {
  it.each(['a', 'a/b', '/', '$SYS/x', 'a b', 'ü/ñ'])('accepts %j', (t) =>
    expect(topicNameProblem(t)).toBeNull(),
  );
  it.each([
    ['a/+', 'wildcard in topic name'],
    ['#', 'wildcard in topic name'],
    ['', 'empty'],
  ])('refuses %j', (t, problem) => expect(topicNameProblem(t)).toBe(problem));
});

describe('matching [MQTT-4.7]', () => {
  const matches: [string, string][] = [
    ['sport/tennis/player1/#', 'sport/tennis/player1'],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking'],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon'],
    ['sport/#', 'sport'], // '#' includes the parent level
    ['#', 'anything/at/all'],
    ['sport/tennis/+', 'sport/tennis/player1'],
    ['sport/+', 'sport/'],
    ['+/+', '/finance'],
    ['/+', '/finance'],
    ['+', 'a'],
    ['$SYS/#', '$SYS/broker/uptime'],
    ['$SYS/+/uptime', '$SYS/broker/uptime'],
  ];
  const nonMatches: [string, string][] = [
    ['sport/tennis/+', 'sport/tennis/player1/ranking'],
    ['sport/+', 'sport'],
    ['+', '/finance'],
    ['a/b', 'a/b/c'],
    ['#', '$SYS/broker'], // [MQTT-4.7.2-1]
    ['+/broker', '$SYS/broker'], // [MQTT-4.7.2-1]
    ['A', 'a'], // topics are case sensitive
  ];
  it.each(matches)('%j matches %j', (f, t) => expect(topicMatches(f, t)).toBe(true));
  it.each(nonMatches)('%j does not match %j', (f, t) => expect(topicMatches(f, t)).toBe(false));
});

describe('shared subscriptions (MQTT 5.0 4.8.2)', () => {
  it('splits $share/group/filter', () => {
    expect(parseSharedFilter('$share/g1/a/+')).toEqual({ group: 'g1', filter: 'a/+' });
    expect(parseSharedFilter('a/b')).toBeNull();
    expect(parseSharedFilter('$share/g1')).toBe('invalid');
    expect(parseSharedFilter('$share//a')).toBe('invalid');
    expect(parseSharedFilter('$share/g+/a')).toBe('invalid');
    expect(parseSharedFilter('$share/g/a/#/b')).toBe('invalid');
  });
});
