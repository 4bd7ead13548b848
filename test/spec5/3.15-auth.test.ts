// Test whether a broker without enhanced authentication answers AUTH and an Authentication Method as MQTT 5.0 sections 3.15 and 4.12 say: CONNACK 0x8C for a method, DISCONNECT 0x82 for an AUTH, 0x81 for a malformed one, and never an AUTH of its own (MQTT 5.0 sections 3.15 and 4.12).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { nextPublish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { hex, uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, connect5, connectFrame, expectDisconnect, frame, props, str } from '../support/v5.js';

const broker = specBroker();

const afterConnack = (bytes: string, rc: string) => () =>
  broker.bytes({ name: bytes, version: 5, steps: [send(bytes), recv(`E0 01 ${rc}`)] });

describe('section 3.15: AUTH', () => {
  it('[MQTT-3.1.0-1] AUTH as the first packet closes the connection without a reply', () =>
    broker.bytes({ name: 'first', version: 5, connect: false, steps: [send('F0 00')] }));
  it(
    '[MQTT-4.12.0-7] AUTH from a client that sent no Authentication Method is a Protocol Error: DISCONNECT 0x82',
    afterConnack('F0 00', '82'),
  );
  it(
    '[MQTT-4.12.0-7] AUTH 0x18 (Continue authentication) with a method: DISCONNECT 0x82',
    afterConnack(frame('F0', `18 ${props(`15 ${str('SCRAM-SHA-1')}`)}`), '82'),
  );
  it(
    '[MQTT-4.12.1-1] re-authentication (AUTH 0x19) when the connection did not use a method: DISCONNECT 0x82',
    afterConnack(frame('F0', `19 ${props(`15 ${str('SCRAM-SHA-1')}`)}`), '82'),
  );
  it(
    '[MQTT-3.15.1-1] AUTH with flags other than 0 is malformed: DISCONNECT 0x81',
    afterConnack('F1 00', '81'),
  );
  it('[MQTT-3.1.2-30] [MQTT-3.14.0-1] AUTH between CONNECT and CONNACK: CONNACK first, then DISCONNECT 0x82', async () => {
    const client = await broker.open(5);
    client.sendBytes(Buffer.concat([mqttPacket.generate(connect5(), { protocolVersion: 5 }), hex('F0 00')]));
    expect((await client.next()).cmd).toBe('connack');
    await expectDisconnect(client, 0x82);
  });
});

describe('section 4.12: enhanced authentication is not supported', () => {
  it('[MQTT-4.12.0-1] an Authentication Method in CONNECT gets CONNACK 0x8C (Bad authentication method), then close', () =>
    broker.bytes({
      name: 'method',
      version: 5,
      connect: false,
      steps: [
        send(connectFrame('02', props(`15 ${str('unsupported')} 16 ${str('test')}`), uniqueId())),
        recv('20 03 00 8C 00'),
      ],
    }));
  it('[MQTT-4.12.0-1] [MQTT-3.1.4-6] with a will: the will of a refused CONNECT is never published', async () => {
    const topic = uniqueTopic();
    const watcher = await client5(broker);
    await subscribe(watcher, topic, 1);
    const client = await broker.open(5);
    client.sendBytes(
      connectFrame('06', props(`15 ${str('x')}`), uniqueId(), `${props()} ${str(topic)} ${str('w')}`),
    );
    expect((await client.closed()).map((p) => p.cmd)).toEqual(['connack']);
    await watcher.nothingFor(400);
  });
  it('[MQTT-4.12.0-6] [MQTT-3.15.2-1] [MQTT-3.15.2-2] [MQTT-3.15.2-3] the server sends no AUTH and no Authentication Method to a client that sent none', async () => {
    const topic = uniqueTopic();
    const client = await client5(broker);
    await subscribe(client, topic, 0);
    client.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 0, retain: false, dup: false });
    expect(text(await nextPublish(client))).toBe('x');
    expect(client.received.some((f) => f.packet.cmd === 'auth')).toBe(false);
  });
});
