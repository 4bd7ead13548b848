// Test whether the generator's framer splits a byte stream into MQTT packets and decodes PUBLISH and PUBACK.
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import {
  encodePublishTemplate,
  FrameError,
  FrameReader,
  writePuback,
  type FrameSink,
} from '../../bench/frames.js';

interface Seen {
  events: string[];
  sink: FrameSink;
}

function recorder(): Seen {
  const events: string[] = [];
  return {
    events,
    sink: {
      onPublish: (buf, qos, pid, start, end) =>
        events.push(`publish q${qos} id${pid} ${buf.toString('utf8', start, end)}`),
      onPuback: (pid) => events.push(`puback ${pid}`),
      onOtherFrame: (frame) => events.push(`other ${frame[0]!.toString(16)} len${frame.length}`),
    },
  };
}

const stream = Buffer.concat([
  mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }),
  mqttPacket.generate({
    cmd: 'publish',
    topic: 'a/b',
    payload: Buffer.from('hello'),
    qos: 0,
    dup: false,
    retain: false,
  }),
  mqttPacket.generate({
    cmd: 'publish',
    topic: 't',
    payload: Buffer.from('x'.repeat(200)),
    qos: 1,
    messageId: 513,
    dup: false,
    retain: false,
  }),
  mqttPacket.generate({ cmd: 'puback', messageId: 65535 }),
]);

const expected = [
  'other 20 len4',
  'publish q0 id0 hello',
  `publish q1 id513 ${'x'.repeat(200)}`,
  'puback 65535',
];

describe('FrameReader', () => {
  it('decodes a whole stream in one chunk', () => {
    const seen = recorder();
    new FrameReader().push(stream, seen.sink);
    expect(seen.events).toEqual(expected);
  });

  it('decodes the same stream fed one byte at a time (every split point, 2-byte remaining length included)', () => {
    const seen = recorder();
    const reader = new FrameReader();
    for (let i = 0; i < stream.length; i++) reader.push(stream.subarray(i, i + 1), seen.sink);
    expect(seen.events).toEqual(expected);
    expect(reader.pending).toBe(0);
  });

  it('decodes the stream at every two-chunk split', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const seen = recorder();
      const reader = new FrameReader();
      reader.push(stream.subarray(0, cut), seen.sink);
      reader.push(stream.subarray(cut), seen.sink);
      expect(seen.events).toEqual(expected);
    }
  });

  it('refuses a remaining length longer than four bytes', () => {
    const seen = recorder();
    expect(() =>
      new FrameReader().push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), seen.sink),
    ).toThrow(FrameError);
  });
});

describe('encodePublishTemplate', () => {
  it('points at the packet id and the payload of a QoS 1 PUBLISH', () => {
    const payload = Buffer.from('0123456789');
    const t = encodePublishTemplate('bench/x', 1, payload);
    t.frame.writeUInt16BE(4242, t.packetIdOffset);
    const parsed: unknown[] = [];
    const parser = mqttPacket.parser();
    parser.on('packet', (p) => parsed.push(p));
    parser.parse(t.frame);
    expect(parsed).toMatchObject([{ cmd: 'publish', topic: 'bench/x', qos: 1, messageId: 4242 }]);
    expect(t.frame.subarray(t.payloadOffset).equals(payload)).toBe(true);
  });

  it('has no packet id for QoS 0', () => {
    const t = encodePublishTemplate('t', 0, Buffer.from('p'));
    expect(t.packetIdOffset).toBe(-1);
    expect(t.frame.subarray(t.payloadOffset).toString()).toBe('p');
  });
});

describe('writePuback', () => {
  it('writes the 4 bytes mqtt-packet would', () => {
    const buf = Buffer.alloc(6);
    writePuback(buf, 2, 300);
    expect(buf.subarray(2).equals(mqttPacket.generate({ cmd: 'puback', messageId: 300 }))).toBe(true);
  });
});
