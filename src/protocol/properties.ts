/**
 * MQTT 5.0 properties as they are on the wire (section 2.2.2), read from the raw property section of
 * a packet the client sent. mqtt-packet parses properties leniently: a property twice becomes an
 * array, a property of another packet type is accepted, byte values are turned into booleans and
 * strings are decoded without checking their UTF-8. This scanner makes the checks the spec asks for:
 * - an identifier unknown, or not valid for the packet type, or a value cut short or not of its
 *   data type: a Malformed Packet (section 2.2.2.2), and so is a string that is not well-formed UTF-8
 *   or holds U+0000 [MQTT-1.5.4-1], [MQTT-1.5.4-2], [MQTT-1.5.7-1];
 * - a property other than User Property included twice, and the values the spec calls a Protocol
 *   Error (Receive Maximum 0, Maximum Packet Size 0, a Request flag other than 0 or 1, Subscription
 *   Identifier 0, Authentication Data without a method, ...): a Protocol Error.
 * It also returns the User Properties in their order on the wire, which the Server must keep when it
 * forwards a message [MQTT-3.3.2-18], [MQTT-3.1.3-10]. Pure.
 */
import { ProtocolError } from './reason-codes.js';
import { stringProblem, topicNameProblem } from './topic.js';

/** Where a property section sits: the packet type, or the will properties of a CONNECT. */
export type PropertySection =
  | 'connect'
  | 'will'
  | 'publish'
  | 'puback'
  | 'pubrec'
  | 'pubrel'
  | 'pubcomp'
  | 'subscribe'
  | 'unsubscribe'
  | 'disconnect'
  | 'auth';

type ValueType = 'byte' | 'int16' | 'int32' | 'vbi' | 'string' | 'binary' | 'pair';

/** Identifier -> name and data type (section 2.2.2.2, table 2-4). */
const PROPERTIES: Record<number, [string, ValueType]> = {
  0x01: ['Payload Format Indicator', 'byte'],
  0x02: ['Message Expiry Interval', 'int32'],
  0x03: ['Content Type', 'string'],
  0x08: ['Response Topic', 'string'],
  0x09: ['Correlation Data', 'binary'],
  0x0b: ['Subscription Identifier', 'vbi'],
  0x11: ['Session Expiry Interval', 'int32'],
  0x12: ['Assigned Client Identifier', 'string'],
  0x13: ['Server Keep Alive', 'int16'],
  0x15: ['Authentication Method', 'string'],
  0x16: ['Authentication Data', 'binary'],
  0x17: ['Request Problem Information', 'byte'],
  0x18: ['Will Delay Interval', 'int32'],
  0x19: ['Request Response Information', 'byte'],
  0x1a: ['Response Information', 'string'],
  0x1c: ['Server Reference', 'string'],
  0x1f: ['Reason String', 'string'],
  0x21: ['Receive Maximum', 'int16'],
  0x22: ['Topic Alias Maximum', 'int16'],
  0x23: ['Topic Alias', 'int16'],
  0x24: ['Maximum QoS', 'byte'],
  0x25: ['Retain Available', 'byte'],
  0x26: ['User Property', 'pair'],
  0x27: ['Maximum Packet Size', 'int32'],
  0x28: ['Wildcard Subscription Available', 'byte'],
  0x29: ['Subscription Identifier Available', 'byte'],
  0x2a: ['Shared Subscription Available', 'byte'],
};

const USER_PROPERTY = 0x26;
const ACK = [0x1f, USER_PROPERTY];

/** The properties each packet a client sends may carry (table 2-4). */
const ALLOWED: Record<PropertySection, ReadonlySet<number>> = {
  connect: new Set([0x11, 0x15, 0x16, 0x17, 0x19, 0x21, 0x22, 0x26, 0x27]),
  will: new Set([0x01, 0x02, 0x03, 0x08, 0x09, 0x18, 0x26]),
  publish: new Set([0x01, 0x02, 0x03, 0x08, 0x09, 0x0b, 0x23, 0x26]),
  puback: new Set(ACK),
  pubrec: new Set(ACK),
  pubrel: new Set(ACK),
  pubcomp: new Set(ACK),
  subscribe: new Set([0x0b, 0x26]),
  unsubscribe: new Set([0x26]),
  disconnect: new Set([0x11, 0x1c, 0x1f, 0x26]),
  auth: new Set([0x15, 0x16, 0x1f, 0x26]),
};

