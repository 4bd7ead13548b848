// Test whether the server handles malformed packets and protocol errors as MQTT 5.0 section 4.13 says: DISCONNECT with 0x81 or 0x82 (CONNACK before CONNACK), then a close, the will published; a packet larger than its Maximum Packet Size gets 0x95; Request Problem Information 0 changes nothing it sends (MQTT 5.0 section 4.13).
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { hex } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, expectDisconnect, frame, open5, publish5, str, vbi } from '../support/v5.js';

const broker = specBroker({ maxPacketSize: 1024 });

async function withWill() {
  const topic = uniqueTopic();
  const watcher = await client5(broker);
  await subscribe(watcher, topic, 1);
  const client = await client5(broker, {
    will: { topic, payload: Buffer.from('will'), qos: 1, retain: false },
  });
  return { watcher, client };
}

describe('section 4.13.1: malformed packets and protocol errors', () => {
  it('[MQTT-4.13.1-1] a malformed packet (bad Remaining Length) gets DISCONNECT 0x81, then close', () =>
    broker.bytes({ name: 'length', version: 5, steps: [send('30 FF FF FF FF 7F'), recv('E0 01 81')] }));
  it('[MQTT-4.13.1-1] a protocol error (CONNACK from a client) gets DISCONNECT 0x82, then close', () =>
    broker.bytes({ name: 'connack', version: 5, steps: [send('20 03 00 00 00'), recv('E0 01 82')] }));
  it('[MQTT-4.13.1-1] [MQTT-3.1.2-8] the will is published after a close for an error', async () => {
    const { watcher, client } = await withWill();
    client.sendBytes('20 03 00 00 00');
    await expectDisconnect(client, 0x82);
    expect(text(await nextPublish(watcher))).toBe('will');
  });
  it('[MQTT-4.13.1-1] nothing after a malformed packet in the same write is processed', async () => {
    const topic = uniqueTopic();
    const watcher = await client5(broker);
    await subscribe(watcher, topic, 0);
    const client = await client5(broker);
    client.sendBytes(Buffer.concat([hex('C0 01 00'), hex(frame('30', `${str(topic)} 00 78`))]));
    await expectDisconnect(client, 0x81);
    await watcher.nothingFor(300);
  });
});

describe('section 4.13.2: errors with reason codes of 0x80 or more', () => {
  it("[MQTT-4.13.2-1] a packet larger than the server's Maximum Packet Size (1024) gets DISCONNECT 0x95, then close", async () => {
    const { client, connack } = await open5(broker);
    expect(connack.properties?.maximumPacketSize).toBe(1024);
    const body = Buffer.concat([hex(str('t')), Buffer.from([0]), Buffer.alloc(1100)]);
    client.sendBytes(Buffer.concat([Buffer.from([0x30]), vbi(body.length), body]));
    await expectDisconnect(client, 0x95);
  });
  it('[MQTT-4.13.2-1] a refusing CONNACK (0x80 or more) is followed by a close', () =>
    broker.bytes({
      name: 'refused',
      version: 5,
      connect: false,
      steps: [send(frame('10', `0004 4D515454 05 02 000A 03 210000 ${str('p')}`)), recv('20 03 00 82 00')],
    }));
});

describe('[MQTT-3.1.2-29] Request Problem Information 0', () => {
  it('[MQTT-3.1.2-29] no Reason String or User Property on SUBACK, UNSUBACK, PUBACK, PUBREC, PUBREL or PUBCOMP (none is ever sent)', async () => {
    const topic = uniqueTopic();
    const client = await client5(broker, { properties: { requestProblemInformation: false } });
    await subscribe(client, [
      [topic, 2],
      ['test/nosubscribe', 0],
    ]);
    await publish5(client, topic, 'x', { qos: 1 });
    await publish5(client, topic, 'y', { qos: 2 });
    client.send({ cmd: 'unsubscribe', messageId: 99, unsubscriptions: [topic] });
    client.send({ cmd: 'pubrel', messageId: 1234 });
    await client.nextOf('pubcomp', 1234);
    for (const f of client.received) {
      const props = (f.packet as { properties?: { reasonString?: string; userProperties?: unknown } })
        .properties;
      expect([f.packet.cmd, props?.reasonString, props?.userProperties]).toEqual([
        f.packet.cmd,
        undefined,
        undefined,
      ]);
    }
  });
  it('[MQTT-3.1.2-29] a DISCONNECT for an error still says why with its reason code', async () => {
    const client = await client5(broker, { properties: { requestProblemInformation: false } });
    client.sendBytes('F0 00');
    await expectDisconnect(client, 0x82);
  });
});
