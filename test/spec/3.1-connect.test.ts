// Test whether the broker accepts exactly the CONNECT packets section 3.1 allows, refuses the others as the spec says, and takes a client id over (MQTT 3.1.1 section 3.1).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { nextPublish, publish, subscribe, text, uniqueTopic } from '../support/flows.js';
import { connectPacket, hex, uniqueId } from '../support/raw-client.js';
import { recv, send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker({ connectTimeoutMs: 1000 });

/** A CONNECT with flags `flags` and payload `payload` (hex), Remaining Length computed. */
function connectBytes(flags: string, payload: string, name = '0004 4D515454', level = '04'): string {
  const body = hex(`${name} ${level} ${flags} 000A ${payload}`);
  return `10 ${body.length.toString(16).padStart(2, '0')} ${body.toString('hex')}`;
}

const closes = (name: string, bytes: string) => () =>
  broker.bytes({ name, connect: false, steps: [send(bytes)] });

describe('[MQTT-3.1.0-1] the first packet sent from the client to the server MUST be a CONNECT packet', () => {
  for (const [what, bytes] of [
    ['PUBLISH', '30 05 0001 70 6869'],
    ['SUBSCRIBE', '82 06 0001 0001 70 00'],
    ['PINGREQ', 'C0 00'],
    ['DISCONNECT', 'E0 00'],
    ['PUBREL', '62 02 0001'],
  ]) {
    it(
      `[MQTT-3.1.0-1] a ${what} before CONNECT closes the connection without a reply`,
      closes(what!, bytes!),
    );
  }
  it('[MQTT-3.1.0-1] a PUBLISH before CONNECT is not delivered', async () => {
    const topic = uniqueTopic();
    const sub = await broker.connect();
    await subscribe(sub, topic);
    const early = await broker.open();
    early.send({ cmd: 'publish', topic, payload: Buffer.from('early'), qos: 0, retain: false, dup: false });
    expect(await early.closed()).toEqual([]);
    await publish(await broker.connect(), topic, 'marker');
    expect(text(await nextPublish(sub))).toBe('marker');
  });
});

describe('[MQTT-3.1.0-2] the server MUST process a second CONNECT as a protocol violation and disconnect the client', () => {
  it('[MQTT-3.1.0-2] a second CONNECT closes the connection', () =>
    broker.bytes({ name: 'second', steps: [send(connectBytes('02', '0001 70'))] }));
  it('[MQTT-3.1.0-2] a second CONNECT sent before the CONNACK closes the connection', async () => {
    const client = await broker.open();
    const packet = hex(connectBytes('02', `0005 ${Buffer.from(uniqueId().slice(0, 5)).toString('hex')}`));
    client.sendBytes(Buffer.concat([packet, packet]));
    const packets = await client.closed();
    expect(packets.every((p) => p.cmd === 'connack')).toBe(true);
  });
});

describe('section 3.1.2.1 and 3.1.2.2: protocol name and level', () => {
  for (const [what, name] of [
    ['"MQTU"', '0004 4D515455'],
    ['"mqtt"', '0004 6D717474'],
    ['"MQT"', '0003 4D5154'],
    ['"MQTTT"', '0005 4D51545454'],
    ['an empty name', '0000'],
  ]) {
    it(
      `[MQTT-3.1.2-1] protocol name ${what}: the server disconnects without CONNACK`,
      closes(what!, connectBytes('02', '0001 70', name)),
    );
  }
  for (const level of ['00', '02', '06', '7F']) {
    it(`[MQTT-3.1.2-2] protocol level 0x${level}: CONNACK 0x01 (unacceptable protocol level), then disconnect`, () =>
      broker.bytes({
        name: level,
        connect: false,
        steps: [send(connectBytes('02', '0001 70', '0004 4D515454', level)), recv('20 02 00 01')],
      }));
  }
  it('[MQTT-3.1.2-2] "MQTT" with level 3 (MQTT 3.1 is "MQIsdp"): CONNACK 0x01, then disconnect', () =>
    broker.bytes({
      name: 'MQTT 3',
      connect: false,
      steps: [send(connectBytes('02', '0001 70', '0004 4D515454', '03')), recv('20 02 00 01')],
    }));
  it('[MQTT-3.1.2-2] "MQIsdp" with level 4: CONNACK 0x01, then disconnect', () =>
    broker.bytes({
      name: 'MQIsdp 4',
      connect: false,
      steps: [send(connectBytes('02', '0001 70', '0006 4D5149736470', '04')), recv('20 02 00 01')],
    }));
  it('MQTT 3.1 ("MQIsdp", level 3) connects and exchanges messages', async () => {
    const topic = uniqueTopic();
    const old = await broker.connect({ protocolVersion: 3 });
    expect(old.received[0]!.bytes.toString('hex')).toBe('20020000');
    await subscribe(old, topic, 1);
    await publish(await broker.connect(), topic, 'for 3.1', { qos: 1 });
    expect(text(await nextPublish(old))).toBe('for 3.1');
  });
});

describe('section 3.1.2.3: connect flags', () => {
  it(
    '[MQTT-3.1.2-3] the reserved flag set: the server MUST disconnect the client',
    closes('reserved', connectBytes('03', '0001 70')),
  );
  it(
    '[MQTT-3.1.2-9] Will Flag 1 without Will Topic and Will Message: disconnect',
    closes('will', connectBytes('06', '0001 70')),
  );
  it(
    '[MQTT-3.1.2-9] Will Flag 1 without a Will Message: disconnect',
    closes('will', connectBytes('06', '0001 70 0001 70')),
  );
  it(
    '[MQTT-3.1.2-11] [MQTT-3.1.2-13] Will Flag 0 with Will QoS 1: disconnect',
    closes('qos', connectBytes('0A', '0001 70')),
  );
  it(
    '[MQTT-3.1.2-11] [MQTT-3.1.2-13] Will Flag 0 with Will QoS 2: disconnect',
    closes('qos', connectBytes('12', '0001 70')),
  );
  it(
    '[MQTT-3.1.2-11] [MQTT-3.1.2-15] Will Flag 0 with Will Retain 1: disconnect',
    closes('retain', connectBytes('22', '0001 70')),
  );
  it(
    '[MQTT-3.1.2-11] Will Flag 0 with a will topic and message in the payload: disconnect',
    closes('extra', connectBytes('02', '0001 70 0001 70 0001 70')),
  );
  it('[MQTT-3.1.2-14] Will QoS 3: disconnect', closes('qos3', connectBytes('1E', '0001 70 0001 70 0001 70')));
  it(
    '[MQTT-3.1.2-18] User Name Flag 0 with a user name in the payload: disconnect',
    closes('user', connectBytes('02', '0001 70 0001 75')),
  );
  it(
    '[MQTT-3.1.2-19] User Name Flag 1 without a user name: disconnect',
    closes('user', connectBytes('82', '0001 70')),
  );
  it(
    '[MQTT-3.1.2-20] Password Flag 0 with a password in the payload: disconnect',
    closes('pass', connectBytes('82', '0001 70 0001 75 0001 70')),
  );
  it(
    '[MQTT-3.1.2-21] Password Flag 1 without a password: disconnect',
    closes('pass', connectBytes('C2', '0001 70 0001 75')),
  );
  it(
    '[MQTT-3.1.2-22] Password Flag 1 with User Name Flag 0: disconnect',
    closes('pass', connectBytes('42', '0001 70 0001 70')),
  );
  it('[MQTT-3.1.3-1] client id, will topic, will message, user name and password, in that order, are accepted', () =>
    broker.bytes({
      name: 'all',
      connect: false,
      then: 'open',
      steps: [
        send(connectBytes('C6', '0003 616C6C 0001 77 0002 6869 0004 75736572 0004 70617373')),
        recv('20 02 00 00'),
      ],
    }));
  it('a zero-length user name and a password holding U+0000 (binary data) are accepted', () =>
    broker.bytes({
      name: 'binary',
      connect: false,
      then: 'open',
      steps: [send(connectBytes('C2', '0003 62696E 0000 0003 700070')), recv('20 02 00 00')],
    }));
});

describe('section 3.1.3.1: client identifier', () => {
  it(
    '[MQTT-3.1.3-3] a CONNECT without a client id field: disconnect without CONNACK',
    closes('no id', connectBytes('02', '')),
  );
  it(
    '[MQTT-3.1.4-1] a CONNECT with bytes after its last field: disconnect without CONNACK',
    closes('trailing', connectBytes('02', '0001 70 00')),
  );
  it(
    '[MQTT-3.1.3-4] a client id that is not well-formed UTF-8: disconnect without CONNACK',
    closes('id', connectBytes('02', '0003 61C062')),
  );
  it(
    '[MQTT-3.1.3-10] a will topic that is not well-formed UTF-8: disconnect without CONNACK',
    closes('will', connectBytes('06', '0001 70 0003 61EDA0 0001 70')),
  );
  it(
    '[MQTT-3.1.3-11] a user name that is not well-formed UTF-8: disconnect without CONNACK',
    closes('user', connectBytes('82', '0001 70 0002 C328')),
  );
  it('[MQTT-3.1.3-5] the server MUST allow client ids of 1 to 23 bytes of [0-9a-zA-Z]', async () => {
    const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const id of ['a', alphabet.slice(0, 23), alphabet.slice(23, 46), alphabet.slice(39)]) {
      await (await broker.connect({ clientId: id })).disconnect();
    }
  });
  it('client ids longer than 23 bytes are accepted up to the configured limit (256)', async () => {
    await broker.connect({ clientId: 'A clientid that is longer than 23 chars - should work in 3.1.1' });
    await broker.connect({ clientId: 'x'.repeat(256) });
  });
  it('[MQTT-3.1.3-9] a client id the server rejects (257 bytes): CONNACK 0x02, then close', async () => {
    const client = await broker.open();
    const connack = await client.handshake(connectPacket({ clientId: 'y'.repeat(257) }));
    expect(connack).toMatchObject({ returnCode: 2, sessionPresent: false });
    expect(await client.closed()).toEqual([]);
  });
  it('[MQTT-3.1.3-6] a zero-byte client id gets a unique id: two such clients are both served', async () => {
    const topic = uniqueTopic();
    const a = await broker.connect({ clientId: '' });
    const b = await broker.connect({ clientId: '' });
    await subscribe(a, topic);
    await subscribe(b, topic);
    await publish(await broker.connect(), topic, 'both');
    expect(text(await nextPublish(a))).toBe('both');
    expect(text(await nextPublish(b))).toBe('both');
  });
  it('[MQTT-3.1.3-8] a zero-byte client id with CleanSession 0: CONNACK 0x02 (identifier rejected), then close', () =>
    broker.bytes({
      name: 'empty',
      connect: false,
      steps: [send(connectBytes('00', '0000')), recv('20 02 00 02')],
    }));
  it('[MQTT-3.1.3-9] MQTT 3.1 requires 1 to 23 characters: a zero-byte id gets CONNACK 0x02, then close', () =>
    broker.bytes({
      name: '3.1 empty',
      connect: false,
      steps: [send(connectBytes('02', '0000', '0006 4D5149736470', '03')), recv('20 02 00 02')],
    }));
  it('[MQTT-3.1.3-9] MQTT 3.1 requires 1 to 23 characters: a 24-character id gets CONNACK 0x02, then close', () =>
    broker.bytes({
      name: '3.1 long',
      connect: false,
      steps: [
        send(
          connectBytes(
            '02',
            `0018 ${Buffer.from('x'.repeat(24)).toString('hex')}`,
            '0006 4D5149736470',
            '03',
          ),
        ),
        recv('20 02 00 02'),
      ],
    }));
});

