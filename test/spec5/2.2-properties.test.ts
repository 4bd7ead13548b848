// Test whether the broker checks MQTT 5.0 properties as section 2.2.2 says: identifiers valid for the packet type, each property at most once, values of their data type and range, strings of well-formed UTF-8 (MQTT 5.0 sections 1.5 and 2.2.2).
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { subscribe, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, connectFrame, frame, props, str } from '../support/v5.js';

const broker = specBroker();

/** After CONNACK, `bytes` get DISCONNECT with reason code `rc` (hex), then the connection closes. */
const disconnects = (bytes: string, rc: string) => () =>
  broker.bytes({ name: bytes, version: 5, steps: [send(bytes), recv(`E0 01 ${rc}`)] });
/** A CONNECT (hex) refused with CONNACK reason code `rc` (hex), then closed. */
const refused = (bytes: string, rc: string) => () =>
  broker.bytes({ name: bytes, version: 5, connect: false, steps: [send(bytes), recv(`20 03 00 ${rc} 00`)] });
/** After CONNACK, `bytes` are answered with `answer` and the connection stays open. */
const answered = (bytes: string, answer: string) => () =>
  broker.bytes({ name: bytes, version: 5, then: 'open', steps: [send(bytes), recv(answer)] });

/** QoS 1 PUBLISH to `t` with packet id 1 and the properties `p` (hex, without their length). */
const publish1 = (p: string): string => frame('32', `${str('t')} 0001 ${props(p)} 78`);

describe('section 2.2.2.2: a property not valid for its packet type, or cut short, is a Malformed Packet (0x81)', () => {
  for (const [what, p] of [
    ['Topic Alias', '23 0001'],
    ['Payload Format Indicator', '01 01'],
    ['Subscription Identifier', '0B 01'],
    ['Will Delay Interval', '18 00000001'],
    ['Server Keep Alive', '13 0001'],
  ]) {
    it(
      `section 2.2.2.2: ${what} in CONNECT gets CONNACK 0x81`,
      refused(connectFrame('02', props(p), 'p'), '81'),
    );
  }
  for (const [what, p] of [
    ['Session Expiry Interval', '11 00000001'],
    ['Reason String', '1F 0001 70'],
    ['Maximum Packet Size', '27 00000001'],
    ['Authentication Method', '15 0001 70'],
  ]) {
    it(`section 2.2.2.2: ${what} in PUBLISH gets DISCONNECT 0x81`, disconnects(publish1(p!), '81'));
  }
  it(
    'section 2.2.2.2: Session Expiry Interval in a will gets CONNACK 0x81',
    refused(connectFrame('06', props(), 'p', `${props('11 00000001')} ${str('w')} 0001 70`), '81'),
  );
  it(
    'section 2.2.2.2: Payload Format Indicator in SUBSCRIBE gets DISCONNECT 0x81',
    disconnects(frame('82', `0001 ${props('01 00')} ${str('t')} 00`), '81'),
  );
  it(
    'section 2.2.2.2: Subscription Identifier in UNSUBSCRIBE gets DISCONNECT 0x81',
    disconnects(frame('A2', `0001 ${props('0B 01')} ${str('t')}`), '81'),
  );
  it(
    'section 2.2.2.2: Topic Alias in PUBREL gets DISCONNECT 0x81',
    disconnects(frame('62', `0001 00 ${props('23 0001')}`), '81'),
  );
  it(
    'section 2.2.2.2: Content Type in DISCONNECT gets DISCONNECT 0x81',
    disconnects(frame('E0', `00 ${props('03 0001 70')}`), '81'),
  );
  for (const id of ['00', '04', '7F', '8001']) {
    it(
      `section 2.2.2.2: the unknown identifier 0x${id} gets DISCONNECT 0x81`,
      disconnects(publish1(`${id} 01`), '81'),
    );
  }
  it(
    'section 2.2.2.2: an unknown identifier in CONNECT gets CONNACK 0x81',
    refused(connectFrame('02', props('04 01'), 'p'), '81'),
  );
  it(
    'section 2.2.2.2: a Session Expiry Interval cut short in CONNECT gets CONNACK 0x81',
    refused(connectFrame('02', '01 11', 'p'), '81'),
  );
  it(
    'section 2.2.2.2: a User Property without its value gets DISCONNECT 0x81',
    disconnects(publish1('26 0001 70'), '81'),
  );
  it(
    'section 2.2.2.2: a Reason String cut short in PUBREL gets DISCONNECT 0x81',
    disconnects(frame('62', '0001 00 01 1F'), '81'),
  );
  it(
    'section 2.2.2.1: a Property Length longer than the packet gets DISCONNECT 0x81',
    disconnects(frame('62', '0001 00 01'), '81'),
  );
});

