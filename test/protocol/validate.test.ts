// Test whether the checks mqtt-packet leaves to us refuse exactly what the spec forbids.
import type { IConnectPacket, Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { connectProblem, packetProblem } from '../../src/protocol/validate.js';

const connect = (over: Partial<IConnectPacket>): IConnectPacket => ({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 4,
  clientId: 'c1',
  clean: true,
  keepalive: 60,
  ...over,
});

describe('connectProblem', () => {
  it('accepts a plain 3.1.1 and 3.1 CONNECT', () => {
    expect(connectProblem(connect({}), 256)).toBeNull();
    expect(connectProblem(connect({ protocolId: 'MQIsdp', protocolVersion: 3 }), 256)).toBeNull();
  });
  it('refuses a protocol name that does not fit the level [MQTT-3.1.2-1]', () => {
    expect(connectProblem(connect({ protocolId: 'MQIsdp' }), 256)?.kind).toBe('unsupported-version');
  });
  it('refuses client ids longer than the configured limit with identifier rejected [MQTT-3.1.3-5]', () => {
    expect(connectProblem(connect({ clientId: 'x'.repeat(30) }), 23)?.kind).toBe('client-id-rejected');
    expect(connectProblem(connect({ clientId: 'x'.repeat(30) }), 64)).toBeNull();
  });
  it('refuses a will topic with wildcards', () => {
    const will = { topic: 'a/#', payload: Buffer.from('x'), qos: 0 as const, retain: false };
    expect(connectProblem(connect({ will }), 64)?.kind).toBe('protocol');
  });
  it('refuses U+0000 in the client id [MQTT-1.5.3-2]', () => {
    expect(connectProblem(connect({ clientId: 'a\u0000' }), 64)?.kind).toBe('malformed');
  });
  it('refuses control characters in the client id and user name (section 1.5.3, as Mosquitto)', () => {
    expect(connectProblem(connect({ clientId: 'a\u0001' }), 64)?.kind).toBe('malformed');
    expect(connectProblem(connect({ username: 'u\u009f' }), 64)?.kind).toBe('malformed');
  });
  it('refuses a will QoS of 3 [MQTT-3.1.2-14]', () => {
    const will = { topic: 'w', payload: Buffer.from('x'), qos: 3 as unknown as 0, retain: false };
    expect(connectProblem(connect({ will }), 64)?.kind).toBe('malformed');
  });
  it('refuses a password without a user name before 5.0 [MQTT-3.1.2-22], allows it in 5.0', () => {
    const password = Buffer.from('p');
    expect(connectProblem(connect({ password }), 64)?.kind).toBe('malformed');
    expect(connectProblem(connect({ password, protocolVersion: 5 }), 64)).toBeNull();
  });
  it('refuses an empty client id in MQTT 3.1 with identifier rejected', () => {
    const v3 = connect({ protocolId: 'MQIsdp', protocolVersion: 3, clientId: '' });
    expect(connectProblem(v3, 256)?.kind).toBe('client-id-rejected');
  });
  it('refuses an MQTT 5.0 Authentication Method: enhanced authentication is not supported [MQTT-4.12.0-1]', () => {
    const properties = { authenticationMethod: 'SCRAM-SHA-1' };
    expect(connectProblem(connect({ protocolVersion: 5, properties }), 64)?.kind).toBe(
      'bad-authentication-method',
    );
  });
});

describe('packetProblem on topic filters', () => {
  const sub = (topic: string) =>
    ({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 0 }] }) as Packet;
  const unsub = (filter: string) =>
    ({ cmd: 'unsubscribe', messageId: 1, unsubscriptions: [filter] }) as Packet;
  it.each(['', 'a/#/b', 'a+', 'a\u0000', 'a\uFFFD', 'a\u0007'])(
    '3.1.1 closes on the filter %j in SUBSCRIBE and UNSUBSCRIBE [MQTT-4.8.0-1]',
    (filter) => {
      expect(packetProblem(sub(filter), 4)?.kind).toBe('malformed');
      expect(packetProblem(unsub(filter), 4)?.kind).toBe('malformed');
    },
  );
  it('5.0 closes on wildcard mistakes too (DISCONNECT 0x81, as Mosquitto) and on bad characters', () => {
    expect(packetProblem(sub('a/#/b'), 5)?.kind).toBe('malformed');
    expect(packetProblem(unsub('a/#/b'), 5)?.kind).toBe('malformed');
    expect(packetProblem(sub('a\u0000'), 5)?.kind).toBe('malformed');
  });
  it.each(['$share/g', '$share//a', '$share/+/a', '$share/g/'])(
    '5.0: the shared subscription %j without a share name or filter is a protocol error [MQTT-4.8.2-1], [MQTT-4.8.2-2]',
    (filter) => {
      expect(packetProblem(sub(filter), 5)?.kind).toBe('protocol');
      expect(packetProblem(sub('$share/g/a'), 5)).toBeNull();
    },
  );
  it('5.0: No Local on a shared subscription is a protocol error [MQTT-3.8.3-4]', () => {
    const nl = (topic: string) =>
      ({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 0, nl: true }] }) as Packet;
    expect(packetProblem(nl('$share/g/a'), 5)?.kind).toBe('protocol');
    expect(packetProblem(nl('a'), 5)).toBeNull();
  });
});