export interface ScannedProperties {
  /** The first problem found, or null. */
  error: ProtocolError | null;
  /** User Properties in wire order. */
  userProperties: [string, string][];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NONE: ScannedProperties = Object.freeze({ error: null, userProperties: [] });

class Cut extends Error {}

/** Reads one property section: `raw` starts with its Property Length. */
export function scanProperties(section: PropertySection, raw: Buffer): ScannedProperties {
  if (raw.length === 1 && raw[0] === 0) return NONE; // no properties: the common case
  const userProperties: [string, string][] = [];
  const fail = (kind: 'malformed' | 'protocol', message: string): ScannedProperties => ({
    error: new ProtocolError(kind, `${section} properties: ${message}`),
    userProperties,
  });
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > raw.length) throw new Cut();
  };
  const vbi = (): number => {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4; i++) {
      need(1);
      const byte = raw[pos++]!;
      // [MQTT-1.5.5-1] the fewest bytes: a last byte of 0 after the first is not minimal
      if (i > 0 && byte === 0) throw new Cut();
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return value;
      multiplier *= 128;
    }
    throw new Cut();
  };
  const bytes = (): Buffer => {
    need(2);
    const n = raw.readUInt16BE(pos);
    pos += 2;
    need(n);
    return raw.subarray(pos, (pos += n));
  };
  const text = (): string => {
    const s = utf8.decode(bytes()); // throws on ill-formed UTF-8 [MQTT-1.5.4-1]
    if (stringProblem(s) !== null) throw new TypeError(stringProblem(s)!);
    return s;
  };
  try {
    const length = vbi();
    const end = pos + length;
    if (end !== raw.length) return fail('malformed', `Property Length ${length} does not fit the packet`);
    const seen = new Set<number>();
    let hasMethod = false;
    let hasData = false;
    while (pos < end) {
      const id = vbi();
      const known = PROPERTIES[id];
      if (known === undefined) return fail('malformed', `unknown property 0x${id.toString(16)}`);
      const [name, type] = known;
      if (!ALLOWED[section].has(id)) return fail('malformed', `${name} is not valid here`);
      if (id !== USER_PROPERTY && seen.has(id)) return fail('protocol', `${name} included twice`);
      seen.add(id);
      let value = 0;
      let str: string | undefined;
      switch (type) {
        case 'byte':
          need(1);
          value = raw[pos++]!;
          break;
        case 'int16':
          need(2);
          value = raw.readUInt16BE(pos);
          pos += 2;
          break;
        case 'int32':
          need(4);
          value = raw.readUInt32BE(pos);
          pos += 4;
          break;
        case 'vbi':
          value = vbi();
          break;
        case 'string':
          str = text();
          break;
        case 'binary':
          bytes();
          break;
        case 'pair':
          userProperties.push([text(), text()]);
          break;
      }
      if (pos > end) throw new Cut();
      const problem = valueProblem(section, id, value, str);
      if (problem !== null) return fail('protocol', `${name}: ${problem}`);
      if (id === 0x15) hasMethod = true;
      if (id === 0x16) hasData = true;
    }
    if (hasData && !hasMethod)
      return fail('protocol', 'Authentication Data without an Authentication Method');
    return { error: null, userProperties };
  } catch (err) {
    if (err instanceof Cut) return fail('malformed', 'a property is cut short');
    return fail('malformed', `a string is not valid UTF-8 text (${(err as Error).message})`);
  }
}

/** Values the spec calls a Protocol Error; null when the value is fine. */
function valueProblem(section: PropertySection, id: number, value: number, str?: string): string | null {
  switch (id) {
    case 0x01: // Payload Format Indicator: 0 or 1
    case 0x17: // Request Problem Information
    case 0x19: // Request Response Information
      return value > 1 ? `value ${value}, not 0 or 1` : null;
    case 0x21: // Receive Maximum
    case 0x27: // Maximum Packet Size
      return value === 0 ? 'value 0' : null;
    case 0x0b:
      // [MQTT-3.3.4-6] a client never sends a Subscription Identifier in PUBLISH; 0 is not one
      if (section === 'publish') return 'sent by a client [MQTT-3.3.4-6]';
      return value === 0 ? 'value 0' : null;
    case 0x08: {
      // [MQTT-3.3.2-14] a Response Topic is a topic name: not empty, no wildcards
      const problem = topicNameProblem(str ?? '');
      return problem === null ? null : `${JSON.stringify(str)}: ${problem}`;
    }
    default:
      return null;
  }
}

/** User Properties as ordered pairs, from pairs or from mqtt-packet's object form (order of its keys). */
export function userPropertyPairs(
  props: readonly [string, string][] | Record<string, string | string[]> | undefined,
): [string, string][] {
  if (props === undefined) return [];
  if (isPairs(props)) return props.map(([k, v]): [string, string] => [k, v]);
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(props)) {
    for (const v of Array.isArray(value) ? value : [value]) pairs.push([name, v]);
  }
  return pairs;
}

function isPairs(props: object): props is readonly [string, string][] {
  return Array.isArray(props);
}
