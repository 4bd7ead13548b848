// Test whether the decoder frames, parses and refuses bytes as MQTT sections 2 and 3 say, chunked any way.
import mqttPacket, { type Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { Decoder, encode } from '../../src/protocol/codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const CONNECT_V4 = hex('10 0c 00044d515454 04 02 003c 0000');

function decodeAll(
  bytes: Buffer,
  maxPacketSize = 1 << 20,
): { cmds: string[]; error: string | null; kind?: string } {
  const decoder = new Decoder({ maxPacketSize });
  const { packets, error } = decoder.push(bytes);
  return { cmds: packets.map((p) => p.cmd), error: error?.message ?? null, kind: error?.kind };
}

describe('Decoder', () => {
  it('parses packets split at every byte boundary (byte by byte)', () => {
    const publish = mqttPacket.generate({
      cmd: 'publish',
      topic: 'a/b',
      payload: Buffer.alloc(300),
      qos: 1,
      messageId: 9,
      dup: false,
      retain: false,
    });
    const all = Buffer.concat([CONNECT_V4, publish, hex('c0 00')]);
    const decoder = new Decoder({ maxPacketSize: 1 << 20 });
    const seen: Packet[] = [];
    for (const byte of all) {
      const { packets, error } = decoder.push(Buffer.from([byte]));
      expect(error).toBeNull();
      seen.push(...packets);
    }
    expect(seen.map((p) => p.cmd)).toEqual(['connect', 'publish', 'pingreq']);
    expect(seen[1]).toMatchObject({ topic: 'a/b', qos: 1, messageId: 9 });
  });

  it('switches to the protocol version the CONNECT announces', () => {
    const decoder = new Decoder({ maxPacketSize: 1 << 20 });
    const v5 = mqttPacket.generate(
      { cmd: 'connect', protocolVersion: 5, clientId: 'x', clean: true, keepalive: 0, protocolId: 'MQTT' },
      { protocolVersion: 5 },
    );
    decoder.push(v5);
    expect(decoder.protocolVersion).toBe(5);
  });

  it('refuses a packet larger than the limit as soon as its header is read', () => {
    const decoder = new Decoder({ maxPacketSize: 100 });
    const { packets, error } = decoder.push(Buffer.concat([CONNECT_V4, hex('30 ff 01')]));
    expect(packets.map((p) => p.cmd)).toEqual(['connect']);
    expect(error?.kind).toBe('packet-too-large');
    // once failed, the decoder stays failed
    expect(decoder.push(hex('c0 00')).packets).toEqual([]);
  });

  it.each([
    ['malformed remaining length [MQTT-2.2.3]', '30 ff ff ff ff 7f', 'malformed'],
    ['reserved SUBSCRIBE flags [MQTT-3.8.1-1]', '80 06 0001 0001 61 00', 'malformed'],
    ['reserved PUBREL flags [MQTT-3.6.1-1]', '60 02 0001', 'malformed'],
    ['reserved UNSUBSCRIBE flags [MQTT-3.10.1-1]', 'a0 05 0001 0001 61', 'malformed'],
    ['PUBLISH with QoS 3 [MQTT-3.3.1-4]', '36 05 0001 61 0001', 'malformed'],
    ['reserved CONNECT flag [MQTT-3.1.2-3]', '10 0c 00044d515454 04 03 003c 0000', 'malformed'],
    ['unknown protocol level [MQTT-3.1.2-2]', '10 0c 00044d515454 09 02 003c 0000', 'unsupported-version'],
    ['packet type 0 is reserved', '00 00', 'malformed'],
    ['AUTH in MQTT 3.1.1', 'f0 00', 'malformed'],
    ['will QoS without will flag [MQTT-3.1.2-13]', '10 0c 00044d515454 04 10 003c 0000', 'malformed'],
    ['password without user name [MQTT-3.1.2-22]', '10 0c 00044d515454 04 40 003c 0000', 'malformed'],
    ['SUBSCRIBE with QoS 3 [MQTT-3.8.3-4]', '82 06 0001 0001 61 03', 'malformed'],
  ])('%s is an error of kind %s', (_name, bytes, kind) => {
    const result = decodeAll(Buffer.concat([CONNECT_V4, hex(bytes)]));
    expect(result.kind).toBe(kind);
  });

  it('pins the mqtt-packet error sentence the classifier depends on', () => {
    expect(decodeAll(hex('10 0c 00044d515454 06 02 003c 0000')).error).toBe('unsupported protocol version');
  });
});

describe('encode', () => {
  it.each([
    [{ cmd: 'connack', returnCode: 0, sessionPresent: true }, '20 02 01 00'],
    [{ cmd: 'puback', messageId: 258 }, '40 02 01 02'],
    [{ cmd: 'pubrel', messageId: 1 }, '62 02 00 01'],
    [{ cmd: 'suback', messageId: 1, granted: [0, 1, 128] }, '90 05 0001 00 01 80'],
    [{ cmd: 'pingresp' }, 'd0 00'],
  ] as [Packet, string][])('encodes %o for 3.1.1', (packet, bytes) => {
    expect(encode(packet, 4).toString('hex')).toBe(bytes.replace(/\s+/g, ''));
  });

  it('encodes MQTT 5.0 reason codes and properties', () => {
    const bytes = encode(
      { cmd: 'connack', reasonCode: 0x97, sessionPresent: false, properties: { reasonString: 'q' } },
      5,
    );
    const decoder = new Decoder({ maxPacketSize: 1 << 20 });
    decoder.push(
      encode(
        { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'c', clean: true, keepalive: 0 },
        5,
      ),
    );
    // the server-bound decoder would refuse a CONNACK semantically, but parses it
    const { packets } = decoder.push(bytes);
    expect(packets[0]).toMatchObject({ cmd: 'connack', reasonCode: 0x97, properties: { reasonString: 'q' } });
  });
});

describe('Decoder (MQTT 5.0 properties)', () => {
  const connect5 = hex('10 0d 00044d515454 05 02 003c 00 0000');
  const decode5 = (bytes: string) => {
    const decoder = new Decoder({ maxPacketSize: 1 << 20 });
    decoder.push(connect5);
    return decoder.push(hex(bytes));
  };

  it('records User Properties in wire order on a PUBLISH [MQTT-3.3.2-18]', () => {
    // topic "t", properties: b=1, 2=x, b=3
    const { packets, error } = decode5(
      '30 1a 0001 74 15 26 0001 62 0001 31 26 0001 32 0001 78 26 0001 62 0001 33 7a',
    );
    expect(error).toBeNull();
    expect((packets[0] as { userPropertyList?: unknown }).userPropertyList).toEqual([
      ['b', '1'],
      ['2', 'x'],
      ['b', '3'],
    ]);
  });

  it('refuses a property twice (protocol) and a property of another packet type (malformed)', () => {
    expect(decode5('30 09 0001 74 04 0101 0101 78').error?.kind).toBe('protocol');
    expect(decode5('30 0a 0001 74 05 1100000001 78').error?.kind).toBe('malformed');
  });

  it('refuses bytes after the properties of an acknowledgement or DISCONNECT', () => {
    expect(decode5('62 05 0001 00 00 00').error?.kind).toBe('malformed');
    expect(decode5('e0 03 00 00 00').error?.kind).toBe('malformed');
    expect(decode5('62 04 0001 00 00').error).toBeNull();
    expect(decode5('e0 01 04').error).toBeNull();
  });

  it('marks an error in a 5.0 CONNECT so that a 5.0 CONNACK can answer it', () => {
    const decoder = new Decoder({ maxPacketSize: 1 << 20 });
    const { error } = decoder.push(hex('10 10 00044d515454 05 02 003c 03 230001 0000'));
    expect(error?.kind).toBe('malformed');
    expect(error?.connectVersion).toBe(5);
    const v4 = new Decoder({ maxPacketSize: 1 << 20 }).push(hex('10 0d 00044d515454 04 02 003c 0000 00'));
    expect(v4.error?.connectVersion).toBeUndefined();
  });

  it('takes an AUTH with a bad reason code as a protocol error (no AUTH is expected)', () => {
    expect(decode5('f0 01 05').error?.kind).toBe('protocol');
  });
});
