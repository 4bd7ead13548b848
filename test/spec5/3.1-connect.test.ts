// Test whether the broker accepts exactly the MQTT 5.0 CONNECT packets section 3.1 allows, refuses the others with the right CONNACK reason code (or a close), handles Clean Start and client identifiers, and takes a client identifier over (MQTT 5.0 section 3.1).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { nextPublish, publish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { hex, uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import {
  client5,
  connect5,
  connectFrame,
  expectDisconnect,
  frame,
  open5,
  props,
  str,
} from '../support/v5.js';

const broker = specBroker({ connectTimeoutMs: 1000 }, { concurrent: true });

/** A CONNECT (hex) refused with CONNACK reason code `rc` (hex), then closed. */
const refused = (bytes: string, rc: string) => () =>
  broker.bytes({ name: bytes, version: 5, connect: false, steps: [send(bytes), recv(`20 03 00 ${rc} 00`)] });
/** A CONNECT (hex) after which the server closes, with a refusing CONNACK or without a word. */
async function closesOrRefuses(bytes: string): Promise<void> {
  const client = await broker.open(5);
  client.sendBytes(bytes);
  const before = await client.closed();
  for (const p of before) {
    expect(p.cmd).toBe('connack');
    expect((p as { reasonCode?: number }).reasonCode ?? 0).toBeGreaterThanOrEqual(0x80);
  }
}
const WILL = `${props()} ${str('w')} ${str('x')}`;

describe.concurrent('section 3.1.0', () => {
  it('[MQTT-3.1.0-1] a PUBLISH before CONNECT closes the connection without a reply', () =>
    broker.bytes({
      name: 'early',
      version: 5,
      connect: false,
      steps: [send(frame('30', `${str('t')} 00 78`))],
    }));
  it('[MQTT-3.1.0-2] a second CONNECT is a Protocol Error: DISCONNECT 0x82, then close', async () => {
    const client = await client5(broker);
    client.send(connect5());
    await expectDisconnect(client, 0x82);
  });
});

describe.concurrent('section 3.1.2: variable header', () => {
  it('[MQTT-3.1.2-1] protocol name "MQTU": the server closes (it may not reveal it is MQTT)', () =>
    closesOrRefuses(frame('10', `0004 4D515455 05 02 000A 00 ${str('p')}`)));
  it('[MQTT-3.1.2-2] protocol version 6: CONNACK 0x01 in the 3.1.1 format (what a 3.1.1 client reads), then close', () =>
    broker.bytes({
      name: 'level 6',
      version: 5,
      connect: false,
      steps: [send(frame('10', `0004 4D515454 06 02 000A 00 ${str('p')}`)), recv('20 02 00 01')],
    }));
  it('[MQTT-3.1.2-3] the reserved flag set: Malformed Packet, CONNACK 0x81 (or a close)', () =>
    closesOrRefuses(connectFrame('03', props(), 'p')));
  it('[MQTT-3.1.2-9] Will Flag 1 without will properties, topic and payload: malformed', () =>
    closesOrRefuses(connectFrame('06', props(), 'p')));
  it('[MQTT-3.1.2-11] Will Flag 0 with Will QoS 1: malformed', () =>
    closesOrRefuses(connectFrame('0A', props(), 'p')));
  it('[MQTT-3.1.2-12] Will QoS 3: malformed', () => closesOrRefuses(connectFrame('1E', props(), 'p', WILL)));
  it('[MQTT-3.1.2-13] Will Flag 0 with Will Retain 1: malformed', () =>
    closesOrRefuses(connectFrame('22', props(), 'p')));
  it(
    '[MQTT-3.1.2-16] User Name Flag 0 with a user name present: CONNACK 0x81',
    refused(connectFrame('02', props(), 'p', str('u')), '81'),
  );
  it('[MQTT-3.1.2-17] User Name Flag 1 without a user name: malformed', () =>
    closesOrRefuses(connectFrame('82', props(), 'p')));
  it(
    '[MQTT-3.1.2-18] Password Flag 0 with a password present: CONNACK 0x81',
    refused(connectFrame('82', props(), 'p', `${str('u')} ${str('pw')}`), '81'),
  );
  it('[MQTT-3.1.2-19] Password Flag 1 without a password: malformed', () =>
    closesOrRefuses(connectFrame('C2', props(), 'p', str('u'))));
  it('section 3.1.2.9: a password without a user name is allowed in 5.0', async () => {
    const client = await broker.open(5);
    client.sendBytes(connectFrame('42', props(), uniqueId(), str('pw')));
    expect(await client.expect('connack')).toMatchObject({ reasonCode: 0 });
    await client.ping();
  });
});

describe.concurrent('section 3.1.2.4: Clean Start', () => {
  const persistent = { properties: { sessionExpiryInterval: 60 } };
  it('[MQTT-3.1.2-4] [MQTT-3.1.4-4] Clean Start 1 discards an existing session and starts a new one', async () => {
    const clientId = uniqueId();
    const topic = uniqueTopic();
    const first = await client5(broker, { clientId, clean: false, ...persistent });
    await subscribe(first, topic, 1);
    await first.disconnect();
    const { client, connack } = await open5(broker, { clientId, clean: true, ...persistent });
    expect(connack.sessionPresent).toBe(false);
    await publish(await client5(broker), topic, 'after');
    await client.nothingFor(300);
  });
  it('[MQTT-3.1.2-5] [MQTT-3.1.4-4] [MQTT-3.1.3-2] Clean Start 0 with a session resumes it: its subscriptions deliver', async () => {
    const clientId = uniqueId();
    const topic = uniqueTopic();
    const first = await client5(broker, { clientId, clean: false, ...persistent });
    await subscribe(first, topic, 1);
    await first.disconnect();
    const { client, connack } = await open5(broker, { clientId, clean: false, ...persistent });
    expect(connack.sessionPresent).toBe(true);
    await publish(await client5(broker), topic, 'resumed');
    expect(text(await nextPublish(client))).toBe('resumed');
  });
  it('[MQTT-3.1.2-6] Clean Start 0 without a session creates a new one (Session Present 0)', async () => {
    const { connack } = await open5(broker, { clientId: uniqueId(), clean: false, ...persistent });
    expect(connack.sessionPresent).toBe(false);
  });
});