describe('packetProblem', () => {
  const cases: [string, Packet, string | null][] = [
    [
      'PUBLISH with a wildcard topic [MQTT-3.3.2-2]',
      { cmd: 'publish', topic: 'a/+', payload: '', qos: 0, dup: false, retain: false },
      'protocol',
    ],
    [
      'PUBLISH with an empty topic [MQTT-4.7.3-1]',
      { cmd: 'publish', topic: '', payload: '', qos: 0, dup: false, retain: false },
      'protocol',
    ],
    [
      'PUBLISH QoS 1 with packet id 0 [MQTT-2.3.1-1]',
      { cmd: 'publish', topic: 'a', payload: '', qos: 1, messageId: 0, dup: false, retain: false },
      'protocol',
    ],
    [
      'PUBLISH with U+0000 in the topic [MQTT-1.5.3-2]',
      { cmd: 'publish', topic: 'a\u0000', payload: '', qos: 0, dup: false, retain: false },
      'malformed',
    ],
    [
      'a valid PUBLISH',
      { cmd: 'publish', topic: 'a/b', payload: '', qos: 2, messageId: 4, dup: false, retain: false },
      null,
    ],
    [
      'SUBSCRIBE without filters [MQTT-3.8.3-3]',
      { cmd: 'subscribe', messageId: 1, subscriptions: [] },
      'protocol',
    ],
    [
      'UNSUBSCRIBE without filters [MQTT-3.10.3-2]',
      { cmd: 'unsubscribe', messageId: 1, unsubscriptions: [] },
      'protocol',
    ],
    ['CONNACK from a client', { cmd: 'connack', returnCode: 0, sessionPresent: false }, 'protocol'],
    ['PINGRESP from a client', { cmd: 'pingresp' }, 'protocol'],
    ['PUBACK with packet id 0', { cmd: 'puback', messageId: 0 }, 'protocol'],
  ];
  it.each(cases)('%s', (_name, packet, kind) => {
    expect(packetProblem(packet, 4)?.kind ?? null).toBe(kind);
  });
  it('accepts an empty MQTT 5.0 topic when a topic alias is present', () => {
    const p: Packet = {
      cmd: 'publish',
      topic: '',
      payload: '',
      qos: 0,
      dup: false,
      retain: false,
      properties: { topicAlias: 1 },
    };
    expect(packetProblem(p, 5)).toBeNull();
    expect(packetProblem(p, 4)?.kind).toBe('protocol');
  });
});
