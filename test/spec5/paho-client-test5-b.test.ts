// Test whether the scenarios of Eclipse Paho's client_test5.py about sessions, topic aliases, packet sizes and flow control pass against the broker, each reproduced under its Paho name with Paho's assertions.
import { describe, expect, it } from 'vitest';
import { nextId, subscribe, text } from '../support/flows.js';
import { collect, pahoTopics } from '../support/paho.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, expectDisconnect, open5, publish5 } from '../support/v5.js';

// the default Receive Maximum (1024), as in test_flow_control2
const broker = specBroker({}, { concurrent: true });
const session = (clientId: string, clean: boolean) => ({
  clientId,
  clean,
  properties: { sessionExpiryInterval: 99999 },
});

describe.concurrent('Paho client_test5.py', () => {
  it('test_offline_message_queueing: 2 or 3 of the QoS 0, 1, 2 messages sent while away arrive on resume', async () => {
    const { topics, wildtopics } = pahoTopics();
    const id = uniqueId();
    const a = await client5(broker, session(id, true));
    await subscribe(a, wildtopics[5]!, 2);
    await a.disconnect();
    const b = await client5(broker);
    for (const [i, qos] of [
      [1, 0],
      [2, 1],
      [3, 2],
    ] as const)
      await publish5(b, topics[i]!, `qos ${qos}`, { qos });
    const again = await client5(broker, { clientId: id, clean: false });
    expect([2, 3]).toContain((await collect(again)).length);
  });

  it('test_redelivery_on_reconnect: QoS 1 and 2 messages left unacknowledged arrive again on resume', async () => {
    const { topics, wildtopics } = pahoTopics();
    const id = uniqueId();
    const b = await client5(broker, session(id, false));
    await subscribe(b, wildtopics[6]!, 2);
    await publish5(b, topics[1]!, '', { qos: 1 });
    await publish5(b, topics[3]!, '', { qos: 2 });
    await b.nextOf('publish'); // "paused": received, not acknowledged
    await b.disconnect();
    const again = await client5(broker, session(id, false));
    expect((await collect(again)).length).toBe(2);
  });

  it('test_client_topic_alias: alias 0 is refused; aliases are kept within a connection and forgotten across', async () => {
    const { topics } = pahoTopics();
    const first = await client5(broker);
    first.send({
      cmd: 'publish',
      topic: topics[0]!,
      payload: Buffer.from('topic alias 0'),
      qos: 1,
      messageId: 1,
      retain: false,
      dup: false,
      properties: { topicAlias: 0 },
    });
    await expectDisconnect(first, 0x94);

    const id = uniqueId();
    const { client: a, connack } = await open5(broker, {
      clientId: id,
      properties: { topicAliasMaximum: 0, sessionExpiryInterval: 99999 },
    });
    expect(connack.properties?.topicAliasMaximum).toBeGreaterThan(0);
    await subscribe(a, topics[0]!, 2);
    await publish5(a, topics[0]!, 'topic alias 1', { qos: 1, properties: { topicAlias: 1 } });
    await publish5(a, '', 'topic alias 2', { qos: 1, properties: { topicAlias: 1 } });
    expect((await collect(a)).map(text)).toEqual(['topic alias 1', 'topic alias 2']);
    await a.disconnect();

    const again = await client5(broker, { clientId: id, clean: false });
    await publish5(again, topics[0]!, 'topic alias 3', { qos: 1 });
    expect((await collect(again)).map(text)).toEqual(['topic alias 3']);
    again.send({
      cmd: 'publish',
      topic: '',
      payload: Buffer.from('topic alias 4'),
      qos: 1,
      messageId: 9,
      retain: false,
      dup: false,
      properties: { topicAlias: 1 },
    });
    await expectDisconnect(again, 0x82);
  });

  it('test_server_topic_alias: with Topic Alias Maximum 1 the first message sets alias 1, the next use it with an empty topic; none otherwise', async () => {
    const { topics } = pahoTopics();
    for (const properties of [{ topicAliasMaximum: 1 }, {}, { topicAliasMaximum: 0 }]) {
      const { client } = await open5(broker, { properties });
      await subscribe(client, topics[0]!, 2);
      for (const qos of [0, 1, 2] as const) await publish5(client, topics[0]!, 'topic alias 1', { qos });
      const got = await collect(client);
      const seen = got.map((m) => [m.topic, m.properties?.topicAlias]);
      expect(seen).toEqual(
        properties.topicAliasMaximum === 1
          ? [
              [topics[0], 1],
              ['', 1],
              ['', 1],
            ]
          : [
              [topics[0], undefined],
              [topics[0], undefined],
              [topics[0], undefined],
            ],
      );
      await client.disconnect();
    }
  });

  it("test_maximum_packet_size: the server's maximum is 65535 or more; a client maximum of 64 lets a 32-byte payload through and drops a 64-byte one", async () => {
    const { connack } = await open5(broker);
    expect(connack.properties?.maximumPacketSize).toBeGreaterThanOrEqual(65535);
    const { client } = await open5(broker, { properties: { maximumPacketSize: 64 } });
    const { topics } = pahoTopics();
    await subscribe(client, topics[0]!, 2);
    await publish5(client, topics[0]!, '.'.repeat(32));
    await publish5(client, topics[0]!, '.'.repeat(64), { qos: 1 });
    expect((await collect(client)).map((m) => m.payload.length)).toEqual([32]);
  });

  it('test_flow_control1: with Receive Maximum 2, two of three QoS 1 messages arrive before an ack, the third after it', async () => {
    const { topics } = pahoTopics();
    const { client } = await open5(broker, {
      clientId: uniqueId(),
      properties: { receiveMaximum: 2, sessionExpiryInterval: 0 },
    });
    await subscribe(client, topics[0]!, 2);
    for (let i = 1; i <= 3; i++) await publish5(client, topics[0]!, `message ${i}`, { qos: 1 });
    const first = await client.nextOf('publish');
    const second = await client.nextOf('publish');
    expect([first.qos, second.qos]).toEqual([1, 1]);
    await client.nothingFor(500);
    client.send({ cmd: 'puback', messageId: first.messageId! });
    expect((await client.nextOf('publish')).qos).toBe(1);
  });

  it("test_flow_control2: one QoS 2 message more than the server's Receive Maximum gets DISCONNECT 0x93", async () => {
    const { topics } = pahoTopics();
    const { client, connack } = await open5(broker);
    const serverReceiveMaximum = connack.properties?.receiveMaximum ?? 65535;
    for (let i = 1; i <= serverReceiveMaximum + 1; i++) {
      client.send({
        cmd: 'publish',
        topic: topics[0]!,
        payload: Buffer.from(`message ${i}`),
        qos: 2,
        messageId: nextId(client),
        retain: false,
        dup: false,
      });
    }
    for (;;) {
      const frame = await client.nextFrame(10_000);
      if (frame.packet.cmd === 'pubrec') continue;
      expect(frame.packet).toMatchObject({ cmd: 'disconnect', reasonCode: 147 });
      break;
    }
  });
});
