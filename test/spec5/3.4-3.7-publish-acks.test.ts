// Test whether PUBACK, PUBREC, PUBREL and PUBCOMP go both ways as MQTT 5.0 sections 3.4-3.7 say: the server's acks use valid reason codes (short forms, no properties), the client's may carry properties, and a client's failure code ends a message's flow (MQTT 5.0 sections 3.4-3.7 and 4.4).
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { nextPublish, subscribe, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, props, publish5, str } from '../support/v5.js';

const broker = specBroker({}, { concurrent: true });
const persistent = { clean: false, properties: { sessionExpiryInterval: 60 } };

const exchange =
  (name: string, steps: ReturnType<typeof send>[], then: 'open' | 'closed' = 'open') =>
  () =>
    broker.bytes({ name, version: 5, then, steps });

describe.concurrent('acks the server sends', () => {
  it(
    '[MQTT-3.4.2-1] [MQTT-3.4.2-2] [MQTT-3.4.2-3] PUBACK with reason code 0x00 in its short form, no properties',
    exchange('puback', [send(frame('32', `${str('t')} 1234 00 78`)), recv('40 02 1234')]),
  );
  it(
    '[MQTT-3.5.2-1] [MQTT-3.5.2-2] [MQTT-3.5.2-3] [MQTT-3.7.2-1] [MQTT-3.7.2-2] [MQTT-3.7.2-3] PUBREC and PUBCOMP with reason code 0x00, short forms, no properties',
    exchange('pubrec', [
      send(frame('34', `${str('t')} 1234 00 78`)),
      recv('50 02 1234'),
      send(frame('62', '1234')),
      recv('70 02 1234'),
    ]),
  );
  it("[MQTT-3.6.1-1] [MQTT-3.6.2-1] [MQTT-3.6.2-2] [MQTT-3.6.2-3] the server's PUBREL has flags 0010 and reason code 0x00", async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 2);
    await publish5(await client5(broker), topic, 'x', { qos: 2 });
    const got = await nextPublish(sub);
    sub.sendBytes(frame('50', got.messageId!.toString(16).padStart(4, '0')));
    const pubrel = await sub.nextFrame();
    expect(pubrel.bytes.toString('hex')).toBe(`6202${got.messageId!.toString(16).padStart(4, '0')}`);
  });
  it(
    '[MQTT-4.3.3-11] PUBREL for an unknown packet id gets PUBCOMP with that id (reason 0x00, as Mosquitto)',
    exchange('unknown pubrel', [send(frame('62', '0005 00')), recv('70 02 0005')]),
  );
  it(
    'section 4.3.3: PUBREC for an unknown packet id gets PUBREL with that id',
    exchange('unknown pubrec', [send(frame('50', '0006')), recv('62 02 0006')]),
  );
});

describe.concurrent('acks the client sends', () => {
  it(
    'section 3.6.2: a PUBREL with a Reason String and a User Property is accepted',
    exchange('pubrel props', [
      send(frame('34', `${str('t')} 0001 00 78`)),
      recv('50 02 0001'),
      send(frame('62', `0001 00 ${props(`1F ${str('p')} 26 ${str('k')} ${str('v')}`)}`)),
      recv('70 02 0001'),
    ]),
  );
  it(
    'section 3.6.2: a PUBREL with reason code 0x92 (Packet Identifier not found) is answered with PUBCOMP',
    exchange('pubrel 92', [send(frame('62', '0001 92')), recv('70 02 0001')]),
  );
  it(
    '[MQTT-3.6.1-1] PUBREL with flags other than 0010 gets DISCONNECT 0x81',
    exchange('63', [send(frame('63', '0001 00')), recv('E0 01 81')], 'closed'),
  );
  it(
    'section 3.6.2.1: a PUBREL reason code that is not a PUBREL reason code gets DISCONNECT 0x81',
    exchange('ff', [send(frame('62', '0001 FF 00')), recv('E0 01 81')], 'closed'),
  );
  it(
    'section 2.2.1: an ack with packet id 0 is a Protocol Error: DISCONNECT 0x82',
    exchange('id 0', [send(frame('62', '0000 00')), recv('E0 01 82')], 'closed'),
  );
  it(
    'section 3.4.2: bytes after the properties of a PUBACK make it malformed: DISCONNECT 0x81',
    exchange('long', [send(frame('40', '0001 00 00 00')), recv('E0 01 81')], 'closed'),
  );
  it('[MQTT-4.3.2-1] a PUBREC for a QoS 1 message in flight is a Protocol Error: DISCONNECT 0x82', async () => {
    const topic = uniqueTopic();
    const sub = await client5(broker);
    await subscribe(sub, topic, 1);
    await publish5(await client5(broker), topic, 'x', { qos: 1 });
    const got = await nextPublish(sub);
    sub.sendBytes(frame('50', got.messageId!.toString(16).padStart(4, '0')));
    expect((await sub.closed()).map((p) => [p.cmd, (p as { reasonCode?: number }).reasonCode])).toEqual([
      ['disconnect', 0x82],
    ]);
  });
});

describe.concurrent(
  '[MQTT-4.4.0-2] a PUBACK or PUBREC with a reason code of 0x80 or more acknowledges the message: it is not sent again',
  () => {
    for (const [qos, ack] of [
      [1, '40'],
      [2, '50'],
    ] as const) {
      it(`[MQTT-4.4.0-2] QoS ${qos}: ${ack === '40' ? 'PUBACK' : 'PUBREC'} 0x80, then a reconnect gets nothing${qos === 2 ? ' and no PUBREL [MQTT-4.3.3-4]' : ''}`, async () => {
        const clientId = uniqueId();
        const topic = uniqueTopic();
        const sub = await client5(broker, { clientId, ...persistent });
        await subscribe(sub, topic, qos);
        await publish5(await client5(broker), topic, 'refused', { qos });
        const got = await nextPublish(sub);
        sub.sendBytes(frame(ack, `${got.messageId!.toString(16).padStart(4, '0')} 80`));
        await sub.nothingFor(300);
        await sub.disconnect();
        const again = await client5(broker, { clientId, ...persistent });
        await again.nothingFor(500);
      });
    }
  },
);
