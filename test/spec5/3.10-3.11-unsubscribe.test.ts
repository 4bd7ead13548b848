// Test whether UNSUBSCRIBE removes exactly the subscriptions it names and UNSUBACK answers it with one valid reason code per filter (0x00 or 0x11), in order (MQTT 5.0 sections 3.10 and 3.11).
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { nextId, nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, publish5, str } from '../support/v5.js';

const broker = specBroker();

const disconnects = (bytes: string, rc: string) => () =>
  broker.bytes({ name: bytes, version: 5, steps: [send(bytes), recv(`E0 01 ${rc}`)] });

/** UNSUBSCRIBE and its UNSUBACK's reason codes. */
async function unsubscribe5(
  client: Awaited<ReturnType<typeof client5>>,
  filters: string[],
): Promise<number[]> {
  const messageId = nextId(client);
  client.send({ cmd: 'unsubscribe', messageId, unsubscriptions: filters });
  return (await client.nextOf('unsuback', messageId)).granted;
}

describe('section 3.10: UNSUBSCRIBE format', () => {
  for (const first of ['A0', 'A3', 'A4', 'AA']) {
    it(
      `[MQTT-3.10.1-1] first byte 0x${first}: DISCONNECT 0x81`,
      disconnects(frame(first, `0001 00 ${str('t')}`), '81'),
    );
  }
  it(
    '[MQTT-3.10.3-1] ill-formed UTF-8 in a filter: DISCONNECT 0x81',
    disconnects(frame('A2', '0001 00 0003 61EDA080'), '81'),
  );
  it(
    '[MQTT-3.10.3-2] no filter: "an UNSUBSCRIBE packet with no Payload is a Protocol Error", DISCONNECT 0x82',
    disconnects(frame('A2', '0001 00'), '82'),
  );
  it(
    '[MQTT-4.7.1-1] a filter breaking the wildcard rules: DISCONNECT 0x81 (as Mosquitto)',
    disconnects(frame('A2', `0001 00 ${str('a/#/b')}`), '81'),
  );
  it('section 2.2.1: packet id 0: DISCONNECT 0x82', disconnects(frame('A2', `0000 00 ${str('t')}`), '82'));
});

describe('section 3.10.4 and 3.11: UNSUBSCRIBE actions and UNSUBACK', () => {
  it('[MQTT-3.10.4-1] [MQTT-3.10.4-2] filters are compared character by character: only the exact one stops delivery', async () => {
    const base = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, [
      [`${base}/+`, 0],
      [`${base}/a`, 0],
    ]);
    expect(await unsubscribe5(sub, [`${base}/A`, `${base}/a`])).toEqual([0x11, 0x00]);
    await publish5(await client5(broker), `${base}/a`, 'still');
    expect(text(await nextPublish(sub))).toBe('still'); // through "+", once
    await sub.nothingFor(300);
  });
  it('[MQTT-3.10.4-4] [MQTT-3.10.4-5] [MQTT-2.2.1-6] UNSUBACK with the same packet id, also when nothing was subscribed (0x11)', () =>
    broker.bytes({
      name: 'unsuback',
      version: 5,
      then: 'open',
      steps: [send(frame('A2', `4321 00 ${str('none')}`)), recv('B0 04 4321 00 11')],
    }));
  it('[MQTT-3.10.4-6] [MQTT-3.11.3-1] [MQTT-3.11.3-2] several filters: one UNSUBACK, one code each, in order', async () => {
    const [a, b, c] = [uniqueTopic(), uniqueTopic(), uniqueTopic()];
    const sub = await client5(broker);
    await subscribe(sub, [
      [a, 1],
      [c, 1],
    ]);
    expect(await unsubscribe5(sub, [a, b, c])).toEqual([0x00, 0x11, 0x00]);
  });
  it('[MQTT-3.10.4-3] a QoS 1 message sent before UNSUBSCRIBE is still completed', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 1);
    await publish5(await client5(broker), topic, 'in flight', { qos: 1 });
    const got = await nextPublish(sub);
    expect(await unsubscribe5(sub, [topic])).toEqual([0]);
    sub.send({ cmd: 'puback', messageId: got.messageId! });
    await sub.ping(); // still connected: the PUBACK was taken
  });
  it('[MQTT-3.11.2-1] [MQTT-3.11.2-2] UNSUBACK carries no Reason String or User Property', () =>
    broker.bytes({
      name: 'no props',
      version: 5,
      then: 'open',
      steps: [send(frame('A2', `0009 00 ${str('x')} ${str('y')}`)), recv('B0 05 0009 00 11 11')],
    }));
});
