// Test whether the SUBACK holds one return code per topic filter, in order, and only the codes 3.1.1 defines (MQTT 3.1.1 section 3.9).
import { describe, expect, it } from 'vitest';
import { publish, subscribe, uniqueTopic } from '../support/flows.js';
import { recv, send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

describe('section 3.9.3: payload', () => {
  it('[MQTT-3.9.3-1] the return codes are in the order of the topic filters in the SUBSCRIBE', () =>
    broker.bytes({
      name: 'order',
      then: 'open',
      steps: [
        send('82 16 00AA 0001 61 02 0001 62 00 0001 63 01 0001 64 00 0001 65 02'),
        recv('90 07 00AA 02 00 01 00 02'),
      ],
    }));

  it('[MQTT-3.9.3-1] a SUBSCRIBE of 20 filters gets a SUBACK of 20 codes, in order', async () => {
    const base = uniqueTopic();
    const filters = Array.from(
      { length: 20 },
      (_, i) => [`${base}/${i}`, (i % 3) as 0 | 1 | 2] as [string, 0 | 1 | 2],
    );
    expect(await subscribe(await broker.connect(), filters)).toEqual(filters.map(([, qos]) => qos));
  });

  it('[MQTT-3.9.3-2] return codes other than 0x00, 0x01, 0x02 and 0x80 are not used', async () => {
    const base = uniqueTopic();
    const client = await broker.connect();
    const codes = await subscribe(client, [
      [`${base}/#`, 2],
      ['+', 1],
      ['#', 0],
      [`$SYS/${base}`, 2],
      [`${base}/\u00e9`, 1],
    ]);
    expect(codes.every((c) => [0, 1, 2, 0x80].includes(c))).toBe(true);
    expect(codes).toEqual([2, 1, 0, 2, 1]);
  });

  it('the SUBACK comes before the retained messages the subscription brings (docs/CONFORMANCE.md)', async () => {
    const topic = uniqueTopic();
    await publish(await broker.connect(), topic, 'r', { retain: true });
    const client = await broker.connect();
    client.send({ cmd: 'subscribe', messageId: 9, subscriptions: [{ topic, qos: 0 }] });
    expect((await client.next()).cmd).toBe('suback');
    expect((await client.next()).cmd).toBe('publish');
    await publish(client, topic, '', { retain: true });
  });
});