describe.concurrent('section 3.1.3: payload', () => {
  it('[MQTT-3.1.3-1] [MQTT-3.1.3-3] a CONNECT that ends before its client id: malformed', () =>
    closesOrRefuses(frame('10', `0004 4D515454 05 02 000A 00`)));
  it('[MQTT-3.1.3-5] client ids of 1 to 23 characters of 0-9a-zA-Z are accepted', async () => {
    for (const clientId of ['a', '0123456789abcdefghijklm', 'ABCXYZ09']) {
      const { client } = await open5(broker, { clientId });
      await client.disconnect();
    }
  });
  it('[MQTT-3.1.3-6] [MQTT-3.1.3-7] a zero-length client id gets a unique id, returned in Assigned Client Identifier', async () => {
    const a = await open5(broker, { clientId: '' });
    const b = await open5(broker, { clientId: '' });
    const idA = a.connack.properties?.assignedClientIdentifier;
    expect(idA).toBeTruthy();
    expect(idA).not.toBe(b.connack.properties?.assignedClientIdentifier);
  });
  it('[MQTT-3.1.3-6] a zero-length client id with Clean Start 0 is accepted in 5.0', async () => {
    const client = await broker.open(5);
    client.sendBytes(connectFrame('00', props(), ''));
    const connack = await client.expect('connack');
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties?.assignedClientIdentifier).toBeTruthy();
  });
  it('section 3.1.3.1: a client id the server did not assign is not echoed in CONNACK', async () => {
    const { connack } = await open5(broker, { clientId: uniqueId() });
    expect(connack.properties?.assignedClientIdentifier).toBeUndefined();
  });
  it(
    '[MQTT-3.1.3-8] [MQTT-3.1.4-2] a client id longer than the server allows: CONNACK 0x85, then close',
    refused(connectFrame('02', props(), 'x'.repeat(300)), '85'),
  );
  it(
    '[MQTT-3.1.3-4] [MQTT-3.1.3-8] a client id with U+0000: CONNACK 0x85, then close',
    refused(frame('10', `0004 4D515454 05 02 000A 00 0003 610062`), '85'),
  );
  it(
    '[MQTT-3.1.3-4] a client id of ill-formed UTF-8: CONNACK 0x85, then close',
    refused(frame('10', `0004 4D515454 05 02 000A 00 0004 61EDA080`), '85'),
  );
  it(
    '[MQTT-3.1.3-11] a will topic of ill-formed UTF-8: CONNACK 0x81, then close',
    refused(connectFrame('06', props(), 'p', `${props()} 0003 EDA080 ${str('x')}`), '81'),
  );
  it(
    '[MQTT-3.3.2-2] a will topic with a wildcard: CONNACK 0x82, then close',
    refused(connectFrame('06', props(), 'p', `${props()} ${str('a/#')} ${str('x')}`), '82'),
  );
  it(
    '[MQTT-3.1.3-12] a user name of ill-formed UTF-8: CONNACK 0x81, then close',
    refused(connectFrame('82', props(), 'p', '0003 EDA080'), '81'),
  );
});

describe.concurrent('section 3.1.4: CONNECT actions', () => {
  it('[MQTT-3.1.4-1] [MQTT-3.1.4-5] a valid CONNECT gets CONNACK 0x00 and the connection stays open', async () => {
    const { client } = await open5(broker);
    await client.ping();
  });
  it('[MQTT-3.1.4-3] a second connection for a client id gets the first DISCONNECT 0x8E (Session taken over) and closes it', async () => {
    const clientId = uniqueId();
    const first = await client5(broker, { clientId });
    await client5(broker, { clientId });
    await expectDisconnect(first, 0x8e);
  });
  it('[MQTT-3.1.4-6] after a refused CONNECT nothing the client sent after it is processed', async () => {
    const topic = uniqueTopic();
    const watcher = await broker.connect();
    await subscribe(watcher, topic);
    const client = await broker.open(5);
    const refusedConnect = hex(connectFrame('02', props(`15 ${str('UNKNOWN-METHOD')}`), uniqueId()));
    const late = mqttPacket.generate(
      { cmd: 'publish', topic, payload: Buffer.from('late'), qos: 0, retain: false, dup: false },
      { protocolVersion: 5 },
    );
    client.sendBytes(Buffer.concat([refusedConnect, late]));
    expect((await client.closed()).map((p) => p.cmd)).toEqual(['connack']);
    await publish(await broker.connect(), topic, 'marker');
    expect(text(await nextPublish(watcher))).toBe('marker');
  });
  it('section 3.1.4: a CONNECT split across many writes is accepted', async () => {
    const client = await broker.open(5);
    const bytes = mqttPacket.generate(connect5(), { protocolVersion: 5 });
    for (const b of bytes) client.sendBytes(Buffer.from([b]));
    expect((await client.next()).cmd).toBe('connack');
  });
});
