// Test whether the broker requires non-zero packet identifiers where the spec does, picks its own correctly, and echoes them in every acknowledgement (MQTT 3.1.1 section 2.3.1).
import { describe, expect, it } from 'vitest';
import { nextPublish, publish, subscribe, uniqueTopic } from '../support/flows.js';
import { recv, send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

describe('[MQTT-2.3.1-1] SUBSCRIBE, UNSUBSCRIBE and PUBLISH (QoS > 0) MUST contain a non-zero 16-bit Packet Identifier', () => {
  const zeroId: [string, string][] = [
    ['SUBSCRIBE', '82 06 0000 0001 70 00'],
    ['UNSUBSCRIBE', 'A2 05 0000 0001 70'],
    ['PUBLISH QoS 1', '32 09 0001 70 0000 7061796C'],
    ['PUBLISH QoS 2', '34 09 0001 70 0000 7061796C'],
  ];
  for (const [what, bytes] of zeroId) {
    it(`[MQTT-2.3.1-1] ${what} with packet id 0 is a protocol violation: the connection closes`, () =>
      broker.bytes({ name: what, steps: [send(bytes)] }));
  }
});

describe('[MQTT-2.3.1-4] a Server sending a PUBLISH with QoS > 0 MUST assign a currently unused Packet Identifier', () => {
  it('[MQTT-2.3.1-4] QoS 1 and 2 messages in flight at once carry distinct non-zero packet ids', async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, topic, 2);
    const pub = await broker.connect();
    for (let i = 0; i < 10; i++) await publish(pub, topic, `m${i}`, { qos: i % 2 === 0 ? 1 : 2 });
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push((await nextPublish(sub)).messageId!);
    expect(ids.every((id) => id > 0 && id <= 65535)).toBe(true);
    expect(new Set(ids).size).toBe(10);
  });
});

describe('[MQTT-2.3.1-5] a PUBLISH Packet MUST NOT contain a Packet Identifier if its QoS value is set to 0', () => {
  it('[MQTT-2.3.1-5] a QoS 0 message goes out as topic and payload only', () =>
    broker.bytes({
      name: 'qos0',
      then: 'open',
      steps: [
        send('82 06 0001 0001 70 02'),
        recv('90 03 0001 02'),
        send('30 05 0001 70 6869'),
        recv('30 05 0001 70 6869'),
      ],
    }));
});

describe('[MQTT-2.3.1-6] PUBACK, PUBREC and PUBREL MUST contain the same Packet Identifier as the PUBLISH', () => {
  for (const id of ['0001', '1234', '7FFF', 'FFFF']) {
    it(`[MQTT-2.3.1-6] PUBACK carries packet id 0x${id}`, () =>
      broker.bytes({
        name: id,
        then: 'open',
        steps: [send(`32 09 0001 70 ${id} 7061796C`), recv(`40 02 ${id}`)],
      }));
    it(`[MQTT-2.3.1-6] PUBREC and PUBCOMP carry packet id 0x${id}`, () =>
      broker.bytes({
        name: id,
        then: 'open',
        steps: [
          send(`34 09 0001 70 ${id} 7061796C`),
          recv(`50 02 ${id}`),
          send(`62 02 ${id}`),
          recv(`70 02 ${id}`),
        ],
      }));
  }
  it("[MQTT-2.3.1-6] the server's PUBREL carries the id of its own PUBLISH", async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, topic, 2);
    const pub = await broker.connect();
    await publish(pub, topic, 'x', { qos: 2 });
    const packet = await nextPublish(sub);
    sub.send({ cmd: 'pubrec', messageId: packet.messageId! });
    expect((await sub.expect('pubrel')).messageId).toBe(packet.messageId);
    sub.send({ cmd: 'pubcomp', messageId: packet.messageId! });
    await sub.ping();
  });
});

describe('[MQTT-2.3.1-7] SUBACK and UNSUBACK MUST contain the Packet Identifier of the SUBSCRIBE and UNSUBSCRIBE', () => {
  for (const id of ['0001', 'ABCD', 'FFFF']) {
    it(`[MQTT-2.3.1-7] SUBACK and UNSUBACK carry packet id 0x${id}`, () =>
      broker.bytes({
        name: id,
        then: 'open',
        steps: [
          send(`82 06 ${id} 0001 70 01`),
          recv(`90 03 ${id} 01`),
          send(`A2 05 ${id} 0001 70`),
          recv(`B0 02 ${id}`),
        ],
      }));
  }
});
