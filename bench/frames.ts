/**
 * MQTT framing for the load generator's hot path.
 *
 * `FrameReader` cuts a TCP byte stream into MQTT packets without copying (except to join a packet
 * split across chunks) and decodes the two packets that dominate a benchmark, PUBLISH and PUBACK,
 * by offset, so that a delivery costs no allocation. Every other packet goes whole to `other`,
 * where the client hands it to mqtt-packet. MQTT 3.1.1 only (no v5 properties in PUBLISH).
 *
 * `encodePublishTemplate` encodes one PUBLISH with mqtt-packet and finds where its packet id and
 * payload sit, so publishers can copy the template and patch only those bytes.
 */
import mqttPacket from 'mqtt-packet';

export interface FrameSink {
  /** A PUBLISH; the payload is buf[payloadStart, payloadEnd). packetId is 0 for QoS 0. */
  onPublish(buf: Buffer, qos: number, packetId: number, payloadStart: number, payloadEnd: number): void;
  onPuback(packetId: number): void;
  /** Any other whole packet (CONNACK, SUBACK, PINGRESP ...). */
  onOtherFrame(frame: Buffer): void;
}

export class FrameError extends Error {
  override name = 'FrameError';
}

const PUBLISH = 3;
const PUBACK = 4;

export class FrameReader {
  private rest: Buffer | null = null;

  /** Feeds one chunk; calls the sink for every packet the chunk completes, in order. */
  push(chunk: Buffer, sink: FrameSink): void {
    let buf = chunk;
    if (this.rest !== null) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let offset = 0;
    const end = buf.length;
    while (offset < end) {
      // Fixed header: one type byte, then a remaining length of 1-4 bytes, 7 bits each.
      let length = 0;
      let multiplier = 1;
      let pos = offset + 1;
      let complete = false;
      while (pos < end) {
        const byte = buf[pos++]!;
        length += (byte & 0x7f) * multiplier;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
        multiplier *= 128;
        if (multiplier > 128 ** 3) throw new FrameError('remaining length longer than 4 bytes');
      }
      if (!complete || pos + length > end) break;
      this.dispatch(buf, offset, pos, pos + length, sink);
      offset = pos + length;
    }
    if (offset < end) this.rest = buf.subarray(offset);
  }

  /** Bytes held back waiting for the rest of a packet. */
  get pending(): number {
    return this.rest === null ? 0 : this.rest.length;
  }

  private dispatch(buf: Buffer, start: number, body: number, end: number, sink: FrameSink): void {
    const first = buf[start]!;
    const type = first >> 4;
    if (type === PUBLISH) {
      const qos = (first >> 1) & 3;
      if (body + 2 > end) throw new FrameError('PUBLISH without a topic length');
      let pos = body + 2 + buf.readUInt16BE(body);
      let packetId = 0;
      if (qos > 0) {
        packetId = buf.readUInt16BE(pos);
        pos += 2;
      }
      if (pos > end) throw new FrameError('PUBLISH shorter than its header');
      sink.onPublish(buf, qos, packetId, pos, end);
    } else if (type === PUBACK && end - body === 2) {
      sink.onPuback(buf.readUInt16BE(body));
    } else {
      sink.onOtherFrame(buf.subarray(start, end));
    }
  }
}

export interface PublishTemplate {
  frame: Buffer;
  /** Where the 2-byte packet id sits, or -1 for QoS 0. */
  packetIdOffset: number;
  payloadOffset: number;
}

/** One PUBLISH frame for `topic` carrying `payload`, with the offsets a publisher patches. */
export function encodePublishTemplate(topic: string, qos: 0 | 1, payload: Buffer): PublishTemplate {
  const frame =
    qos === 0
      ? mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, dup: false, retain: false })
      : mqttPacket.generate({
          cmd: 'publish',
          topic,
          payload,
          qos: 1,
          dup: false,
          retain: false,
          messageId: 1,
        });
  const payloadOffset = frame.length - payload.length;
  return { frame, packetIdOffset: qos === 0 ? -1 : payloadOffset - 2, payloadOffset };
}

/** A PUBACK for `packetId`, written at `offset` of `buf` (4 bytes). */
export function writePuback(buf: Buffer, offset: number, packetId: number): void {
  buf[offset] = PUBACK << 4;
  buf[offset + 1] = 2;
  buf.writeUInt16BE(packetId, offset + 2);
}
