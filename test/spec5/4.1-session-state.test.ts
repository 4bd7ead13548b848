// Test whether sessions live as long as the Session Expiry Interval says (section 3.1.2.11.2, 4.1): kept while connected, kept after the connection for the interval, gone after it or at once when it is 0, and what they hold (subscriptions, queued messages) (MQTT 5.0 sections 4.1 and 3.1.2.11.2).
import { describe, expect, it } from 'vitest';
import { acknowledge, nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, open5, publish5 } from '../support/v5.js';

const broker = specBroker({ dutyIntervalMs: 100 }, { concurrent: true });
// a leader whose duties (removing expired sessions) do not run during the test
const idle = specBroker({ dutyIntervalMs: 60_000 }, { concurrent: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const resume = (clientId: string, seconds?: number) => ({
  clientId,
  clean: false,
  ...(seconds !== undefined ? { properties: { sessionExpiryInterval: seconds } } : {}),
});

describe.concurrent('section 3.1.2.11.2: Session Expiry Interval', () => {
  it('[MQTT-3.1.2-23] absent or 0: the session ends with the connection', async () => {
    for (const properties of [{}, { sessionExpiryInterval: 0 }]) {
      const clientId = uniqueId();
      const first = await client5(broker, { clientId, clean: false, properties });
      await subscribe(first, uniqueTopic(), 1);
      await first.disconnect();
      expect((await open5(broker, resume(clientId))).connack.sessionPresent).toBe(false);
    }
  });
  it('[MQTT-3.1.2-23] [MQTT-4.1.0-2] kept for the interval (1 s) after the connection closes, then discarded', async () => {
    const clientId = uniqueId();
    const first = await client5(broker, resume(clientId, 1));
    await subscribe(first, uniqueTopic(), 1);
    await first.disconnect();
    const again = await open5(broker, resume(clientId, 1));
    expect(again.connack.sessionPresent).toBe(true);
    await again.client.disconnect();
    await sleep(1500);
    expect((await open5(broker, resume(clientId, 1))).connack.sessionPresent).toBe(false);
  });
  it('[MQTT-4.1.0-2] a session past its expiry is gone for a CONNECT even before the server removes it', async () => {
    const clientId = uniqueId();
    const first = await client5(idle, resume(clientId, 1));
    await first.disconnect();
    await sleep(1300);
    expect((await open5(idle, resume(clientId, 1))).connack.sessionPresent).toBe(false);
  });
  it('[MQTT-4.1.0-1] the session is not discarded while the connection is open, however long (interval 1 s)', async () => {
    const clientId = uniqueId();
    const topic = uniqueTopic();
    const client = await client5(broker, resume(clientId, 1));
    await subscribe(client, topic, 1);
    await sleep(1800);
    await publish5(await client5(broker), topic, 'still here', { qos: 1 });
    expect(text(await nextPublish(client))).toBe('still here');
  });
  it('section 3.1.2.11.2: 0xFFFFFFFF: the session never expires (kept here past a short wait)', async () => {
    const clientId = uniqueId();
    const first = await client5(broker, resume(clientId, 0xffffffff));
    await first.disconnect();
    await sleep(500);
    expect((await open5(broker, resume(clientId))).connack.sessionPresent).toBe(true);
  });
  it('section 3.1.2.11.2: the interval of the latest CONNECT counts (60 then 0: gone at the close)', async () => {
    const clientId = uniqueId();
    await (await client5(broker, resume(clientId, 60))).disconnect();
    const second = await open5(broker, resume(clientId, 0));
    expect(second.connack.sessionPresent).toBe(true);
    await second.client.disconnect();
    expect((await open5(broker, resume(clientId))).connack.sessionPresent).toBe(false);
  });
});

describe.concurrent('section 4.1: session state', () => {
  it('[MQTT-4.5.0-1] QoS 1 and 2 messages for a disconnected session are kept and delivered on resume (Paho test_offline_message_queueing)', async () => {
    const clientId = uniqueId();
    const base = uniqueTopic();
    const sub = await client5(broker, resume(clientId, 60));
    await subscribe(sub, `${base}/+`, 2);
    await sub.disconnect();
    const pub = await client5(broker);
    for (const qos of [0, 1, 2] as const) await publish5(pub, `${base}/${qos}`, `qos ${qos}`, { qos });
    const again = await client5(broker, resume(clientId, 60));
    const got: string[] = [];
    for (;;) {
      const next = await nextPublish(again, 1000).catch(() => null);
      if (next === null) break;
      got.push(text(next));
      await acknowledge(again, next);
    }
    expect(got).toEqual(['qos 1', 'qos 2']); // QoS 0 is not kept for an absent client (a choice; Paho accepts 2 or 3)
  });
});
