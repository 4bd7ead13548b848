// Test whether the connection actor speaks MQTT 5.0 as sections 3.1-3.15 and 4.13 say: no DISCONNECT before CONNACK, errors before CONNACK answered after it, acks with failure codes, server topic aliases, the client's Maximum Packet Size, and no enhanced authentication.
import type { IPublishPacket, Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/protocol/reason-codes.js';
import type { ConnectionEffect } from '../../src/actors/connection/types.js';
import { connectPacket, startConnection } from './harness.js';

const grant = { sessionPresent: false, clientId: 'c1', awaitingRelease: [], queued: [] };
const v5 = { protocolVersion: 5 as const };
const msg = (qos: 0 | 1 | 2, topic = 't', payload = 'x') => ({
  topic,
  payload: Buffer.from(payload),
  qos,
  retain: false,
});
const sends = (effects: ConnectionEffect[]): Packet[] =>
  effects
    .filter((e): e is Extract<ConnectionEffect, { type: 'send' }> => e.type === 'send')
    .map((e) => e.packet);
const types = (effects: ConnectionEffect[]) => effects.map((e) => e.type);

describe('before CONNACK [MQTT-3.14.0-1]', () => {
  it('a protocol error after CONNECT and before CONNACK is answered after CONNACK, with DISCONNECT', () => {
    const h = startConnection();
    h.packet(connectPacket(v5));
    h.send({ type: 'protocol.error', error: new ProtocolError('malformed', 'bad') });
    expect(sends(h.take())).toEqual([]);
    h.send({ type: 'session.granted', grant });
    const effects = h.take();
    expect(sends(effects).map((p) => [p.cmd, (p as { reasonCode?: number }).reasonCode])).toEqual([
      ['connack', 0],
      ['disconnect', 0x81],
    ]);
    expect(types(effects)).toContain('ended');
  });

  it('a takeover before CONNACK closes without DISCONNECT', () => {
    const h = startConnection();
    h.packet(connectPacket(v5));
    h.take();
    h.send({ type: 'session.takenOver' });
    const effects = h.take();
    expect(sends(effects)).toEqual([]);
    expect(types(effects)).toEqual(['close', 'ended']);
  });

  it('too many packets before CONNACK close the connection without DISCONNECT', () => {
    const h = startConnection({ maxDeferred: 2 });
    h.packet(connectPacket(v5));
    h.take();
    for (let i = 0; i < 3; i++) h.packet({ cmd: 'pingreq' });
    expect(h.status).toBe('done');
    expect(sends(h.take())).toEqual([]);
  });
});

describe('CONNECT', () => {
  it('refuses an Authentication Method with CONNACK 0x8C [MQTT-4.12.0-1]', () => {
    const h = startConnection();
    h.packet(connectPacket({ ...v5, properties: { authenticationMethod: 'SCRAM-SHA-1' } }));
    expect(sends(h.take())).toEqual([{ cmd: 'connack', reasonCode: 0x8c, sessionPresent: false }]);
    expect(h.status).toBe('done');
  });

  it('answers an error in a 5.0 CONNECT found by the decoder with CONNACK and its reason code', () => {
    const h = startConnection();
    const error = new ProtocolError('protocol', 'twice');
    error.connectVersion = 5;
    h.send({ type: 'protocol.error', error });
    expect(sends(h.take())).toEqual([{ cmd: 'connack', reasonCode: 0x82, sessionPresent: false }]);
  });

  it('sends no Reason String with a refusing CONNACK or a DISCONNECT [MQTT-3.1.2-29]', () => {
    const h = startConnection();
    h.connect(v5);
    h.packet({ cmd: 'auth', reasonCode: 0 });
    expect(sends(h.take())).toEqual([{ cmd: 'disconnect', reasonCode: 0x82 }]);
  });
});

describe('acknowledgements from a 5.0 client', () => {
  it('a PUBREC of 0x80 or more ends the QoS 2 flow: no PUBREL, delivered [MQTT-4.3.3-4], [MQTT-4.4.0-2]', () => {
    const h = startConnection();
    h.connect(v5);
    h.send({ type: 'deliver', messages: [msg(2)] });
    h.take();
    h.packet({ cmd: 'pubrec', messageId: 1, reasonCode: 0x80 });
    const effects = h.take();
    expect(sends(effects)).toEqual([]);
    expect(effects).toContainEqual({ type: 'delivered', packetId: 1 });
  });

  it('answers PUBREL and PUBREC for unknown ids with success, as Mosquitto', () => {
    const h = startConnection();
    h.connect(v5);
    h.packet({ cmd: 'pubrel', messageId: 9 });
    h.packet({ cmd: 'pubrec', messageId: 8 });
    expect(h.sent()).toEqual([
      { cmd: 'pubcomp', messageId: 9 },
      { cmd: 'pubrel', messageId: 8 },
    ]);
  });
});

describe('PUBLISH to a 5.0 client', () => {
  it('sets a topic alias the first time, then sends the alias alone [MQTT-3.3.2-11]', () => {
    const h = startConnection();
    h.connect({ ...v5, properties: { topicAliasMaximum: 2 } });
    h.send({ type: 'deliver', messages: [msg(0, 'a'), msg(0, 'a'), msg(0, 'b'), msg(0, 'c'), msg(0, 'a')] });
    const sent = h.sent() as IPublishPacket[];
    expect(sent.map((p) => [p.topic, p.properties?.topicAlias])).toEqual([
      ['a', 1],
      ['', 1],
      ['b', 2],
      ['c', 1], // the least recently used alias goes to the new topic
      ['a', 2],
    ]);
  });

  it('sends no topic alias to a client that allows none [MQTT-3.1.2-27]', () => {
    const h = startConnection();
    h.connect(v5);
    h.send({ type: 'deliver', messages: [msg(0, 'a'), msg(0, 'a')] });
    expect((h.sent() as IPublishPacket[]).map((p) => p.properties?.topicAlias)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('drops a PUBLISH larger than the Maximum Packet Size, acknowledging it for the session [MQTT-3.1.2-24], [MQTT-3.1.2-25]', () => {
    const h = startConnection();
    h.connect({ ...v5, properties: { maximumPacketSize: 20, receiveMaximum: 1 } });
    // "t" + 16 bytes with QoS 1: 2 + 3 + 2 + 1 + 16 = 24 bytes; the next one fits exactly in 20
    h.send({ type: 'deliver', messages: [msg(1, 't', 'x'.repeat(16)), msg(1, 't', 'x'.repeat(12))] });
    const effects = h.take();
    expect(effects).toContainEqual({ type: 'delivered', packetId: 1 });
    expect(effects).toContainEqual({ type: 'dropped', count: 1, reason: 'too-large' });
    const sent = sends(effects) as IPublishPacket[];
    expect(sent.map((p) => p.payload.length)).toEqual([12]); // the window slot was freed for it
  });
});

describe('DISCONNECT from a 5.0 client', () => {
  const ended = (effects: ConnectionEffect[]) => effects.find((e) => e.type === 'ended');
  it.each([
    [0x00, false],
    [0x04, true],
    [0x80, true],
    [0x83, true],
  ])('reason code %d: the will is published: %s [MQTT-3.14.4-3], [MQTT-3.1.2-8]', (reasonCode, sendWill) => {
    const h = startConnection();
    h.connect(v5);
    h.packet({ cmd: 'disconnect', reasonCode });
    expect(ended(h.take())).toEqual({ type: 'ended', reason: { kind: 'client-disconnect', sendWill } });
  });
  it('a 3.1.1 DISCONNECT always deletes the will', () => {
    const h = startConnection();
    h.connect();
    h.packet({ cmd: 'disconnect' });
    expect(ended(h.take())).toEqual({
      type: 'ended',
      reason: { kind: 'client-disconnect', sendWill: false },
    });
  });
});
