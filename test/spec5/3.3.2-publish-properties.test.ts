// Test whether the broker forwards the MQTT 5.0 PUBLISH properties as section 3.3.2.3 says: Payload Format Indicator, Message Expiry Interval (counted down, expired copies dropped), Response Topic, Correlation Data, User Properties in order, Content Type, and the Subscription Identifiers of the matching subscriptions (MQTT 5.0 sections 3.3.2.3 and 3.3.4).
import type { IPublishPacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { acknowledge, nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, props, publish5, str, subscribe5 } from '../support/v5.js';

const broker = specBroker({}, { concurrent: true });
const persistent = { clean: false, properties: { sessionExpiryInterval: 60 } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A subscriber on a new topic at QoS 2, and a publisher. */
async function pair(options: { id?: number } = {}) {
  const topic = uniqueTopic();
  const sub = await client5(broker);
  await subscribe5(sub, topic, { qos: 2, ...options });
  return { topic, sub, pub: await client5(broker) };
}

describe.concurrent('section 3.3.2.3: properties forwarded unaltered', () => {
  it('[MQTT-3.3.2-4] the Payload Format Indicator (1 and 0) reaches subscribers as sent', async () => {
    const { topic, sub, pub } = await pair();
    await publish5(pub, topic, 'text', { properties: { payloadFormatIndicator: true } });
    await publish5(pub, topic, 'bytes', { properties: { payloadFormatIndicator: false } });
    expect((await nextPublish(sub)).properties?.payloadFormatIndicator).toBe(true);
    expect((await nextPublish(sub)).properties?.payloadFormatIndicator).toBe(false);
  });
  it('[MQTT-3.3.2-15] [MQTT-3.3.2-16] Response Topic and Correlation Data reach subscribers as sent', async () => {
    const { topic, sub, pub } = await pair();
    const correlationData = Buffer.from([0, 1, 0xff, 0]);
    await publish5(pub, topic, 'q', { qos: 1, properties: { responseTopic: 'reply/here', correlationData } });
    const got = await nextPublish(sub);
    expect(got.properties?.responseTopic).toBe('reply/here');
    expect(got.properties?.correlationData).toEqual(correlationData);
  });
  it('[MQTT-3.3.2-20] the Content Type reaches subscribers as sent', async () => {
    const { topic, sub, pub } = await pair();
    await publish5(pub, topic, '{}', {
      qos: 2,
      properties: { contentType: 'application/json; charset=utf-8' },
    });
    expect((await nextPublish(sub)).properties?.contentType).toBe('application/json; charset=utf-8');
  });
  it('[MQTT-3.3.2-17] [MQTT-3.3.2-18] User Properties reach subscribers unaltered and in order, repeated and numeric names included', async () => {
    const { topic, sub, pub } = await pair();
    const pairs: [string, string][] = [
      ['b', '1'],
      ['2', 'x'],
      ['b', '3'],
      ['', ''],
      ['a', 'é'],
    ];
    const section = pairs.map(([k, v]) => `26 ${str(k)} ${str(v)}`).join(' ');
    pub.sendBytes(frame('30', `${str(topic)} ${props(section)} 78`));
    const received = (await sub.nextFrame()).bytes.toString('hex');
    expect(received).toContain(props(section).replace(/\s+/g, '').toLowerCase());
  });
  it('[MQTT-3.3.2-17] a subscriber on 3.1.1 gets the message without properties', async () => {
    const topic = uniqueTopic();
    const old = await broker.connect();
    await subscribe(old, topic, 0);
    await publish5(await client5(broker), topic, 'to 3.1.1', { properties: { userProperties: { a: '1' } } });
    const got = await nextPublish(old);
    expect([text(got), got.properties]).toEqual(['to 3.1.1', undefined]);
  });
});

describe.concurrent('section 3.3.2.3.3: Message Expiry Interval', () => {
  it('[MQTT-3.3.2-6] what is sent is the interval minus the time the message waited in the server', async () => {
    const clientId = uniqueId();
    const topic = uniqueTopic();
    const sub = await client5(broker, { clientId, ...persistent });
    await subscribe(sub, topic, 1);
    await sub.disconnect();
    await publish5(await client5(broker), topic, 'waits', {
      qos: 1,
      properties: { messageExpiryInterval: 30 },
    });
    await sleep(1200);
    const again = await client5(broker, { clientId, ...persistent });
    const got = await nextPublish(again);
    expect(got.properties?.messageExpiryInterval).toBeLessThanOrEqual(29);
    expect(got.properties?.messageExpiryInterval).toBeGreaterThan(20);
  });
  it('[MQTT-3.3.2-5] a message whose interval passed before delivery started is not delivered', async () => {
    const clientId = uniqueId();
    const topic = uniqueTopic();
    const sub = await client5(broker, { clientId, ...persistent });
    await subscribe(sub, topic, 1);
    await sub.disconnect();
    const pub = await client5(broker);
    await publish5(pub, topic, 'expires', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await publish5(pub, topic, 'stays', { qos: 1, properties: { messageExpiryInterval: 60 } });
    await sleep(1500);
    const again = await client5(broker, { clientId, ...persistent });
    const got = await nextPublish(again);
    expect(text(got)).toBe('stays');
    await acknowledge(again, got);
    await again.nothingFor(300);
  });
  it('[MQTT-3.3.2-5] an expired retained message is not sent to a new subscriber; an unexpired one is, counted down', async () => {
    const base = uniqueTopic();
    const pub = await client5(broker);
    await publish5(pub, `${base}/short`, 'short', {
      qos: 1,
      retain: true,
      properties: { messageExpiryInterval: 1 },
    });
    await publish5(pub, `${base}/long`, 'long', {
      qos: 1,
      retain: true,
      properties: { messageExpiryInterval: 60 },
    });
    await sleep(1500);
    const sub = await client5(broker);
    await subscribe(sub, `${base}/#`, 1);
    const got = await nextPublish(sub);
    expect([text(got), got.retain]).toEqual(['long', true]);
    expect(got.properties?.messageExpiryInterval).toBeLessThanOrEqual(59);
    await acknowledge(sub, got);
    await sub.nothingFor(300);
  });
  it('section 3.3.2.3.3: a message without the property is sent without it', async () => {
    const { topic, sub, pub } = await pair();
    await publish5(pub, topic, 'x', { qos: 1 });
    expect((await nextPublish(sub)).properties?.messageExpiryInterval).toBeUndefined();
  });
});

describe.concurrent('section 3.3.4: Subscription Identifiers', () => {
  it('[MQTT-3.3.4-3] [MQTT-3.3.4-4] one copy for overlapping subscriptions carries the identifiers of all of them', async () => {
    const base = uniqueTopic();
    const sub = await client5(broker);
    await subscribe5(sub, `${base}/+`, { qos: 1, id: 2 });
    await subscribe5(sub, `${base}/#`, { qos: 1, id: 3 });
    await subscribe5(sub, `${base}/x`, { qos: 1 }); // no identifier
    await publish5(await client5(broker), `${base}/x`, 'ids', { qos: 1 });
    const got = await nextPublish(sub);
    const ids = got.properties?.subscriptionIdentifier;
    expect((Array.isArray(ids) ? ids : [ids]).sort()).toEqual([2, 3]);
    await sub.nothingFor(300);
  });
  it('[MQTT-3.3.4-3] a large identifier (268,435,455) is returned as given', async () => {
    const { topic, sub, pub } = await pair({ id: 268_435_455 });
    await publish5(pub, topic, 'big');
    expect((await nextPublish(sub)).properties?.subscriptionIdentifier).toBe(268_435_455);
  });
  it("section 3.8.2.1.2: a retained message sent on subscribe carries the subscription's identifier", async () => {
    const topic = uniqueTopic();
    await publish5(await client5(broker), topic, 'kept', { qos: 1, retain: true });
    const sub = await client5(broker);
    await subscribe5(sub, topic, { qos: 1, id: 77 });
    expect((await nextPublish(sub)).properties?.subscriptionIdentifier).toBe(77);
  });
  it('section 3.8.2.1.2: a message matching only a subscription without identifier carries none', async () => {
    const { topic, sub, pub } = await pair();
    await publish5(pub, topic, 'none');
    const got: IPublishPacket = await nextPublish(sub);
    expect(got.properties?.subscriptionIdentifier).toBeUndefined();
  });
});
