// Test whether SUBACK carries one valid reason code per filter, in order, and no properties, including the failure codes MQTTZoo uses: 0x80 for a filter it refuses, 0x9E for a shared subscription (MQTT 5.0 section 3.9).
import { describe, expect, it } from 'vitest';
import { recv, send } from '../support/byte-cases.js';
import { uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, frame, str, subscribe5 } from '../support/v5.js';

const broker = specBroker({ denySubscribe: 'test/nosubscribe' });
const SUBACK_CODES = new Set([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]);

describe('section 3.9: SUBACK', () => {
  it('[MQTT-3.9.3-1] [MQTT-3.9.3-2] one SUBACK reason code per filter, in the order of the filters', async () => {
    const base = uniqueTopic();
    const sub = await client5(broker);
    const codes = await subscribe5(sub, [
      { topic: `${base}/2`, qos: 2 },
      { topic: 'test/nosubscribe', qos: 1 },
      { topic: `${base}/0`, qos: 0 },
      { topic: `$share/g/${base}`, qos: 2 },
      { topic: `${base}/1`, qos: 1 },
    ]);
    expect(codes).toEqual([2, 0x80, 0, 2, 1]);
    expect(codes.every((c) => SUBACK_CODES.has(c))).toBe(true);
  });
  it("[MQTT-3.9.3-2] a filter the server refuses gets 0x80 (Unspecified error), as Paho's test_subscribe_failure expects", async () => {
    expect(await subscribe5(await client5(broker), 'test/nosubscribe', { qos: 2 })).toEqual([0x80]);
  });
  it('[MQTT-3.9.2-1] [MQTT-3.9.2-2] SUBACK carries no Reason String or User Property, failure or not', () =>
    broker.bytes({
      name: 'no properties',
      version: 5,
      then: 'open',
      steps: [
        send(frame('82', `0007 00 ${str('test/nosubscribe')} 01 ${str('x')} 01`)),
        recv('90 05 0007 00 80 01'),
      ],
    }));
});
