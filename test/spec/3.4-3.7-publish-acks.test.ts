// Test whether the broker sends and accepts PUBACK, PUBREC, PUBREL and PUBCOMP as sections 3.4 to 3.7 define them, and closes the connection when one is malformed or does not fit the flow it claims to answer (MQTT 3.1.1 sections 3.4-3.7, 4.3).
import { describe, expect, it } from 'vitest';
import { nextPublish, publish, subscribe, uniqueTopic } from '../support/flows.js';
import { recv, send } from '../support/byte-cases.js';
import type { RawClient } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

describe('the acknowledgements a client receives', () => {
  it('section 3.4: PUBACK is 0x40, Remaining Length 2, the packet id', () =>
    broker.bytes({
      name: 'puback',
      then: 'open',
      steps: [send('32 07 0001 70 1234 6869'), recv('40 02 1234')],
    }));
  it('sections 3.5-3.7: PUBREC is 0x50 and PUBCOMP 0x70, Remaining Length 2, the packet id', () =>
    broker.bytes({
      name: 'qos2',
      then: 'open',
      steps: [send('34 07 0001 70 4321 6869'), recv('50 02 4321'), send('62 02 4321'), recv('70 02 4321')],
    }));
  it('section 3.6: the server sends PUBREL as 0x62 [MQTT-3.6.1-1]', async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, topic, 2);
    await publish(await broker.connect(), topic, 'x', { qos: 2 });
    const packet = await nextPublish(sub);
    sub.send({ cmd: 'pubrec', messageId: packet.messageId! });
    const frame = await sub.nextFrame();
    expect(frame.bytes.subarray(0, 2).toString('hex')).toBe('6202');
  });
});

describe('[MQTT-3.6.1-1] PUBREL fixed header bits 3,2,1,0 MUST be 0,0,1,0: the server MUST treat any other value as malformed and close', () => {
  for (const first of ['60', '61', '63', '64', '66', '6A', '6E']) {
    it(`[MQTT-3.6.1-1] PUBREL with first byte 0x${first} closes the connection`, () =>
      broker.bytes({
        name: first,
        steps: [send('34 07 0001 70 0001 6869'), recv('50 02 0001'), send(`${first} 02 0001`)],
      }));
  }
});

describe('unknown packet ids are answered, not fatal', () => {
  it('a PUBACK for no message in flight is ignored', () =>
    broker.bytes({ name: 'puback', then: 'open', steps: [send('40 02 0001')] }));
  it('a PUBREC for no message in flight is answered with PUBREL', () =>
    broker.bytes({ name: 'pubrec', then: 'open', steps: [send('50 02 0001'), recv('62 02 0001')] }));
  it('[MQTT-4.3.3-2] a PUBREL is answered with PUBCOMP holding the same packet id, known or not', () =>
    broker.bytes({ name: 'pubrel', then: 'open', steps: [send('62 02 0001'), recv('70 02 0001')] }));
  it('a PUBCOMP for no message in flight is ignored', () =>
    broker.bytes({ name: 'pubcomp', then: 'open', steps: [send('70 02 0001')] }));
});

describe('malformed acknowledgements close the connection [MQTT-4.8.0-1]', () => {
  for (const [name, first] of [
    ['PUBACK', '40'],
    ['PUBREC', '50'],
    ['PUBREL', '62'],
    ['PUBCOMP', '70'],
  ]) {
    it(`a ${name} with a Remaining Length of 3 closes the connection`, () =>
      broker.bytes({ name: name!, steps: [send(`${first} 03 0001 00`)] }));
    it(`a ${name} with a Remaining Length of 1 closes the connection`, () =>
      broker.bytes({ name: name!, steps: [send(`${first} 01 01`)] }));
    it(`a ${name} with a Remaining Length of 0 closes the connection`, () =>
      broker.bytes({ name: name!, steps: [send(`${first} 00`)] }));
    it(`a ${name} with packet id 0 (which no PUBLISH has [MQTT-2.3.1-1]) closes the connection`, () =>
      broker.bytes({ name: name!, steps: [send(`${first} 02 0000`)] }));
  }
});

/** A subscriber holding one message at `qos` from another client, not yet acknowledged. */
async function inFlight(qos: 1 | 2): Promise<{ sub: RawClient; id: number }> {
  const topic = uniqueTopic();
  const sub = await broker.connect();
  await subscribe(sub, topic, qos);
  await publish(await broker.connect(), topic, 'x', { qos });
  return { sub, id: (await nextPublish(sub)).messageId! };
}

describe('an acknowledgement of the wrong kind for a message in flight closes the connection [MQTT-4.8.0-1]', () => {
  const wrong: [string, 1 | 2, ('puback' | 'pubrec' | 'pubcomp')[]][] = [
    ['[MQTT-4.3.2-1] PUBREC for a QoS 1 message (which waits for PUBACK)', 1, ['pubrec']],
    ['[MQTT-4.3.2-1] PUBCOMP for a QoS 1 message', 1, ['pubcomp']],
    ['[MQTT-4.3.3-1] PUBACK for a QoS 2 message (which waits for PUBREC)', 2, ['puback']],
    ['[MQTT-4.3.3-1] PUBCOMP for a QoS 2 message before PUBREC', 2, ['pubcomp']],
    [
      '[MQTT-4.3.3-1] PUBACK for a QoS 2 message after PUBREL (which waits for PUBCOMP)',
      2,
      ['pubrec', 'puback'],
    ],
  ];
  for (const [name, qos, acks] of wrong) {
    it(`${name} closes the connection`, async () => {
      const { sub, id } = await inFlight(qos);
      for (const ack of acks) {
        sub.send({ cmd: ack, messageId: id });
        if (ack === 'pubrec' && qos === 2) expect((await sub.expect('pubrel')).messageId).toBe(id);
      }
      expect(await sub.closed()).toEqual([]);
    });
  }

  it('[MQTT-4.3.3-1] a repeated PUBREC after PUBREL is answered with PUBREL again', async () => {
    const { sub, id } = await inFlight(2);
    for (let i = 0; i < 2; i++) {
      sub.send({ cmd: 'pubrec', messageId: id });
      expect((await sub.expect('pubrel')).messageId).toBe(id);
    }
    sub.send({ cmd: 'pubcomp', messageId: id });
    await sub.ping();
  });
});
