// Test whether DISCONNECT works both ways as MQTT 5.0 section 3.14 says: the server's DISCONNECT only after CONNACK, with a valid reason code and no properties, then a close; the client's reason code decides the will; the client may change the session expiry on it, but not from 0 (MQTT 5.0 section 3.14).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, connect5, expectDisconnect, frame, open5, props, str } from '../support/v5.js';

const broker = specBroker({}, { concurrent: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A watcher on a new topic, and a 5.0 client whose will goes there. */
async function withWill(over: Parameters<typeof client5>[1] = {}) {
  const topic = uniqueTopic();
  const watcher = await client5(broker);
  await subscribe(watcher, topic, 1);
  const client = await client5(broker, {
    will: { topic, payload: Buffer.from('will'), qos: 1, retain: false },
    ...over,
  });
  return { topic, watcher, client };
}

describe.concurrent("the server's DISCONNECT", () => {
  it('[MQTT-3.14.0-1] a malformed packet right after CONNECT (same write) gets CONNACK first, then DISCONNECT 0x81', async () => {
    const client = await broker.open(5);
    client.sendBytes(
      Buffer.concat([mqttPacket.generate(connect5(), { protocolVersion: 5 }), Buffer.from('c00100', 'hex')]),
    );
    expect((await client.next()).cmd).toBe('connack');
    await expectDisconnect(client, 0x81);
  });
  it('[MQTT-3.14.0-1] a refused CONNECT gets a CONNACK, never a DISCONNECT', () =>
    broker.bytes({
      name: 'refused',
      version: 5,
      connect: false,
      steps: [
        send(frame('10', `0004 4D515454 05 02 000A ${props(`15 ${str('x')}`)} ${str('p')}`)),
        recv('20 03 00 8C 00'),
      ],
    }));
  it('[MQTT-3.14.2-1] [MQTT-3.14.2-2] [MQTT-3.14.2-3] [MQTT-3.14.2-4] it is "E0 01" and a DISCONNECT reason code: no Session Expiry Interval, Reason String or User Property', async () => {
    const clientId = uniqueId();
    const first = await client5(broker, { clientId, properties: { sessionExpiryInterval: 60 } });
    await client5(broker, { clientId });
    expect((await first.nextFrame()).bytes.toString('hex')).toBe('e0018e');
  });
  it('[MQTT-3.14.4-1] [MQTT-3.14.4-2] after its DISCONNECT the server sends nothing more and closes the connection', async () => {
    const client = await client5(broker);
    client.sendBytes('C0 01 00');
    await expectDisconnect(client, 0x81);
  });
});

describe.concurrent("section 3.14.1: the client's DISCONNECT format", () => {
  for (const first of ['E1', 'E2', 'E4', 'E8']) {
    it(`[MQTT-3.14.1-1] first byte 0x${first}: DISCONNECT 0x81, and the will is published`, async () => {
      const { watcher, client } = await withWill();
      client.sendBytes(`${first} 00`);
      await expectDisconnect(client, 0x81);
      expect(text(await nextPublish(watcher))).toBe('will');
    });
  }
  it('section 3.14.2: Remaining Length 0 means reason code 0x00: the connection closes, no will', async () => {
    const { watcher, client } = await withWill();
    client.sendBytes('E0 00');
    expect(await client.closed()).toEqual([]);
    await watcher.nothingFor(400);
  });
  it('section 3.14.2.2: Reason String, User Property and Server Reference are accepted from the client', async () => {
    const { watcher, client } = await withWill();
    client.sendBytes(
      frame('E0', `00 ${props(`1F ${str('bye')} 26 ${str('k')} ${str('v')} 1C ${str('elsewhere')}`)}`),
    );
    expect(await client.closed()).toEqual([]);
    await watcher.nothingFor(400);
  });
  it('section 3.14.2.1: a reason code that is not a DISCONNECT reason code closes the connection', async () => {
    const client = await client5(broker);
    client.sendBytes('E0 01 05');
    const packets = await client.closed();
    expect(packets.every((p) => p.cmd === 'disconnect')).toBe(true);
  });
});

describe.concurrent("the will and the client's reason code", () => {
  it('[MQTT-3.14.4-3] reason code 0x00: the will is discarded, not published', async () => {
    const { watcher, client } = await withWill();
    client.sendBytes('E0 01 00');
    await client.closed();
    await watcher.nothingFor(400);
  });
  it('section 3.14.2.1: reason code 0x04 (Disconnect with Will Message): the will is published', async () => {
    const { watcher, client } = await withWill();
    client.sendBytes('E0 01 04');
    await client.closed();
    expect(text(await nextPublish(watcher))).toBe('will');
  });
  it('[MQTT-3.1.2-8] an error reason code (0x80): the will was not deleted, so it is published', async () => {
    const { watcher, client } = await withWill();
    client.sendBytes('E0 01 80');
    await client.closed();
    expect(text(await nextPublish(watcher))).toBe('will');
  });
});

describe.concurrent('section 3.14.2.2.2: Session Expiry Interval on DISCONNECT', () => {
  it('section 3.14.2.2.2: 0 in CONNECT and non-zero on DISCONNECT is a Protocol Error: DISCONNECT 0x82', async () => {
    const client = await client5(broker, { properties: { sessionExpiryInterval: 0 } });
    client.sendBytes(frame('E0', `00 ${props('11 00000005')}`));
    await expectDisconnect(client, 0x82);
  });
  it('section 3.14.2.2.2: 0 on DISCONNECT ends a session that would have lasted', async () => {
    const clientId = uniqueId();
    const client = await client5(broker, { clientId, properties: { sessionExpiryInterval: 60 } });
    await subscribe(client, uniqueTopic(), 1);
    client.sendBytes(frame('E0', `00 ${props('11 00000000')}`));
    await client.closed();
    expect((await open5(broker, { clientId, clean: false })).connack.sessionPresent).toBe(false);
  });
  it('section 3.14.2.2.2: a longer interval on DISCONNECT keeps the session past the one in CONNECT', async () => {
    const clientId = uniqueId();
    const client = await client5(broker, { clientId, properties: { sessionExpiryInterval: 1 } });
    client.sendBytes(frame('E0', `00 ${props('11 0000003C')}`));
    await client.closed();
    await sleep(1800);
    expect((await open5(broker, { clientId, clean: false })).connack.sessionPresent).toBe(true);
  });
});
