// Test whether CONNACK is the server's first and only CONNACK, carries Session Present and reason codes as section 3.2 says, and announces the server's limits and keep-alive in its properties (MQTT 5.0 section 3.2).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { subscribe, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, connect5, connectFrame, expectDisconnect, open5, props, str } from '../support/v5.js';

const broker = specBroker(
  {
    maxKeepAlive: 60,
    receiveMaximum: 50,
    maxPacketSize: 4096,
    topicAliasMaximum: 8,
  },
  { concurrent: true },
);
const persistent = { properties: { sessionExpiryInterval: 60 } };

describe.concurrent('section 3.2.0', () => {
  it('[MQTT-3.2.0-1] CONNACK 0x00 comes first, even when SUBSCRIBE and PINGREQ follow CONNECT in one write', async () => {
    const client = await broker.open(5);
    const bytes = [
      connect5(),
      { cmd: 'subscribe' as const, messageId: 1, subscriptions: [{ topic: uniqueTopic(), qos: 1 as const }] },
      { cmd: 'pingreq' as const },
    ].map((p) => mqttPacket.generate(p, { protocolVersion: 5 }));
    client.sendBytes(Buffer.concat(bytes));
    expect(await client.next()).toMatchObject({ cmd: 'connack', reasonCode: 0 });
    expect([(await client.next()).cmd, (await client.next()).cmd].sort()).toEqual(['pingresp', 'suback']);
  });
  it('[MQTT-3.2.0-2] the server sends one CONNACK: a second CONNECT gets DISCONNECT 0x82, not a CONNACK', async () => {
    const client = await client5(broker);
    client.send(connect5());
    await expectDisconnect(client, 0x82);
  });
});

describe.concurrent('section 3.2.2.1: Connect Acknowledge Flags', () => {
  it('[MQTT-3.2.2-1] bits 7-1 are 0', async () => {
    const client = await broker.open(5);
    client.send(connect5({ clientId: uniqueId(), clean: false, ...persistent }));
    expect((await client.nextFrame()).bytes[2]! & 0xfe).toBe(0);
  });
  it('[MQTT-3.2.2-2] Clean Start 1: Session Present 0, even when a session existed', async () => {
    const clientId = uniqueId();
    const first = await client5(broker, { clientId, clean: false, ...persistent });
    await subscribe(first, uniqueTopic(), 1);
    await first.disconnect();
    expect((await open5(broker, { clientId, clean: true, ...persistent })).connack.sessionPresent).toBe(
      false,
    );
  });
  it('[MQTT-3.2.2-3] Clean Start 0 with session state: Session Present 1; without: 0', async () => {
    const clientId = uniqueId();
    const first = await open5(broker, { clientId, clean: false, ...persistent });
    expect(first.connack.sessionPresent).toBe(false);
    await first.client.disconnect();
    expect((await open5(broker, { clientId, clean: false, ...persistent })).connack.sessionPresent).toBe(
      true,
    );
  });
  it('[MQTT-3.2.2-6] [MQTT-3.2.2-7] a refusing CONNACK has Session Present 0 (a session existed) and the connection closes', async () => {
    const clientId = uniqueId();
    const first = await client5(broker, { clientId, clean: false, ...persistent });
    await first.disconnect();
    const client = await broker.open(5);
    client.sendBytes(connectFrame('00', props(`15 ${str('GS2-KRB5')}`), clientId));
    expect((await client.nextFrame()).bytes.toString('hex')).toBe('2003008c00');
    expect(await client.closed()).toEqual([]);
  });
});

describe.concurrent('section 3.2.2.2: Connect Reason Code', () => {
  it('[MQTT-3.2.2-8] reason codes the server sends are CONNACK reason codes (0x00, 0x81, 0x82, 0x85, 0x8C seen here)', async () => {
    const codes = new Set([
      0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99,
      0x9a, 0x9b, 0x9c, 0x9d, 0x9f,
    ]);
    for (const bytes of [
      connectFrame('02', props(), uniqueId()),
      connectFrame('02', props('21 0000'), 'p'),
      connectFrame('02', props('23 0001'), 'p'),
      connectFrame('02', props(), 'x'.repeat(300)),
      connectFrame('02', props(`15 ${str('X')}`), 'p'),
    ]) {
      const client = await broker.open(5);
      client.sendBytes(bytes);
      const connack = await client.expect('connack');
      expect(codes.has(connack.reasonCode ?? -1)).toBe(true);
    }
  });
});