describe('section 3.1.4: response', () => {
  it('[MQTT-3.1.4-2] a client id already connected: the server MUST disconnect the existing client', async () => {
    const clientId = uniqueId();
    const first = await broker.connect({ clientId });
    const second = await broker.connect({ clientId });
    expect(await first.closed()).toEqual([]);
    await second.ping();
  });
  it('[MQTT-3.1.4-4] a valid CONNECT is acknowledged with CONNACK 0x00', () =>
    broker.bytes({
      name: 'ok',
      connect: false,
      then: 'open',
      steps: [send(connectBytes('02', '0001 70')), recv('20 02 00 00')],
    }));
  it('[MQTT-3.1.4-5] after rejecting a CONNECT the server MUST NOT process data sent after it', async () => {
    const topic = uniqueTopic();
    const client = await broker.open();
    const retained = mqttPacket.generate({
      cmd: 'publish',
      topic,
      payload: 'lost',
      qos: 0,
      retain: true,
      dup: false,
    });
    client.sendBytes(Buffer.concat([hex(connectBytes('00', '0000')), retained]));
    expect((await client.closed()).map((p) => p.cmd)).toEqual(['connack']);
    const sub = await broker.connect();
    await subscribe(sub, topic);
    await publish(await broker.connect(), topic, 'marker');
    expect(text(await nextPublish(sub))).toBe('marker');
  });
  it('section 3.1.4: a connection that sends no CONNECT is closed after the connect timeout (1 s here)', async () => {
    const client = await broker.open();
    await client.nothingFor(400); // fails if the connection closes before
    expect(await client.closed(5000)).toEqual([]);
  });
});
