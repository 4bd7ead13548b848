// Test whether the broker closes the connection on ill-formed UTF-8 and U+0000 in every UTF-8 string a client sends, and keeps U+FEFF as it is (MQTT 3.1.1 section 1.5.3).
import { describe, expect, it } from 'vitest';
import { publish, receive, subscribe, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

/** Five-byte strings ("to" + three bytes) that put one bad character in each UTF-8 field of a packet. */
const inClientId = (s: string): string => `10 11 0004 4D515454 04 02 000A 0005 ${s}`;
const inWillTopic = (s: string): string => `10 17 0004 4D515454 04 06 000A 0001 70 0005 ${s} 0001 70`;
const inUserName = (s: string): string => `10 14 0004 4D515454 04 82 000A 0001 70 0005 ${s}`;
const inTopicName = (s: string): string => `30 0E 0005 ${s} 7061796C6F6164`;
const inSubscribe = (s: string): string => `82 0A 1234 0005 ${s} 00`;
const inUnsubscribe = (s: string): string => `A2 09 1234 0005 ${s}`;

const fields: [string, (s: string) => string, boolean][] = [
  ['the client id', inClientId, false],
  ['the will topic', inWillTopic, false],
  ['the user name', inUserName, false],
  ['a PUBLISH topic name', inTopicName, true],
  ['a SUBSCRIBE topic filter', inSubscribe, true],
  ['an UNSUBSCRIBE topic filter', inUnsubscribe, true],
];

describe('[MQTT-1.5.3-1] ill-formed UTF-8: the server MUST close the Network Connection', () => {
  const illFormed: [string, string][] = [
    ['an encoded surrogate U+D800', '746FEDA080'],
    ['an overlong encoding of "/"', '746FC0AF70'],
    ['a truncated sequence', '74E2827070'],
    ['a lone continuation byte', '746F807070'],
  ];
  for (const [what, field, connected] of fields) {
    for (const [bad, bytes] of illFormed) {
      it(`[MQTT-1.5.3-1] ${bad} in ${what} closes the connection`, () =>
        broker.bytes({ name: bad, connect: connected, steps: [send(field(bytes))] }));
    }
  }
  it('[MQTT-1.5.3-1] a well-formed U+FFFD is treated as ill-formed (docs/CONFORMANCE.md): the connection closes', () =>
    broker.bytes({ name: 'U+FFFD', steps: [send(inTopicName('746FEFBFBD'))] }));
});

describe('[MQTT-1.5.3-2] a UTF-8 encoded string MUST NOT include U+0000: the server MUST close the Network Connection', () => {
  for (const [what, field, connected] of fields) {
    it(`[MQTT-1.5.3-2] U+0000 in ${what} closes the connection`, () =>
      broker.bytes({ name: 'U+0000', connect: connected, steps: [send(field('746F700070'))] }));
  }
});

describe('section 1.5.3: control characters and non-characters SHOULD NOT be sent, and the server MAY close: it does', () => {
  const discouraged: [string, string][] = [
    ['U+0001', '746F700170'],
    ['U+001F', '746F701F70'],
    ['U+007F', '746F707F70'],
    ['U+009F', '746FC29F70'],
    ['U+FDD0', '746FEFB790'],
    ['U+FFFF', '746FEFBFBF'],
  ];
  for (const [what, field, connected] of fields) {
    for (const [name, bytes] of discouraged) {
      it(`${name} in ${what} closes the connection`, () =>
        broker.bytes({ name, connect: connected, steps: [send(field(bytes))] }));
    }
  }
  it('U+1FFFF (a non-character outside the BMP) in a topic name closes the connection', () =>
    broker.bytes({ name: 'U+1FFFF', steps: [send('30 0F 0006 746FF09FBFBF 7061796C6F6164')] }));
  it('a character outside the BMP (U+2A6D4) is accepted and delivered as sent', async () => {
    const topic = `${uniqueTopic()}/\u{2A6D4}`;
    const sub = await broker.connect();
    await subscribe(sub, topic);
    const pub = await broker.connect();
    await publish(pub, topic, 'x');
    expect((await receive(sub)).topic).toBe(topic);
  });
});

describe('[MQTT-1.5.3-3] 0xEF 0xBB 0xBF is always U+FEFF and MUST NOT be skipped over or stripped off by a packet receiver', () => {
  it('[MQTT-1.5.3-3] a topic holding U+FEFF is delivered with it, and does not match the same topic without it', async () => {
    const base = uniqueTopic();
    const withBom = `${base}/\uFEFFx`;
    const withBomSub = await broker.connect();
    await subscribe(withBomSub, withBom);
    const plainSub = await broker.connect();
    await subscribe(plainSub, `${base}/x`);
    const pub = await broker.connect();
    await publish(pub, withBom, 'bom');
    await publish(pub, `${base}/x`, 'plain');
    const frame = await withBomSub.nextFrame();
    expect(frame.bytes.toString('hex')).toContain(Buffer.from('/\uFEFFx').toString('hex'));
    expect((await receive(plainSub)).payload.toString()).toBe('plain');
  });

  it('[MQTT-1.5.3-3] client ids that differ only by a leading U+FEFF are different clients (no takeover)', async () => {
    const id = uniqueId();
    const first = await broker.connect({ clientId: `\uFEFF${id}` });
    await broker.connect({ clientId: id });
    await first.ping();
  });
});
