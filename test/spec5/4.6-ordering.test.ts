// Test whether messages from one publisher reach a subscriber in the order they were published, whatever their QoS, on non-shared subscriptions (MQTT 5.0 section 4.6).
import { describe, expect, it } from 'vitest';
import { acknowledge, nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, publish5 } from '../support/v5.js';

const broker = specBroker({}, { concurrent: true });

describe.concurrent('section 4.6: message ordering', () => {
  it('[MQTT-4.6.0-5] [MQTT-4.6.0-6] messages on one topic arrive in the order published, for each QoS and across QoS', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 2);
    const pub = await client5(broker);
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const qos = (i % 3) as 0 | 1 | 2;
      sent.push(`${i}`);
      await publish5(pub, topic, `${i}`, { qos });
    }
    const got: string[] = [];
    for (let i = 0; i < 30; i++) {
      const p = await nextPublish(sub);
      got.push(text(p));
      await acknowledge(sub, p);
    }
    expect(got).toEqual(sent);
  });
  it('[MQTT-4.6.0-6] a resumed session gets what was queued in the order published, after what it had not acknowledged', async () => {
    const clientId = uniqueId();
    const session = { clientId, clean: false, properties: { sessionExpiryInterval: 60 } };
    const topic = uniqueTopic();
    const sub = await client5(broker, session);
    await subscribe(sub, topic, 1);
    const pub = await client5(broker);
    await publish5(pub, topic, 'a', { qos: 1 });
    await nextPublish(sub); // not acknowledged
    sub.destroy();
    for (const m of ['b', 'c', 'd']) await publish5(pub, topic, m, { qos: 1 });
    const again = await client5(broker, session);
    const got: string[] = [];
    for (let i = 0; i < 4; i++) {
      const p = await nextPublish(again);
      got.push(text(p));
      await acknowledge(again, p);
    }
    expect(got).toEqual(['a', 'b', 'c', 'd']);
  });
});
