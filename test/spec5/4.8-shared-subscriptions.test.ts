// Test whether shared subscriptions, which MQTTZoo does not support, are refused as MQTT 5.0 section 4.8.2 allows: Shared Subscription Available 0 in CONNACK, SUBACK 0x9E for a valid shared filter, a Protocol Error for an invalid one or for No Local (MQTT 5.0 section 4.8.2).
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { nextPublish, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, open5, publish5, str, subscribe5 } from '../support/v5.js';

const broker = specBroker();
const disconnects = (bytes: string, rc: string) => () =>
  broker.bytes({ name: bytes, version: 5, steps: [send(bytes), recv(`E0 01 ${rc}`)] });
const sub = (filter: string, options = '00'): string => frame('82', `0001 00 ${str(filter)} ${options}`);

describe('section 4.8.2: shared subscriptions are not supported', () => {
  it('section 3.2.2.3.18: CONNACK says Shared Subscription Available 0', async () => {
    expect((await open5(broker)).connack.properties?.sharedSubscriptionAvailable).toBe(false);
  });
  it('section 4.8.2: a valid shared filter gets SUBACK 0x9E; the other filters of the packet are granted (Paho test_shared_subscriptions expects them supported)', async () => {
    const topic = uniqueTopic();
    const client = await client5(broker);
    expect(
      await subscribe5(client, [
        { topic: `$share/sharename/${topic}`, qos: 2 },
        { topic, qos: 2 },
      ]),
    ).toEqual([0x9e, 2]);
    await publish5(await client5(broker), topic, 'plain');
    expect(text(await nextPublish(client))).toBe('plain');
    await client.nothingFor(300); // the refused shared subscription delivers nothing
  });
  it(
    '[MQTT-4.8.2-1] "$share/" without a share name is a Protocol Error: DISCONNECT 0x82',
    disconnects(sub('$share//t'), '82'),
  );
  it(
    '[MQTT-4.8.2-2] a share name with "+" is a Protocol Error: DISCONNECT 0x82',
    disconnects(sub('$share/+/t'), '82'),
  );
  it(
    '[MQTT-4.8.2-2] a share name not followed by "/" and a filter is a Protocol Error: DISCONNECT 0x82',
    disconnects(sub('$share/p'), '82'),
  );
  it(
    '[MQTT-4.8.2-2] "$share/p/" with an empty filter is a Protocol Error: DISCONNECT 0x82',
    disconnects(sub('$share/p/'), '82'),
  );
  it(
    '[MQTT-4.8.2-2] a share name with "#" breaks the wildcard rules: DISCONNECT 0x81',
    disconnects(sub('$share/#/p'), '81'),
  );
  it(
    '[MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error: DISCONNECT 0x82',
    disconnects(sub('$share/p/t', '04'), '82'),
  );
  it('section 4.8.2: UNSUBSCRIBE of a shared filter never granted gets 0x11', () =>
    broker.bytes({
      name: 'unsub',
      version: 5,
      then: 'open',
      steps: [send(frame('A2', `0002 00 ${str('$share/p/t')}`)), recv('B0 04 0002 00 11')],
    }));
});