describe.concurrent('section 3.2.2.3: CONNACK properties', () => {
  it('announces Receive Maximum, Maximum Packet Size, Topic Alias Maximum and shared subscriptions; no Maximum QoS or Retain Available (both supported)', async () => {
    const { connack } = await open5(broker);
    expect(connack.properties).toMatchObject({
      receiveMaximum: 50,
      maximumPacketSize: 4096,
      topicAliasMaximum: 8,
      sharedSubscriptionAvailable: true,
    });
    expect(connack.properties?.maximumQoS).toBeUndefined(); // [MQTT-3.2.2-9]: only when QoS 1 or 2 is not supported
    expect(connack.properties?.retainAvailable).toBeUndefined();
  });
  it('[MQTT-3.2.2-10] a server supporting QoS 2 accepts SUBSCRIBE at QoS 0, 1 and 2 and grants them', async () => {
    const client = await client5(broker);
    expect(
      await subscribe(client, [
        [uniqueTopic(), 0],
        [uniqueTopic(), 1],
        [uniqueTopic(), 2],
      ]),
    ).toEqual([0, 1, 2]);
  });
  it('[MQTT-3.2.2-12] [MQTT-3.2.2-13] a will at QoS 2 with Will Retain 1 is accepted (both supported)', async () => {
    await open5(broker, { will: { topic: uniqueTopic(), payload: Buffer.from('w'), qos: 2, retain: true } });
  });
  it("section 3.2.2.3.2: no Session Expiry Interval in CONNACK when the server uses the client's", async () => {
    const { connack } = await open5(broker, persistent);
    expect(connack.properties?.sessionExpiryInterval).toBeUndefined();
  });
  it('[MQTT-3.2.2-16] two clients with a zero-length client id get different Assigned Client Identifiers', async () => {
    const a = (await open5(broker, { clientId: '' })).connack.properties?.assignedClientIdentifier;
    const b = (await open5(broker, { clientId: '' })).connack.properties?.assignedClientIdentifier;
    expect(a).toBeTruthy();
    expect(a).not.toBe(b);
  });
  it('[MQTT-3.2.2-19] [MQTT-3.2.2-20] CONNACK carries no Reason String and no User Property', async () => {
    const { connack } = await open5(broker, { properties: { requestProblemInformation: true } });
    expect(connack.properties?.reasonString).toBeUndefined();
    expect(connack.properties?.userProperties).toBeUndefined();
  });
  it('[MQTT-3.1.2-28] no Response Information, whether requested or not', async () => {
    for (const requestResponseInformation of [false, true]) {
      const { connack } = await open5(broker, { properties: { requestResponseInformation } });
      expect(connack.properties?.responseInformation).toBeUndefined();
    }
  });
  it('[MQTT-4.12.0-6] no Authentication Method in CONNACK when the client sent none', async () => {
    const { connack } = await open5(broker);
    expect(connack.properties?.authenticationMethod).toBeUndefined();
  });
});

describe.concurrent('section 3.2.2.3.14: Server Keep Alive (the server allows at most 60 s here)', () => {
  it('[MQTT-3.2.2-21] a keep-alive above the maximum gets Server Keep Alive 60 (Paho test_server_keep_alive)', async () => {
    expect((await open5(broker, { keepalive: 120 })).connack.properties?.serverKeepAlive).toBe(60);
  });
  it('[MQTT-3.2.2-21] no keep-alive (0) gets Server Keep Alive 60 too', async () => {
    expect((await open5(broker, { keepalive: 0 })).connack.properties?.serverKeepAlive).toBe(60);
  });
  it("[MQTT-3.2.2-22] a keep-alive within the maximum: no Server Keep Alive, and the client's value is used", async () => {
    const { client, connack } = await open5(broker, { keepalive: 1 });
    expect(connack.properties?.serverKeepAlive).toBeUndefined();
    // [MQTT-3.1.2-22] nothing for 1.5 x 1 s: DISCONNECT 0x8D (Keep Alive timeout), then close
    await expectDisconnect(client, 0x8d, 4000);
  });
});