describe('section 2.2.2.2: it is a Protocol Error (0x82) to include a property other than User Property more than once', () => {
  for (const [what, p] of [
    ['Session Expiry Interval', '11 00000001 11 00000001'],
    ['Receive Maximum', '21 0001 21 0001'],
    ['Maximum Packet Size', '27 00001000 27 00001000'],
    ['Topic Alias Maximum', '22 0001 22 0001'],
    ['Request Problem Information', '17 01 17 01'],
    ['Request Response Information', '19 01 19 01'],
  ]) {
    it(
      `section 3.1.2.11: ${what} twice in CONNECT gets CONNACK 0x82`,
      refused(connectFrame('02', props(p), 'p'), '82'),
    );
  }
  it(
    'section 3.1.3.2: Payload Format Indicator twice in a will gets CONNACK 0x82',
    refused(connectFrame('06', props(), 'p', `${props('01 01 01 01')} ${str('w')} 0001 70`), '82'),
  );
  for (const [what, p] of [
    ['Payload Format Indicator', '01 01 01 01'],
    ['Message Expiry Interval', '02 00000001 02 00000001'],
    ['Topic Alias', '23 0001 23 0002'],
    ['Response Topic', `08 ${str('r')} 08 ${str('r')}`],
    ['Correlation Data', `09 ${str('c')} 09 ${str('c')}`],
    ['Content Type', `03 ${str('c')} 03 ${str('c')}`],
  ]) {
    it(`section 3.3.2.3: ${what} twice in PUBLISH gets DISCONNECT 0x82`, disconnects(publish1(p!), '82'));
  }
  it(
    'section 3.8.2.1: Subscription Identifier twice in SUBSCRIBE gets DISCONNECT 0x82',
    disconnects(frame('82', `0001 ${props('0B 01 0B 01')} ${str('t')} 00`), '82'),
  );
  it(
    'section 3.6.2.2: Reason String twice in PUBREL gets DISCONNECT 0x82',
    disconnects(frame('62', `0001 00 ${props(`1F ${str('p')} 1F ${str('q')}`)}`), '82'),
  );
  it(
    'section 3.14.2.2: Session Expiry Interval twice in DISCONNECT gets DISCONNECT 0x82',
    disconnects(frame('E0', `00 ${props('11 00000000 11 00000000')}`), '82'),
  );
  it(
    'section 2.2.2.2: User Property may appear more than once (PUBACK follows)',
    answered(publish1(`26 ${str('a')} ${str('1')} 26 ${str('a')} ${str('2')}`), '40 02 0001'),
  );
  it(
    'section 2.2.2.2: a User Property with an empty name and value is accepted',
    answered(publish1('26 0000 0000'), '40 02 0001'),
  );
});

describe('values the spec calls a Protocol Error (0x82)', () => {
  it(
    'section 3.1.2.11.3: Receive Maximum 0 gets CONNACK 0x82',
    refused(connectFrame('02', props('21 0000'), 'p'), '82'),
  );
  it(
    'section 3.1.2.11.4: Maximum Packet Size 0 gets CONNACK 0x82',
    refused(connectFrame('02', props('27 00000000'), 'p'), '82'),
  );
  it(
    'section 3.1.2.11.6: Request Response Information 2 gets CONNACK 0x82',
    refused(connectFrame('02', props('19 02'), 'p'), '82'),
  );
  it(
    'section 3.1.2.11.7: Request Problem Information 2 gets CONNACK 0x82',
    refused(connectFrame('02', props('17 02'), 'p'), '82'),
  );
  it(
    'section 3.1.2.11.10: Authentication Data without an Authentication Method gets CONNACK 0x82',
    refused(connectFrame('02', props(`16 ${str('x')}`), 'p'), '82'),
  );
  it(
    'section 3.3.2.3.2: a Payload Format Indicator of 2 gets DISCONNECT 0x82',
    disconnects(publish1('01 02'), '82'),
  );
  it(
    '[MQTT-3.3.2-14] a Response Topic with a wildcard gets DISCONNECT 0x82',
    disconnects(publish1(`08 ${str('r/#')}`), '82'),
  );
  it(
    '[MQTT-3.3.2-13] an empty Response Topic (not a topic name) gets DISCONNECT 0x82',
    disconnects(publish1('08 0000'), '82'),
  );
  it(
    '[MQTT-3.3.2-14] a will whose Response Topic has a wildcard gets CONNACK 0x82',
    refused(connectFrame('06', props(), 'p', `${props(`08 ${str('+')}`)} ${str('w')} 0001 70`), '82'),
  );
  it(
    '[MQTT-3.3.4-6] a PUBLISH from a client with a Subscription Identifier gets DISCONNECT 0x82',
    disconnects(publish1('0B 01'), '82'),
  );
  it(
    'section 3.8.2.1.2: a Subscription Identifier of 0 gets DISCONNECT 0x82',
    disconnects(frame('82', `0001 ${props('0B 00')} ${str('t')} 00`), '82'),
  );
});

