// Test whether the broker closes the connection on reserved flag bits, reserved packet types and malformed Remaining Lengths in the fixed header (MQTT 3.1.1 section 2.2).
import { describe, expect, it } from 'vitest';
import { bytesOf, nextPublish, publish, subscribe, uniqueTopic } from '../support/flows.js';
import { recv, send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

const flagCases: [string, string, string[]][] = [
  // packet, a valid body, the first bytes with reserved flags set wrong
  ['PUBACK', '02 0001', ['41', '42', '44', '48']],
  ['PUBREC', '02 0001', ['51', '52', '54', '58']],
  ['PUBREL', '02 0001', ['60', '63', '64', '66', '6A']],
  ['PUBCOMP', '02 0001', ['71', '72', '74', '78']],
  ['SUBSCRIBE', '06 1234 0001 70 00', ['80', '83', '84', '86', '8A']],
  ['UNSUBSCRIBE', '05 1234 0001 70', ['A0', 'A3', 'A4', 'A6', 'AA']],
  ['PINGREQ', '00', ['C1', 'C2', 'C4', 'C8']],
  ['DISCONNECT', '00', ['E1', 'E2', 'E4', 'E8']],
];

describe('[MQTT-2.2.2-1] reserved flag bits MUST be set to the value listed in Table 2.2', () => {
  for (const first of ['11', '12', '14', '18']) {
    it(`[MQTT-2.2.2-2] CONNECT with first byte 0x${first}: the receiver MUST close the Network Connection`, () =>
      broker.bytes({
        name: first,
        connect: false,
        steps: [send(`${first} 0D 0004 4D515454 04 02 000A 0001 70`)],
      }));
  }
  for (const [packet, body, firsts] of flagCases) {
    for (const first of firsts) {
      it(`[MQTT-2.2.2-2] ${packet} with first byte 0x${first}: the receiver MUST close the Network Connection`, () =>
        broker.bytes({ name: first, steps: [send(`${first} ${body}`)] }));
    }
  }
  it('[MQTT-2.2.2-1] the server sets the reserved flags of what it sends (CONNACK 0x20, SUBACK 0x90, UNSUBACK 0xB0, PINGRESP 0xD0)', () =>
    broker.bytes({
      name: 'flags out',
      then: 'open',
      steps: [
        send('82 06 1234 0001 70 00'),
        recv('90 03 1234 00'),
        send('A2 05 1234 0001 70'),
        recv('B0 02 1234'),
        send('C0 00'),
        recv('D0 00'),
      ],
    }));
});

describe('section 2.2.1: packet types 0 and 15 are reserved (a protocol violation [MQTT-4.8.0-1])', () => {
  for (const bytes of ['00 00', '0F 00', 'F0 00', 'F0 02 0000']) {
    it(`the reserved packet ${bytes} before CONNECT closes the connection`, () =>
      broker.bytes({ name: bytes, connect: false, steps: [send(bytes)] }));
    it(`the reserved packet ${bytes} after CONNECT closes the connection`, () =>
      broker.bytes({ name: bytes, steps: [send(bytes)] }));
  }
});

describe('section 2.2.3: the Remaining Length', () => {
  it('a Remaining Length longer than four bytes is malformed: the connection closes', () =>
    broker.bytes({ name: '5 bytes', steps: [send('30 FF FF FF FF 01 0001 70')] }));
  it('a Remaining Length longer than four bytes before CONNECT closes the connection', () =>
    broker.bytes({
      name: '5 bytes',
      connect: false,
      steps: [send('10 FF FF FF FF 7F 0004 4D515454 04 02 000A 0001 70')],
    }));
  it('a Remaining Length too short for the fields that follow is malformed: the connection closes', () =>
    broker.bytes({
      name: 'short',
      connect: false,
      steps: [send('10 07 0004 4D515454 04 C2 003C 000B 746573742D707974686F6E 0005 61646D696E')],
    }));

  for (const size of [127, 128, 16_383, 16_384, 200_000]) {
    it(`a PUBLISH whose Remaining Length is ${size} (${size < 128 ? 1 : size < 16_384 ? 2 : 3} bytes) is read whole`, async () => {
      const topic = uniqueTopic('rl');
      const payload = Buffer.alloc(size - 2 - Buffer.byteLength(topic), 0x61);
      const sub = await broker.connect();
      await subscribe(sub, topic);
      const pub = await broker.connect();
      await publish(pub, topic, payload);
      const received = await nextPublish(sub);
      expect(bytesOf(received).equals(payload)).toBe(true);
      const frame = sub.received[sub.received.length - 1]!;
      expect(frame.bytes.length).toBe(1 + (size < 128 ? 1 : size < 16_384 ? 2 : 3) + size);
    });
  }

  it('a packet split into single bytes is read as one packet', async () => {
    const client = await broker.connect();
    for (const byte of [0x82, 0x06, 0x12, 0x34, 0x00, 0x01, 0x70, 0x00]) {
      client.sendBytes(Buffer.from([byte]));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect((await client.expect('suback')).messageId).toBe(0x1234);
  });
});
