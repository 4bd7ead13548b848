// Test whether the MQTT 5.0 encoder writes PUBLISH as mqtt-packet reads it (User Properties in order), knows its size, and writes the short forms of the acks and DISCONNECT.
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import { publishSize, type OutboundPublish } from '../../src/protocol/encode5.js';

function parse(bytes: Buffer): Packet {
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  let out: Packet | undefined;
  parser.on('packet', (p: Packet) => (out = p));
  parser.parse(bytes);
  if (out === undefined) throw new Error(`unparsable ${bytes.toString('hex')}`);
  return out;
}

const base: IPublishPacket = {
  cmd: 'publish',
  topic: 'a/b',
  payload: Buffer.from('hello'),
  qos: 1,
  messageId: 7,
  retain: true,
  dup: true,
};

describe('encode (MQTT 5.0)', () => {
  it.each<[string, OutboundPublish]>([
    ['no properties', { ...base, qos: 0, messageId: undefined, dup: false }],
    [
      'every property',
      {
        ...base,
        properties: {
          payloadFormatIndicator: true,
          messageExpiryInterval: 60,
          contentType: 'text/plain',
          responseTopic: 'r/t',
          correlationData: Buffer.from([1, 2, 3]),
          subscriptionIdentifier: [1, 300, 70_000],
          topicAlias: 3,
          userProperties: { a: '1', b: ['2', '3'] },
        },
      },
    ],
    ['a large payload', { ...base, qos: 2, payload: Buffer.alloc(20_000, 7) }],
  ])('PUBLISH with %s reads back the same, and publishSize is its length', (_name, packet) => {
    const bytes = encode(packet, 5);
    expect(bytes.length).toBe(publishSize(packet));
    expect(bytes).toEqual(mqttPacket.generate(packet, { protocolVersion: 5 }));
    expect(parse(bytes)).toMatchObject({ topic: packet.topic, qos: packet.qos, retain: packet.retain });
  });

  it('writes User Properties in the order given, repeated and numeric names included [MQTT-3.3.2-18]', () => {
    const packet: OutboundPublish = {
      ...base,
      userPropertyList: [
        ['b', '1'],
        ['2', 'x'],
        ['b', '3'],
      ],
    };
    const bytes = encode(packet, 5);
    expect(bytes.length).toBe(publishSize(packet));
    const props = bytes.toString('hex');
    const at = (k: string, v: string): number =>
      props.indexOf(
        Buffer.concat([
          Buffer.from([0x26, 0, 1]),
          Buffer.from(k),
          Buffer.from([0, 1]),
          Buffer.from(v),
        ]).toString('hex'),
      );
    expect(at('b', '1')).toBeGreaterThan(0);
    expect(at('b', '1')).toBeLessThan(at('2', 'x'));
    expect(at('2', 'x')).toBeLessThan(at('b', '3'));
  });

  it('writes the acks and DISCONNECT in their short forms', () => {
    const hex = (p: Packet): string => encode(p, 5).toString('hex');
    expect(hex({ cmd: 'puback', messageId: 0x1234 })).toBe('40021234');
    expect(hex({ cmd: 'pubrec', messageId: 1, reasonCode: 0x97 })).toBe('5003000197');
    expect(hex({ cmd: 'pubrel', messageId: 1 })).toBe('62020001');
    expect(hex({ cmd: 'pubcomp', messageId: 1, reasonCode: 0 })).toBe('70020001');
    expect(hex({ cmd: 'disconnect' })).toBe('e000');
    expect(hex({ cmd: 'disconnect', reasonCode: 0x82 })).toBe('e00182');
  });

  it('leaves packets with properties, and other types, to mqtt-packet', () => {
    const disconnect: Packet = { cmd: 'disconnect', reasonCode: 0x8b, properties: { reasonString: 'bye' } };
    expect(encode(disconnect, 5)).toEqual(mqttPacket.generate(disconnect, { protocolVersion: 5 }));
    const suback: Packet = { cmd: 'suback', messageId: 1, granted: [0, 0x9e] };
    expect(encode(suback, 5)).toEqual(mqttPacket.generate(suback, { protocolVersion: 5 }));
  });
});
