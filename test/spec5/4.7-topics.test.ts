// Test whether topic names and filters follow MQTT 5.0 section 4.7 for 5.0 clients: wildcards in filters only and whole levels, no match of "$" topics by leading wildcards, at least one character, exact character-by-character matching (MQTT 5.0 section 4.7).
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, publish5, str, subscribe5 } from '../support/v5.js';

const broker = specBroker({}, { concurrent: true });
const disconnects = (bytes: string, rc: string) => () =>
  broker.bytes({ name: bytes, version: 5, steps: [send(bytes), recv(`E0 01 ${rc}`)] });

/** Which of `topics` (under a fresh base) a subscription to `filter` (under the same base) receives. */
async function matching(filter: string, topics: string[]): Promise<string[]> {
  const base = uniqueTopic();
  const sub = await client5(broker);
  await subscribe(sub, `${base}/${filter}`, 0);
  const pub = await client5(broker);
  for (const t of topics) await publish5(pub, `${base}/${t}`, t);
  await publish5(pub, `${base}/end/marker/x/y`, 'END');
  const got: string[] = [];
  for (;;) {
    const p = await nextPublish(sub, 1500).catch(() => null);
    if (p === null || text(p) === 'END') break;
    got.push(text(p));
  }
  return got;
}

describe.concurrent('section 4.7.1: wildcards', () => {
  it(
    '[MQTT-4.7.0-1] a wildcard in a topic name gets DISCONNECT 0x82',
    disconnects(frame('30', `${str('a/+/b')} 00 78`), '82'),
  );
  it(
    '[MQTT-4.7.1-1] "#" not last gets DISCONNECT 0x81',
    disconnects(frame('82', `0001 00 ${str('a/#/b')} 00`), '81'),
  );
  it(
    '[MQTT-4.7.1-2] "+" not a whole level gets DISCONNECT 0x81',
    disconnects(frame('82', `0001 00 ${str('a/b+')} 00`), '81'),
  );
  it('[MQTT-4.7.1-1] "#" matches the parent level and every level below', async () => {
    expect(await matching('s/#', ['s', 's/a', 's/a/b', 't'])).toEqual(['s', 's/a', 's/a/b']);
  });
  it('[MQTT-4.7.1-2] "+" matches one whole level, empty levels included', async () => {
    expect(await matching('s/+/x', ['s/a/x', 's//x', 's/a/b/x', 's/x'])).toEqual(['s/a/x', 's//x']);
  });
});

describe.concurrent('section 4.7.2: topics beginning with $', () => {
  it('[MQTT-4.7.2-1] "#" and "+/..." do not match a topic starting with "$"; an explicit "$" filter does (Paho test_dollar_topics)', async () => {
    const level = `$x${Date.now()}`;
    const wild = await client5(broker);
    await subscribe5(wild, [
      { topic: '#', qos: 0 },
      { topic: '+/a', qos: 0 },
    ]);
    const exact = await client5(broker);
    await subscribe(exact, `${level}/+`, 0);
    await publish5(await client5(broker), `${level}/a`, 'dollar');
    expect(text(await nextPublish(exact))).toBe('dollar');
    for (;;) {
      const p = await nextPublish(wild, 500).catch(() => null);
      if (p === null) break;
      expect(p.topic.startsWith('$')).toBe(false);
    }
  });
});

describe.concurrent('section 4.7.3: topic semantics', () => {
  it(
    '[MQTT-4.7.3-1] an empty topic name (no alias) gets DISCONNECT 0x82',
    disconnects(frame('30', '0000 00 78'), '82'),
  );
  it(
    '[MQTT-4.7.3-2] U+0000 in a filter gets DISCONNECT 0x81',
    disconnects(frame('82', '0001 00 0003 610062 00'), '81'),
  );
  it('[MQTT-4.7.3-4] matching is character by character: no case folding or normalisation', async () => {
    // "é" precomposed (U+00E9) and decomposed (e + U+0301) are different topics
    expect(await matching('caf\u00e9', ['Caf\u00e9', 'cafe\u0301', 'caf\u00e9'])).toEqual(['caf\u00e9']);
  });
  it('[MQTT-4.7.3-3] a topic name of 65,535 bytes is accepted (the largest a string can hold)', async () => {
    const topic = 'a'.repeat(65_535);
    const sub = await client5(broker);
    await subscribe(sub, 'a'.repeat(65_535), 0);
    await publish5(await client5(broker), topic, 'long');
    expect((await nextPublish(sub)).topic.length).toBe(65_535);
  });
});
