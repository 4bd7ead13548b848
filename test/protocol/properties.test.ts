// Test whether MQTT 5.0 property sections are checked as section 2.2.2 says: identifiers valid for the packet, no duplicates, values of their type and range, and User Properties kept in wire order.
import { describe, expect, it } from 'vitest';
import { scanProperties, type PropertySection } from '../../src/protocol/properties.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** A property section: its length (one byte here), then the properties. */
const section = (props: string): Buffer => {
  const body = hex(props);
  return Buffer.concat([Buffer.from([body.length]), body]);
};
const kindOf = (where: PropertySection, props: string): string | null =>
  scanProperties(where, section(props)).error?.kind ?? null;

describe('scanProperties', () => {
  it('accepts an empty section and the properties each packet may carry', () => {
    expect(kindOf('connect', '')).toBeNull();
    expect(kindOf('connect', '11 0000003C 21 000A 22 0005 27 00001000 17 00 19 01')).toBeNull();
    expect(kindOf('will', '01 01 02 0000000A 03 0001 74 08 0001 72 09 0002 0102 18 00000005')).toBeNull();
    expect(kindOf('publish', '01 00 02 00000001 23 0001 26 0001 61 0001 62')).toBeNull();
    expect(kindOf('subscribe', '0B 7F')).toBeNull();
    expect(kindOf('disconnect', '11 00000000 1F 0001 78 1C 0001 79')).toBeNull();
    expect(kindOf('puback', '1F 0000 26 0000 0000')).toBeNull();
  });

  it.each<[PropertySection, string]>([
    ['connect', '23 0001'], // Topic Alias
    ['connect', '01 01'], // Payload Format Indicator
    ['will', '11 00000001'], // Session Expiry Interval
    ['publish', '11 00000001'],
    ['subscribe', '26 0001 70 0001'], // cut short
    ['unsubscribe', '0B 01'],
    ['disconnect', '02 00000001'],
    ['pubrel', '08 0001 70'],
  ])('an identifier not valid for %s, or a value cut short, is a Malformed Packet (%s)', (where, props) => {
    expect(kindOf(where, props)).toBe('malformed');
  });

  it.each(['04 01', '00 01', '7F 01', '8001 01', '8000 01'])(
    'an unknown identifier is malformed (%s)',
    (props) => {
      expect(kindOf('publish', props)).toBe('malformed');
    },
  );

  it('a Property Length that does not fit the bytes is malformed', () => {
    expect(scanProperties('publish', hex('05 01 01')).error?.kind).toBe('malformed');
  });

  it('a Subscription Identifier not in the fewest bytes is malformed [MQTT-1.5.5-1]', () => {
    expect(kindOf('subscribe', '0B 8000')).toBe('malformed');
    expect(kindOf('subscribe', '0B 8001')).toBeNull();
  });

  it('ill-formed UTF-8 or U+0000 in a string is malformed [MQTT-1.5.4-1], [MQTT-1.5.4-2], [MQTT-1.5.7-1]', () => {
    expect(kindOf('publish', '03 0003 61EDA080')).toBe('malformed');
    expect(kindOf('publish', '26 0001 00 0001 61')).toBe('malformed');
    expect(kindOf('publish', '26 0001 61 0002 C328')).toBe('malformed');
  });

  it.each<[PropertySection, string]>([
    ['connect', '11 00000001 11 00000001'],
    ['publish', '23 0001 23 0002'],
    ['will', '01 01 01 01'],
    ['subscribe', '0B 01 0B 02'],
    ['pubrel', '1F 0001 70 1F 0001 71'],
  ])('a property other than User Property twice is a Protocol Error (%s: %s)', (where, props) => {
    expect(kindOf(where, props)).toBe('protocol');
  });

  it('User Property may repeat', () => {
    expect(kindOf('publish', '26 0001 61 0001 62 26 0001 61 0001 63')).toBeNull();
  });

  it.each<[PropertySection, string]>([
    ['connect', '21 0000'], // Receive Maximum 0
    ['connect', '27 00000000'], // Maximum Packet Size 0
    ['connect', '17 02'], // Request Problem Information 2
    ['connect', '19 02'], // Request Response Information 2
    ['connect', '16 0001 70'], // Authentication Data without a method
    ['publish', '01 02'], // Payload Format Indicator 2
    ['publish', '0B 01'], // a client's PUBLISH with a Subscription Identifier [MQTT-3.3.4-6]
    ['publish', '08 0001 23'], // Response Topic with a wildcard [MQTT-3.3.2-14]
    ['will', '08 0000'], // empty Response Topic
    ['subscribe', '0B 00'], // Subscription Identifier 0
  ])('values the spec calls a Protocol Error (%s: %s)', (where, props) => {
    expect(kindOf(where, props)).toBe('protocol');
  });

  it('returns User Properties in wire order, repeated and numeric names included [MQTT-3.3.2-18]', () => {
    const props = '26 0001 62 0001 31  26 0001 32 0001 78  26 0001 62 0001 33  26 0000 0000';
    expect(scanProperties('publish', section(props)).userProperties).toEqual([
      ['b', '1'],
      ['2', 'x'],
      ['b', '3'],
      ['', ''],
    ]);
  });
});
