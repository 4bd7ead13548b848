// Test whether the broker keeps and publishes a 5.0 client's will as sections 3.1.2.5 and 3.1.3.2 say: on an abnormal close, after the Will Delay Interval or when the session ends (whichever comes first), not when the client comes back in time, with its properties forwarded in order (MQTT 5.0 sections 3.1.2.5-3.1.2.7 and 3.1.3.2).
import type { IConnectPacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, connectFrame, props, str } from '../support/v5.js';

const broker = specBroker({ dutyIntervalMs: 100 }, { concurrent: true });
type Will = NonNullable<IConnectPacket['will']>;

/** A watcher on a new topic, and a 5.0 client whose will goes there. */
async function withWill(will: Partial<Will> = {}, over: Partial<IConnectPacket> = {}) {
  const topic = uniqueTopic();
  const watcher = await client5(broker);
  await subscribe(watcher, topic, 2);
  const client = await client5(broker, {
    will: { topic, payload: Buffer.from('gone'), qos: 1, retain: false, ...will },
    ...over,
  });
  return { topic, watcher, client };
}
const delayed = (seconds: number): Partial<Will> => ({ properties: { willDelayInterval: seconds } });
const expiry = (seconds: number, clientId = uniqueId()): Partial<IConnectPacket> => ({
  clientId,
  clean: false,
  properties: { sessionExpiryInterval: seconds },
});

describe.concurrent(
  '[MQTT-3.1.2-7] [MQTT-3.1.2-8] the will is kept with the session and published on an abnormal close',
  () => {
    it('[MQTT-3.1.2-8] dropping the connection publishes the will at once (no delay)', async () => {
      const { watcher, client } = await withWill();
      client.destroy();
      expect(text(await nextPublish(watcher))).toBe('gone');
    });
    it('[MQTT-3.1.2-14] Will Retain 0: published as a non-retained message', async () => {
      const { topic, client } = await withWill({ retain: false });
      client.destroy();
      const later = await client5(broker);
      await new Promise((r) => setTimeout(r, 300));
      await subscribe(later, topic, 1);
      await later.nothingFor(300);
    });
    it('[MQTT-3.1.2-15] Will Retain 1: published as a retained message', async () => {
      const { topic, watcher, client } = await withWill({ retain: true });
      client.destroy();
      await nextPublish(watcher);
      const later = await client5(broker);
      await subscribe(later, topic, 1);
      const got = await nextPublish(later);
      expect([text(got), got.retain]).toEqual(['gone', true]);
    });
    it('[MQTT-3.1.2-8] a keep-alive timeout publishes the will (Paho test_will_message)', async () => {
      const { watcher } = await withWill({}, { keepalive: 1 });
      expect(text(await nextPublish(watcher, 4000))).toBe('gone');
    });
    it('[MQTT-3.1.2-8] a session taken over by a new connection: a will without delay is published', async () => {
      const clientId = uniqueId();
      const { watcher } = await withWill({}, { clientId });
      await client5(broker, { clientId });
      expect(text(await nextPublish(watcher))).toBe('gone');
    });
  },
);

describe.concurrent('section 3.1.3.2.2: Will Delay Interval', () => {
  it('[MQTT-3.1.2-8] the will waits for its delay (2 s) when the session lasts longer', async () => {
    const { watcher, client } = await withWill(delayed(2), expiry(60));
    client.destroy();
    await watcher.nothingFor(1200);
    expect(text(await nextPublish(watcher, 4000))).toBe('gone');
  });
  it('[MQTT-3.1.2-8] the will is published when the session ends (1 s) before the delay (30 s) passes', async () => {
    const { watcher, client } = await withWill(delayed(30), expiry(1));
    client.destroy();
    expect(text(await nextPublish(watcher, 4000))).toBe('gone');
  });
  it('[MQTT-3.1.2-8] a session that ends with the connection (expiry 0) publishes the will at once, whatever the delay', async () => {
    const { watcher, client } = await withWill(delayed(30), expiry(0));
    client.destroy();
    expect(text(await nextPublish(watcher, 1500))).toBe('gone');
  });
  it('[MQTT-3.1.3-9] a new connection for the session before the delay passes: the will is not published', async () => {
    const clientId = uniqueId();
    const { watcher, client } = await withWill(delayed(2), expiry(60, clientId));
    client.destroy();
    await client5(broker, expiry(60, clientId));
    await watcher.nothingFor(3000);
  });
  it('[MQTT-3.1.2-8] a new connection with Clean Start 1 ends the session: a will waiting for its delay is published at once', async () => {
    const clientId = uniqueId();
    const { watcher, client } = await withWill(delayed(30), expiry(60, clientId));
    client.destroy();
    await watcher.nothingFor(300);
    await client5(broker, { clientId, clean: true });
    expect(text(await nextPublish(watcher, 1500))).toBe('gone');
  });
  it('[MQTT-3.1.2-8] a connection taken over with Clean Start 1: its delayed will is published (the session ends)', async () => {
    const clientId = uniqueId();
    const { watcher } = await withWill(delayed(30), expiry(60, clientId));
    await client5(broker, { clientId, clean: true });
    expect(text(await nextPublish(watcher, 1500))).toBe('gone');
  });
  it('[MQTT-3.1.3-9] a connection taken over by one resuming the session: its delayed will is not published', async () => {
    const clientId = uniqueId();
    const { watcher } = await withWill(delayed(2), expiry(60, clientId));
    await client5(broker, expiry(60, clientId));
    await watcher.nothingFor(3000);
  });
  it('[MQTT-3.1.2-10] once published, the will is gone: the next abnormal close of the session publishes nothing', async () => {
    const clientId = uniqueId();
    const { watcher, client } = await withWill(delayed(1), expiry(60, clientId));
    client.destroy();
    expect(text(await nextPublish(watcher, 4000))).toBe('gone');
    const again = await client5(broker, expiry(60, clientId));
    again.destroy();
    await watcher.nothingFor(1500);
  });
});

describe.concurrent('section 3.1.3.2: will properties', () => {
  it('[MQTT-3.1.3-10] will properties are forwarded, User Properties in their order', async () => {
    const topic = uniqueTopic();
    const watcher = await client5(broker);
    await subscribe(watcher, topic, 1);
    const pairs = [
      ['z', '1'],
      ['1', 'a'],
      ['z', '2'],
    ]
      .map(([k, v]) => `26 ${str(k!)} ${str(v!)}`)
      .join(' ');
    const willProps = `01 01 03 ${str('text/plain')} 08 ${str('reply')} 09 ${str('cd')} ${pairs}`;
    const client = await broker.open(5);
    client.sendBytes(
      connectFrame('0E', props(), uniqueId(), `${props(willProps)} ${str(topic)} ${str('bye')}`),
    );
    expect((await client.next()).cmd).toBe('connack');
    client.destroy();
    const got = await watcher.nextFrame();
    expect(got.bytes.toString('hex')).toContain(
      Buffer.from(pairs.replace(/\s+/g, ''), 'hex').toString('hex'),
    );
    expect(got.packet).toMatchObject({
      properties: { payloadFormatIndicator: true, contentType: 'text/plain', responseTopic: 'reply' },
    });
  });
  it("section 3.1.3.2.4: a will's Message Expiry Interval is its published message's", async () => {
    const { watcher, client } = await withWill({ properties: { messageExpiryInterval: 60 } });
    client.destroy();
    const got = await nextPublish(watcher);
    expect(got.properties?.messageExpiryInterval).toBeGreaterThan(55);
  });
});
