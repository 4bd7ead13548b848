// Test whether the server answers PINGREQ with PINGRESP, also while its send quota for the client is used up, and refuses a malformed PINGREQ (MQTT 5.0 sections 3.12, 3.13 and 4.9).
import { describe, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { subscribe, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, publish5 } from '../support/v5.js';

const broker = specBroker();

describe('section 3.12: PINGREQ', () => {
  it('[MQTT-3.12.4-1] PINGREQ gets PINGRESP', () =>
    broker.bytes({ name: 'ping', version: 5, then: 'open', steps: [send('C0 00'), recv('D0 00')] }));
  it('section 3.12: PINGREQ with a Remaining Length of 1 is malformed: DISCONNECT 0x81', () =>
    broker.bytes({ name: 'long ping', version: 5, steps: [send('C0 01 00'), recv('E0 01 81')] }));
  it("[MQTT-4.9.0-3] PINGREQ is answered while the client's Receive Maximum (1) is used up", async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker, { properties: { receiveMaximum: 1 } });
    await subscribe(sub, topic, 1);
    const pub = await client5(broker);
    await publish5(pub, topic, 'one', { qos: 1 });
    await publish5(pub, topic, 'two', { qos: 1 });
    await sub.nextOf('publish'); // not acknowledged: the quota is 0
    await sub.ping();
  });
});
