/**
 * What a broker's refusal means, in words, for the clients' one-line errors: the six MQTT 3.1.1
 * CONNACK return codes (section 3.2.2.3) and the MQTT 5.0 reason codes (section 2.4).
 */

const CONNACK_V3: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

const V5: Record<number, string> = {
  0x00: 'success',
  0x04: 'disconnect with will message',
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x83: 'implementation specific error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8b: 'server shutting down',
  0x8c: 'bad authentication method',
  0x8d: 'keep alive timeout',
  0x8e: 'session taken over',
  0x8f: 'topic filter invalid',
  0x90: 'topic name invalid',
  0x91: 'packet identifier in use',
  0x92: 'packet identifier not found',
  0x93: 'receive maximum exceeded',
  0x94: 'topic alias invalid',
  0x95: 'packet too large',
  0x96: 'message rate too high',
  0x97: 'quota exceeded',
  0x98: 'administrative action',
  0x99: 'payload format invalid',
  0x9a: 'retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'use another server',
  0x9d: 'server moved',
  0x9e: 'shared subscriptions not supported',
  0x9f: 'connection rate exceeded',
  0xa0: 'maximum connect time',
  0xa1: 'subscription identifiers not supported',
  0xa2: 'wildcard subscriptions not supported',
};

/**
 * The meaning of `code` in a packet of `kind` for protocol `version` (4 = 3.1.1). In 3.1.1 a SUBACK
 * carries 0x80 for "failure"; CONNACK codes are 1..5; 3.1.1 has no other reason codes.
 */
function reasonText(code: number, version: 4 | 5, kind: 'connack' | 'suback' | 'ack' | 'disconnect'): string {
  if (version === 4) {
    if (kind === 'connack') return CONNACK_V3[code] ?? 'unknown return code';
    return code === 0x80 ? 'failure' : 'unknown return code';
  }
  return V5[code] ?? 'unknown reason code';
}

/**
 * A code's meaning followed by the code: decimal in 3.1.1 ("not authorized (5)"), hexadecimal in 5.0
 * as the specification writes them ("not authorized (0x87)").
 */
export function describeCode(
  code: number,
  version: 4 | 5,
  kind: 'connack' | 'suback' | 'ack' | 'disconnect',
): string {
  const written = version === 4 ? String(code) : `0x${code.toString(16).padStart(2, '0')}`;
  return `${reasonText(code, version, kind)} (${written})`;
}