describe('section 1.5: data representation in properties', () => {
  it(
    '[MQTT-1.5.4-1] [MQTT-3.3.2-19] ill-formed UTF-8 in a Content Type gets DISCONNECT 0x81',
    disconnects(publish1('03 0003 61 EDA080'), '81'),
  );
  it(
    '[MQTT-1.5.4-2] U+0000 in a User Property name gets DISCONNECT 0x81',
    disconnects(publish1('26 0001 00 0001 61'), '81'),
  );
  it(
    '[MQTT-1.5.7-1] both strings of a User Property must be UTF-8: ill-formed value gets DISCONNECT 0x81',
    disconnects(publish1('26 0001 61 0002 C328'), '81'),
  );
  it(
    '[MQTT-1.5.4-1] ill-formed UTF-8 in a topic name gets DISCONNECT 0x81',
    disconnects(frame('30', `0003 61 EDA080 00 78`), '81'),
  );
  it(
    '[MQTT-1.5.5-1] a Subscription Identifier not in the fewest bytes (0x80 0x00) gets DISCONNECT 0x81',
    disconnects(frame('82', `0001 ${props('0B 8000')} ${str('t')} 00`), '81'),
  );
  it(
    '[MQTT-1.5.5-1] a Subscription Identifier of 128 in two bytes is accepted',
    answered(frame('82', `0001 ${props('0B 8001')} ${str('t')} 00`), '90 04 0001 00 00'),
  );
  it(
    '[MQTT-1.5.4-3] a leading U+FEFF in a User Property is kept (not stripped): the PUBLISH is accepted',
    answered(publish1(`26 ${str('\uFEFFa')} ${str('b')}`), '40 02 0001'),
  );
});

describe('[MQTT-2.2.2-1] a packet without properties carries a Property Length of 0', () => {
  it(
    '[MQTT-2.2.2-1] SUBACK: 90 04, packet id, Property Length 0, reason code',
    answered(frame('82', `1234 00 ${str('t')} 01`), '90 04 1234 00 01'),
  );
  it(
    '[MQTT-2.2.2-1] UNSUBACK: B0 04, packet id, Property Length 0, reason code',
    answered(frame('A2', `1234 00 ${str('t')}`), 'B0 04 1234 00 11'),
  );
  it(
    '[MQTT-2.2.2-1] a refusing CONNACK: 20 03 00, reason code, Property Length 0',
    refused(connectFrame('02', props(`15 ${str('X')}`), 'p'), '8C'),
  );
});

describe('section 2.1 and 2.2.1: what the server sends', () => {
  it('[MQTT-2.1.3-1] reserved flags as listed: CONNACK 0x20, SUBACK 0x90, UNSUBACK 0xB0, PINGRESP 0xD0, PUBLISH QoS 0 0x30, DISCONNECT 0xE0', async () => {
    const client = await client5(broker);
    const topic = uniqueTopic();
    client.sendBytes(frame('82', `0001 00 ${str(topic)} 00`));
    client.sendBytes(frame('A2', `0002 00 ${str('other')}`));
    client.sendBytes('C0 00');
    client.sendBytes(frame('30', `${str(topic)} 00 78`));
    for (let i = 0; i < 4; i++) await client.nextFrame();
    client.sendBytes('F0 00');
    await client.closed();
    expect(client.received.map((f) => f.bytes[0]!.toString(16)).sort()).toEqual([
      '20',
      '30',
      '90',
      'b0',
      'd0',
      'e0',
    ]);
  });
  it('[MQTT-2.2.1-2] a QoS 0 PUBLISH from the server has no packet id', async () => {
    const client = await client5(broker);
    const topic = uniqueTopic();
    await subscribe(client, topic, 2);
    client.sendBytes(frame('30', `${str(topic)} 00 78`));
    expect((await client.nextFrame()).bytes.toString('hex')).toBe(frame('30', `${str(topic)} 00 78`));
  });
});
