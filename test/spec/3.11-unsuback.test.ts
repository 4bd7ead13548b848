// Test whether the UNSUBACK the broker sends to a 3.1.1 client has the fixed header 0xB0, a Remaining Length of 2 and no payload, whatever the UNSUBSCRIBE held (MQTT 3.1.1 section 3.11).
import { describe, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

describe('section 3.11: UNSUBACK', () => {
  it('[MQTT-2.2.2-1] [MQTT-2.3.1-7] UNSUBACK for one filter is B0 02 and the packet id', () =>
    broker.bytes({ name: 'one', then: 'open', steps: [send('A2 05 0102 0001 61'), recv('B0 02 0102')] }));
  it('section 3.11.3: UNSUBACK for three filters has no payload', () =>
    broker.bytes({
      name: 'three',
      then: 'open',
      steps: [
        send('82 0A 0001 0001 61 01 0001 62 02'),
        recv('90 04 0001 01 02'),
        send('A2 0B 0203 0001 61 0001 62 0001 63'),
        recv('B0 02 0203'),
      ],
    }));
  it('section 3.11: a 3.1 ("MQIsdp") client gets the same UNSUBACK', () =>
    broker.bytes({
      name: 'v3',
      version: 3,
      then: 'open',
      steps: [send('A2 05 FFFF 0001 61'), recv('B0 02 FFFF')],
    }));
  it("[MQTT-4.8.0-1] an UNSUBACK sent by a client (a server's packet) closes the connection", () =>
    broker.bytes({ name: 'from client', steps: [send('B0 02 0001')] }));
});
