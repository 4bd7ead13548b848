// Test whether the broker answers PINGREQ with PINGRESP and closes the connection on malformed PINGREQs and on a PINGRESP from a client (MQTT 3.1.1 sections 3.12 and 3.13).
import { describe, it } from 'vitest';
import { connectPacket } from '../support/raw-client.js';
import mqttPacket from 'mqtt-packet';
import { recv, send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

describe('section 3.12: PINGREQ', () => {
  it('[MQTT-3.12.4-1] the server MUST send a PINGRESP (D0 00) in response to a PINGREQ (C0 00)', () =>
    broker.bytes({
      name: 'ping',
      then: 'open',
      steps: [send('C0 00'), recv('D0 00'), send('C0 00 C0 00'), recv('D0 00'), recv('D0 00')],
    }));
  it('[MQTT-3.12.4-1] a PINGREQ sent right after CONNECT, before CONNACK, is answered after the CONNACK', () =>
    broker.bytes({
      name: 'early',
      connect: false,
      then: 'open',
      steps: [
        send(`${mqttPacket.generate(connectPacket()).toString('hex')} C000`),
        recv('20 02 00 00'),
        recv('D0 00'),
      ],
    }));
  for (const first of ['C1', 'C2', 'C4', 'C8']) {
    it(`[MQTT-2.2.2-2] PINGREQ with first byte 0x${first} closes the connection`, () =>
      broker.bytes({ name: first, steps: [send(`${first} 00`)] }));
  }
  it('a PINGREQ with a Remaining Length of 1 is malformed: the connection closes (docs/CONFORMANCE.md)', () =>
    broker.bytes({ name: 'long', steps: [send('C0 01 00')] }));
});

describe('section 3.13: PINGRESP', () => {
  it("[MQTT-4.8.0-1] a PINGRESP sent by a client (a server's packet) is a protocol violation: the connection closes", () =>
    broker.bytes({ name: 'pingresp', steps: [send('D0 00')] }));
});
