// Test whether, on a resumed session, only messages that were really sent come again with DUP 1, and messages that waited behind the inflight window come with DUP 0 (MQTT 3.1.1 sections 3.3.1.1 and 4.4).
import { describe, expect, it } from 'vitest';
import { nextPublish, publish, receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { uniqueId } from '../support/raw-client.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker({ maxInflight: 3 });

describe('[MQTT-3.3.1-3] the DUP flag of an outgoing PUBLISH is set solely by whether it is a retransmission', () => {
  it('[MQTT-3.3.1-1] [MQTT-3.3.1-3] after a reconnect, sent messages come with DUP 1 and never-sent ones with DUP 0, in order', async () => {
    const topic = uniqueTopic();
    const clientId = uniqueId('w');
    const sub = await broker.connect({ clientId, clean: false });
    await subscribe(sub, topic, 1);
    const pub = await broker.connect();
    const payloads = ['1', '2', '3', '4', '5', '6'];
    for (const p of payloads) await publish(pub, topic, p, { qos: 1 });
    const sent = [await nextPublish(sub), await nextPublish(sub), await nextPublish(sub)];
    expect(sent.map(text)).toEqual(['1', '2', '3']); // the window holds three, none acknowledged
    await sub.nothingFor(200);
    await sub.disconnect();
    const back = await broker.connect({ clientId, clean: false });
    const again = [];
    for (let i = 0; i < 6; i++) {
      const m = await receive(back);
      again.push([text(m), m.dup]);
      back.send({ cmd: 'puback', messageId: m.messageId! });
    }
    expect(again).toEqual([
      ['1', true],
      ['2', true],
      ['3', true],
      ['4', false],
      ['5', false],
      ['6', false],
    ]);
  });
});
