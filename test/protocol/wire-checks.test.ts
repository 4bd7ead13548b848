// Test whether the decoder refuses what mqtt-packet lets through: wrong Remaining Lengths, trailing CONNECT bytes, packet id 0 in acks and DUP on QoS 0 (MQTT 3.1.1 sections 2.2.3, 2.3.1, 3.1.2, 3.3.1).
import { describe, expect, it } from 'vitest';
import { Decoder } from '../../src/protocol/codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const CONNECT_V4 = '10 0D 0004 4D515454 04 02 000A 0001 70';
const CONNECT_V5 = '10 0E 0004 4D515454 05 02 000A 00 0001 70';

/** Decodes CONNECT then `bytes`; returns the commands decoded and the error kind. */
function after(connect: string, bytes: string): { cmds: string[]; kind: string | undefined } {
  const decoder = new Decoder({ maxPacketSize: 1 << 20 });
  const { packets, error } = decoder.push(hex(`${connect} ${bytes}`));
  return { cmds: packets.map((p) => p.cmd), kind: error?.kind };
}

describe('wire checks', () => {
  it.each([
    ['PUBACK with Remaining Length 3', '40 03 0001 00'],
    ['PUBREC with Remaining Length 1', '50 01 01'],
    ['PUBREL with Remaining Length 0', '62 00'],
    ['PUBCOMP with Remaining Length 3', '70 03 0001 00'],
    ['PINGREQ with Remaining Length 1', 'C0 01 00'],
    ['DISCONNECT with Remaining Length 1', 'E0 01 00'],
    ['PUBLISH QoS 0 with DUP 1 [MQTT-3.3.1-2]', '38 04 0001 70 00'],
  ])('3.1.1: %s is malformed', (_name, bytes) => {
    expect(after(CONNECT_V4, bytes)).toEqual({ cmds: ['connect'], kind: 'malformed' });
  });

  it.each([['40 02 0000'], ['50 02 0000'], ['62 02 0000'], ['70 02 0000']])(
    'an acknowledgement with packet id 0 (%s) is a protocol error',
    (bytes) => expect(after(CONNECT_V4, bytes)).toEqual({ cmds: ['connect'], kind: 'protocol' }),
  );

  it('5.0: acknowledgements may carry a reason code and properties, DISCONNECT a reason code', () => {
    expect(after(CONNECT_V5, '40 03 0001 00 E0 01 00')).toEqual({
      cmds: ['connect', 'puback', 'disconnect'],
      kind: undefined,
    });
  });

  it.each([
    [
      'a user name the flags do not announce [MQTT-3.1.2-18]',
      '10 10 0004 4D515454 04 02 000A 0001 70 0001 75',
    ],
    [
      'a password the flags do not announce [MQTT-3.1.2-20]',
      '10 13 0004 4D515454 04 82 000A 0001 70 0001 75 0001 70',
    ],
    [
      'a will the flags do not announce [MQTT-3.1.2-11]',
      '10 13 0004 4D515454 04 02 000A 0001 70 0001 77 0001 70',
    ],
  ])('a 3.1.1 CONNECT with %s is malformed', (_name, bytes) => {
    const decoder = new Decoder({ maxPacketSize: 1 << 20 });
    const { packets, error } = decoder.push(hex(bytes));
    expect({ packets: packets.length, kind: error?.kind }).toEqual({ packets: 0, kind: 'malformed' });
  });

  it('a CONNECT with will, user name and password all announced is accepted', () => {
    const decoder = new Decoder({ maxPacketSize: 1 << 20 });
    const { packets, error } = decoder.push(
      hex('10 1A 0004 4D515454 04 C6 000A 0001 70 0001 77 0002 6869 0001 75 0001 70'),
    );
    expect({ cmds: packets.map((p) => p.cmd), error }).toEqual({ cmds: ['connect'], error: null });
  });

  it('keeps the packets before a bad one and drops those after it', () => {
    expect(after(CONNECT_V4, 'C0 00 40 02 0000 C0 00')).toEqual({
      cmds: ['connect', 'pingreq'],
      kind: 'protocol',
    });
  });
});
