// Test whether the timed scenarios of Eclipse Paho's client_test5.py (keep-alive, wills, will delay, session expiry, publication expiry) pass against the broker, each reproduced under its Paho name with Paho's assertions and, where Paho waits long, shorter intervals.
import { describe, expect, it } from 'vitest';
import { nextPublish, subscribe, text } from '../support/flows.js';
import { collect, pahoTopics } from '../support/paho.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, open5, publish5 } from '../support/v5.js';

const broker = specBroker({ dutyIntervalMs: 100 }, { concurrent: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const userProperties = { a: '2', c: '3' };

/** Seconds until the next PUBLISH arrives (bounded). */
async function secondsUntilPublish(client: Awaited<ReturnType<typeof client5>>, ms: number): Promise<number> {
  const start = Date.now();
  await nextPublish(client, ms);
  return (Date.now() - start) / 1000;
}

describe.concurrent('Paho client_test5.py (timed)', () => {
  it('test_will_message: a keep-alive timeout publishes the will, with its user properties in order', async () => {
    const { topics } = pahoTopics();
    const b = await client5(broker);
    await subscribe(b, topics[2]!, 2);
    await client5(broker, {
      keepalive: 1, // Paho: 2
      will: {
        topic: topics[2]!,
        payload: Buffer.from('will message'),
        qos: 0,
        retain: false,
        properties: { willDelayInterval: 0, userProperties },
      },
    });
    const will = await nextPublish(b, 5000);
    expect(Object.entries(will.properties?.userProperties ?? {})).toEqual([
      ['a', '2'],
      ['c', '3'],
    ]);
  });

  it('test_keepalive: a client silent beyond its keep-alive is cut off and its will published', async () => {
    const { topics } = pahoTopics();
    const b = await client5(broker);
    await subscribe(b, topics[4]!, 2);
    await client5(broker, {
      keepalive: 1,
      will: { topic: topics[4]!, payload: Buffer.from('keepalive expiry'), qos: 0, retain: false },
    });
    expect(text(await nextPublish(b, 5000))).toBe('keepalive expiry');
  });

  it('test_will_delay: delay 3 / expiry 5: will after about 3 s; delay 5 / expiry 0: at once; delay 5 / expiry 2: after about 2 s', async () => {
    for (const [delay, expiry, low, high] of [
      [3, 5, 2.5, 5],
      [5, 0, 0, 2],
      [5, 2, 1.5, 4],
    ] as const) {
      const { topics } = pahoTopics();
      const b = await client5(broker);
      await subscribe(b, topics[0]!, 2);
      const { client: a, connack } = await open5(broker, {
        properties: { sessionExpiryInterval: expiry },
        will: {
          topic: topics[0]!,
          payload: Buffer.from('test_will_delay will message'),
          qos: 0,
          retain: false,
          properties: { willDelayInterval: delay },
        },
      });
      expect([connack.reasonCode, connack.sessionPresent]).toEqual([0, false]);
      a.destroy(); // "terminate"
      const seconds = await secondsUntilPublish(b, (high + 1) * 1000);
      expect(seconds).toBeGreaterThanOrEqual(low);
      expect(seconds).toBeLessThanOrEqual(high);
    }
  });

  it('test_session_expiry: 0 ends the session at once; 1 keeps it for a second, not longer; DISCONNECT may lengthen it or end it', async () => {
    const id = uniqueId();
    const { topics } = pahoTopics();
    const connect = async (clean: boolean, sessionExpiryInterval: number) =>
      open5(broker, { clientId: id, clean, properties: { sessionExpiryInterval } });

    let c = await connect(true, 0);
    expect(c.connack.sessionPresent).toBe(false);
    await subscribe(c.client, topics[0]!, 2);
    await c.client.disconnect();
    c = await connect(false, 0);
    expect(c.connack.sessionPresent).toBe(false); // expired at once
    await c.client.disconnect();

    c = await connect(true, 1); // Paho: 5 s, then waits 2 s and 6 s
    await subscribe(c.client, topics[0]!, 2);
    await c.client.disconnect();
    await sleep(400);
    c = await connect(false, 1);
    expect(c.connack.sessionPresent).toBe(true);
    await c.client.disconnect();
    await sleep(1300);
    c = await connect(false, 1);
    expect(c.connack.sessionPresent).toBe(false);
    await c.client.disconnect();

    c = await connect(true, 1);
    await subscribe(c.client, topics[0]!, 2);
    c.client.send({ cmd: 'disconnect', properties: { sessionExpiryInterval: 5 } });
    await c.client.closed();
    await sleep(2000);
    c = await connect(false, 1);
    expect(c.connack.sessionPresent).toBe(true);
    c.client.send({ cmd: 'disconnect', properties: { sessionExpiryInterval: 0 } });
    await c.client.closed();
    c = await connect(false, 1);
    expect(c.connack.sessionPresent).toBe(false);
  });

  it('test_publication_expiry: of messages sent while away, those with expiry 1 are dropped, those with 6 arrive counted down', async () => {
    const { topics } = pahoTopics();
    const id = uniqueId();
    const b = await client5(broker, { clientId: id, properties: { sessionExpiryInterval: 99999 } });
    await subscribe(b, topics[0]!, 2);
    b.send({ cmd: 'disconnect', properties: { sessionExpiryInterval: 999999999 } });
    await b.closed();
    const a = await client5(broker);
    await publish5(a, topics[0]!, 'qos 1 - expire', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await publish5(a, topics[0]!, 'qos 2 - expire', { qos: 2, properties: { messageExpiryInterval: 1 } });
    await publish5(a, topics[0]!, "qos 1 - don't expire", {
      qos: 1,
      properties: { messageExpiryInterval: 6 },
    });
    await publish5(a, topics[0]!, "qos 2 - don't expire", {
      qos: 2,
      properties: { messageExpiryInterval: 6 },
    });
    await sleep(2000); // Paho: 3
    const again = await client5(broker, { clientId: id, clean: false });
    const got = await collect(again);
    expect(got.map(text)).toEqual(["qos 1 - don't expire", "qos 2 - don't expire"]);
    for (const m of got) expect(m.properties?.messageExpiryInterval).toBeLessThan(6);
  });
});
