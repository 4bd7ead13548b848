// Test whether the server respects the client's Receive Maximum as sender and enforces its own as receiver (DISCONNECT 0x93), without delaying other packets (MQTT 5.0 sections 3.3.4 and 4.9).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { nextId, subscribe, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, open5, publish5 } from '../support/v5.js';

const broker = specBroker({ receiveMaximum: 5 }, { concurrent: true });

describe.concurrent("section 4.9: the client's Receive Maximum (the server as sender)", () => {
  it('[MQTT-3.3.4-9] [MQTT-4.9.0-1] [MQTT-4.9.0-2] [MQTT-4.3.2-3] with Receive Maximum 2 the server has at most 2 QoS 1 PUBLISH unacknowledged (Paho test_flow_control1)', async () => {
    const topic = uniqueTopic();
    const client = await client5(broker, { properties: { receiveMaximum: 2 } });
    await subscribe(client, topic, 2);
    const pub = await client5(broker);
    for (let i = 1; i <= 3; i++) await publish5(pub, topic, `m${i}`, { qos: 1 });
    const first = await client.nextOf('publish');
    const second = await client.nextOf('publish');
    await client.nothingFor(500); // the third waits for a slot
    client.send({ cmd: 'puback', messageId: first.messageId! });
    const third = await client.nextOf('publish');
    expect([first, second, third].map(text)).toEqual(['m1', 'm2', 'm3']);
  });
  it('[MQTT-3.3.4-9] QoS 2 messages count until PUBCOMP', async () => {
    const topic = uniqueTopic();
    const client = await client5(broker, { properties: { receiveMaximum: 1 } });
    await subscribe(client, topic, 2);
    const pub = await client5(broker);
    await publish5(pub, topic, 'a', { qos: 2 });
    await publish5(pub, topic, 'b', { qos: 2 });
    const a = await client.nextOf('publish');
    client.send({ cmd: 'pubrec', messageId: a.messageId! });
    await client.nextOf('pubrel');
    await client.nothingFor(300);
    client.send({ cmd: 'pubcomp', messageId: a.messageId! });
    expect(text(await client.nextOf('publish'))).toBe('b');
  });
  it('[MQTT-3.3.4-10] [MQTT-4.9.0-3] with the quota used up, QoS 0 PUBLISH may wait but SUBACK and PINGRESP do not', async () => {
    const topic = uniqueTopic();
    const client = await client5(broker, { properties: { receiveMaximum: 1 } });
    await subscribe(client, topic, 1);
    const pub = await client5(broker);
    await publish5(pub, topic, 'a', { qos: 1 });
    await publish5(pub, topic, 'b', { qos: 1 });
    await client.nextOf('publish');
    expect(await subscribe(client, uniqueTopic(), 1)).toEqual([1]);
    await client.ping();
  });
});

describe.concurrent("section 4.9: the server's Receive Maximum (the server as receiver)", () => {
  it("section 3.2.2.3.3: CONNACK announces the server's Receive Maximum (5 here)", async () => {
    expect((await open5(broker)).connack.properties?.receiveMaximum).toBe(5);
  });
  it('section 3.3.4: more unacknowledged QoS 2 PUBLISH than the Receive Maximum get DISCONNECT 0x93 (Paho test_flow_control2)', async () => {
    const client = await client5(broker);
    const topic = uniqueTopic();
    for (let i = 0; i < 6; i++) {
      client.send({
        cmd: 'publish',
        topic,
        payload: Buffer.from('x'),
        qos: 2,
        messageId: nextId(client),
        retain: false,
        dup: false,
      });
    }
    for (;;) {
      const frame = await client.nextFrame();
      if (frame.packet.cmd === 'pubrec') continue;
      expect(frame.packet).toMatchObject({ cmd: 'disconnect', reasonCode: 0x93 });
      break;
    }
    expect((await client.closed()).every((p) => p.cmd === 'pubrec')).toBe(true);
  });
  it('section 4.9: QoS 2 messages count until PUBCOMP: after PUBREL the slot is free again', async () => {
    const client = await client5(broker);
    const topic = uniqueTopic();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) await publish5(client, topic, 'x', { qos: 2 });
    }
    await client.ping();
  });
  it('section 4.9: QoS 1 PUBLISH beyond the Receive Maximum get DISCONNECT 0x93', async () => {
    const client = await client5(broker);
    const topic = uniqueTopic();
    const packets = [];
    for (let i = 0; i < 40; i++) {
      const messageId = nextId(client);
      packets.push(
        mqttPacket.generate(
          { cmd: 'publish', topic, payload: 'x', qos: 1, messageId, retain: false, dup: false },
          { protocolVersion: 5 },
        ),
      );
    }
    client.sendBytes(Buffer.concat(packets)); // one write: the acks cannot free slots in between
    for (;;) {
      const frame = await client.nextFrame();
      if (frame.packet.cmd === 'puback') continue;
      expect(frame.packet).toMatchObject({ cmd: 'disconnect', reasonCode: 0x93 });
      break;
    }
    await client.closed();
  });
});
