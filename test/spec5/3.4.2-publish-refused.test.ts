// Test whether a publish the server refuses (its quota is reached) gets a PUBACK or PUBREC with reason code 0x97, a QoS 0 one DISCONNECT 0x97, and whether the packet id of a refused QoS 2 message is free again (MQTT 5.0 sections 3.4.2.1, 3.5.2.1 and 4.3.3).
import { describe, expect, it } from 'vitest';
import { uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, expectDisconnect, frame, publish5, str } from '../support/v5.js';

// 64 bytes of retained payload fill the quota (the usage is sampled every 100 ms)
const broker = specBroker({ quotaStateBytes: 64 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('publishes refused at the quota', () => {
  it('[MQTT-3.4.2-1] [MQTT-3.5.2-1] [MQTT-4.3.3-9] 0x97 in PUBACK and PUBREC; once room is made, the refused QoS 2 packet id is a new message', async () => {
    const filler = uniqueTopic();
    const client = await client5(broker);
    await publish5(client, filler, 'x'.repeat(200), { qos: 1, retain: true });
    await sleep(400);
    expect(await publish5(client, uniqueTopic(), 'one', { qos: 1 })).toBe(0x97);
    client.sendBytes(frame('34', `${str(uniqueTopic())} 0042 00 61`));
    expect(await client.nextOf('pubrec', 0x42)).toMatchObject({ reasonCode: 0x97 });
    // [MQTT-4.4.0-2] the flow ends there: no PUBREL is owed; clearing the retained message frees room
    await publish5(client, filler, '', { qos: 1, retain: true });
    await sleep(400);
    client.sendBytes(frame('34', `${str(uniqueTopic())} 0042 00 61`));
    expect((await client.nextOf('pubrec', 0x42)).reasonCode ?? 0).toBe(0);
  });
  it('section 3.14.2.1: a QoS 0 PUBLISH at the quota gets DISCONNECT 0x97 (no ack can carry the code)', async () => {
    const filler = uniqueTopic();
    const client = await client5(broker);
    await publish5(client, filler, 'x'.repeat(200), { qos: 1, retain: true });
    await sleep(400);
    await publish5(client, uniqueTopic(), 'zero');
    await expectDisconnect(client, 0x97);
    await publish5(await client5(broker), filler, '', { qos: 1, retain: true });
  });
});
