/**
 * The MQTT codec: bytes to packets and packets to bytes, on mqtt-packet (3.1, 3.1.1 and 5.0).
 *
 * `Decoder.push(bytes)` returns the packets completed by those bytes, or the first protocol error.
 * Before mqtt-packet sees a packet, a small scanner reads each fixed header so that a packet larger
 * than the limit is refused as soon as its length is known, without buffering it (MQTT 5.0 section
 * 3.1.2.11.4; for 3.1.1 the server's limit is its own choice). Each decoded packet then passes the
 * checks mqtt-packet leaves out (wire-checks.ts), MQTT 5.0 properties included: the decoder keeps the
 * raw bytes of every property section mqtt-packet reads (properties.ts checks them, and finds the
 * User Properties' wire order there). After an error the decoder is spent: the connection closes
 * [MQTT-4.8.0-1], [MQTT-4.13.1-1].
 */
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { encode5 } from './encode5.js';
import { ProtocolError } from './reason-codes.js';
import { wireProblem } from './wire-checks.js';

export type ProtocolVersion = 3 | 4 | 5;

/** The largest packet the MQTT wire format can express: 1 + 4 length bytes + 268,435,455. */
export const MAX_WIRE_PACKET_SIZE = 268_435_460;

export interface DecodeResult {
  packets: Packet[];
  error: ProtocolError | null;
}

export interface DecoderOptions {
  /** Largest whole packet (fixed header included) accepted, in bytes. */
  maxPacketSize: number;
}

/** What the decoder reaches inside mqtt-packet's parser (9.x); pinned by test/protocol/codec.test.ts. */
interface ParserInternals {
  _parseProperties(): unknown;
  _list: { slice(start: number, end: number): Buffer };
  _pos: number;
  packet: Partial<Packet> | undefined;
}

export class Decoder {
  private readonly parser = mqttPacket.parser();
  /** Raw property sections of the packet being parsed, in the order they were read. */
  private sections: Buffer[] = [];
  private readonly maxPacketSize: number;
  private packets: Packet[] = [];
  private failure: ProtocolError | null = null;
  /** Bytes of the current packet's body still to come; -1 while reading a fixed header. */
  private bodyLeft = -1;
  /** Fixed header bytes read so far of a header split across chunks. */
  private header: number[] = [];

  constructor(options: DecoderOptions) {
    this.maxPacketSize = options.maxPacketSize;
    const internals = this.parser as unknown as ParserInternals;
    const parseProperties = internals._parseProperties;
    const sections = (): Buffer[] => this.sections;
    internals._parseProperties = function (this: ParserInternals): unknown {
      const start = this._pos;
      const result = parseProperties.call(this);
      sections().push(this._list.slice(start, this._pos));
      return result;
    };
    this.parser.on('packet', (packet: Packet) => {
      const raw = this.sections;
      this.sections = [];
      if (this.failure !== null) return; // nothing after a bad packet counts [MQTT-4.8.0-1]
      const version = packet.cmd === 'connect' ? (packet.protocolVersion ?? 4) : this.protocolVersion;
      const problem = wireProblem(packet, version, raw);
      if (problem === null) {
        this.packets.push(packet);
        return;
      }
      if (packet.cmd === 'connect' && version === 5) problem.connectVersion = 5;
      this.failure = problem;
    });
    this.parser.on('error', (err: Error) => {
      this.sections = [];
      // an error in a 5.0 CONNECT may be answered with a 5.0 CONNACK (section 4.13)
      const packet = internals.packet;
      const connect5 = packet?.cmd === 'connect' && packet.protocolVersion === 5;
      this.failure ??= classifyParseError(err, connect5);
    });
  }

  /** The protocol version announced by CONNECT, once one was parsed (the parser switches to it). */
  get protocolVersion(): ProtocolVersion {
    const settings = (this.parser as unknown as { settings: { protocolVersion?: number } }).settings;
    const v = settings.protocolVersion;
    return v === 3 || v === 5 ? v : 4;
  }

  push(chunk: Buffer): DecodeResult {
    if (this.failure !== null) return { packets: [], error: this.failure };
    const tooLarge = this.scan(chunk);
    // Packets wholly before an oversized one are still valid and delivered in order.
    this.parser.parse(tooLarge === null ? chunk : chunk.subarray(0, tooLarge.offset));
    const packets = this.packets;
    this.packets = [];
    if (tooLarge !== null) this.failure ??= tooLarge.error;
    return { packets, error: this.failure };
  }

  /** Walks the fixed headers in `chunk`; returns where an oversized packet starts, if one does. */
  private scan(chunk: Buffer): { offset: number; error: ProtocolError } | null {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, n - i);
        this.bodyLeft -= take;
        i += take;
        continue;
      }
      const headerStart = i - this.header.length;
      while (i < n) {
        const byte = chunk[i++]!;
        this.header.push(byte);
        if (this.header.length >= 2 && (byte & 0x80) === 0) break;
        if (this.header.length === 5) break; // a malformed length: mqtt-packet reports it
      }
      const done = this.header.length >= 2 && (this.header[this.header.length - 1]! & 0x80) === 0;
      if (!done && this.header.length < 5) return null; // the header continues in the next chunk
      let length = 0;
      for (let k = this.header.length - 1; k >= 1; k--) length = length * 128 + (this.header[k]! & 0x7f);
      const total = this.header.length + length;
      this.header = [];
      if (!done) {
        this.bodyLeft = -1;
        return null; // mqtt-packet will emit 'Invalid variable byte integer'
      }
      if (total > this.maxPacketSize) {
        return {
          offset: Math.max(0, headerStart),
          error: new ProtocolError(
            'packet-too-large',
            `packet of ${total} bytes exceeds the limit of ${this.maxPacketSize}`,
          ),
        };
      }
      this.bodyLeft = length;
    }
    return null;
  }
}

/** Maps mqtt-packet's error sentences onto our kinds; pinned by test/protocol/codec.test.ts. */
function classifyParseError(err: Error, connect5: boolean): ProtocolError {
  if (err.message === 'Invalid protocol version') {
    return new ProtocolError('unsupported-version', 'unsupported protocol version', { cause: err });
  }
  // a client that sent no Authentication Method may send no AUTH at all [MQTT-4.12.0-7]
  const kind = err.message === 'Invalid auth reason code' ? 'protocol' : 'malformed';
  const error = new ProtocolError(kind, `malformed packet: ${err.message}`, { cause: err });
  if (connect5) error.connectVersion = 5;
  return error;
}

/**
 * Serialises a packet for the given protocol version. MQTT 5.0 PUBLISH, acknowledgements and
 * DISCONNECT have an encoder of their own (encode5.ts); the rest is mqtt-packet's.
 */
export function encode(packet: Packet, protocolVersion: ProtocolVersion): Buffer {
  if (protocolVersion === 5) return encode5(packet) ?? mqttPacket.generate(packet, { protocolVersion });
  return mqttPacket.generate(packet, { protocolVersion });
}
