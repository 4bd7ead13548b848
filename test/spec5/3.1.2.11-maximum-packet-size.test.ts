// Test whether the server never sends a packet larger than the client's Maximum Packet Size: a PUBLISH too large for the client is dropped and, for QoS 1 and 2, treated as delivered (MQTT 5.0 section 3.1.2.11.4).
import { describe, expect, it } from 'vitest';
import { acknowledge, nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, publish5, str } from '../support/v5.js';

const broker = specBroker({}, { concurrent: true });
const ascii = (s: string): string => Buffer.from(s).toString('hex');

describe.concurrent("section 3.1.2.11.4: the client's Maximum Packet Size", () => {
  it("[MQTT-3.1.2-24] with a maximum of 20 bytes a PUBLISH of 24 bytes is not sent, one of 17 is, byte for byte (Mosquitto's test data)", async () => {
    const client = await client5(broker, { properties: { maximumPacketSize: 20 } });
    await subscribe(client, 'topic', 0);
    client.sendBytes(frame('30', `${str('topic')} 00 ${ascii('payloadpayload')}`));
    client.sendBytes(frame('30', `${str('topic')} 00 ${ascii('payload')}`));
    expect((await client.nextFrame()).bytes.toString('hex')).toBe(
      frame('30', `${str('topic')} 00 ${ascii('payload')}`),
    );
  });
  it('[MQTT-3.1.2-24] the size counts what the server adds: a Subscription Identifier can make a message too large', async () => {
    const topic = uniqueTopic();
    const client = await client5(broker, { properties: { maximumPacketSize: 2 + 2 + topic.length + 1 + 4 } });
    client.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic, qos: 0 }],
      properties: { subscriptionIdentifier: 5 },
    });
    await client.nextOf('suback', 1);
    const pub = await client5(broker);
    await publish5(pub, topic, 'abcd'); // 4 bytes of payload + 2 of Subscription Identifier: too large
    await publish5(pub, topic, 'ab'); // fits exactly
    expect(text(await nextPublish(client))).toBe('ab');
  });
  it('[MQTT-3.1.2-25] a QoS 1 message too large is treated as delivered: its window slot is freed and it is not sent on resume', async () => {
    const clientId = uniqueId();
    const topic = uniqueTopic();
    const session = {
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: 60, maximumPacketSize: 128, receiveMaximum: 1 },
    };
    const sub = await client5(broker, session);
    await subscribe(sub, topic, 1);
    const pub = await client5(broker);
    await publish5(pub, topic, 'x'.repeat(200), { qos: 1 });
    await publish5(pub, topic, 'small', { qos: 1 });
    const got = await nextPublish(sub);
    expect(text(got)).toBe('small');
    await acknowledge(sub, got);
    await sub.disconnect();
    const again = await client5(broker, session);
    await again.nothingFor(400);
  });
});
