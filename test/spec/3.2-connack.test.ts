// Test whether CONNACK is the server's first packet, carries the right Session Present flag and return code, and is followed by a close whenever it refuses (MQTT 3.1.1 section 3.2).
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../support/broker.js';
import { subscribe, uniqueTopic } from '../support/flows.js';
import { connectPacket, RawClient, uniqueId } from '../support/raw-client.js';
import { recv, send } from '../support/byte-cases.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker();

/** Connects `clientId` with `clean`, and returns the raw CONNACK. */
async function connack(clientId: string, clean: boolean): Promise<{ hex: string; client: RawClient }> {
  const client = broker.track(await RawClient.open(broker.port));
  client.send(connectPacket({ clientId, clean }));
  return { hex: (await client.nextFrame()).bytes.toString('hex'), client };
}

describe('[MQTT-3.2.0-1] the first packet sent from the server to the client MUST be a CONNACK packet', () => {
  it('[MQTT-3.2.0-1] CONNACK comes first even when SUBSCRIBE, PUBLISH and PINGREQ follow CONNECT in the same write', async () => {
    const topic = uniqueTopic();
    const client = await broker.open();
    const packets = [
      connectPacket(),
      { cmd: 'subscribe' as const, messageId: 1, subscriptions: [{ topic, qos: 0 as const }] },
      {
        cmd: 'publish' as const,
        topic,
        payload: Buffer.from('x'),
        qos: 0 as const,
        retain: false,
        dup: false,
      },
      { cmd: 'pingreq' as const },
    ];
    client.sendBytes(Buffer.concat(packets.map((p) => mqttPacket.generate(p))));
    const cmds = [];
    for (let i = 0; i < 4; i++) cmds.push((await client.next()).cmd);
    expect(cmds[0]).toBe('connack');
    expect(cmds.slice(1).sort()).toEqual(['pingresp', 'publish', 'suback']);
  });
});

describe('section 3.2.2.2: Session Present', () => {
  it('[MQTT-3.2.2-1] CleanSession 1: Session Present 0, even when a stored session existed', async () => {
    const clientId = uniqueId();
    const first = await connack(clientId, false);
    await subscribe(first.client, uniqueTopic(), 1);
    await first.client.disconnect();
    expect((await connack(clientId, true)).hex).toBe('20020000');
  });

  it('[MQTT-3.2.2-2] CleanSession 0 with a stored session: Session Present 1', async () => {
    const clientId = uniqueId();
    const first = await connack(clientId, false);
    expect(first.hex).toBe('20020000');
    await first.client.disconnect();
    expect((await connack(clientId, false)).hex).toBe('20020100');
  });

  it('[MQTT-3.2.2-2] CleanSession 0 taking over a connected session: Session Present 1', async () => {
    const clientId = uniqueId();
    await connack(clientId, false);
    expect((await connack(clientId, false)).hex).toBe('20020100');
  });

  it('MQTT 3.1 has no Session Present flag: a resumed 3.1 session still gets 20 02 00 00', async () => {
    const clientId = uniqueId().slice(0, 20);
    const first = broker.track(await RawClient.open(broker.port, 3));
    first.send(connectPacket({ clientId, clean: false, protocolVersion: 3 }));
    expect((await first.nextFrame()).bytes.toString('hex')).toBe('20020000');
    await first.disconnect();
    const again = broker.track(await RawClient.open(broker.port, 3));
    again.send(connectPacket({ clientId, clean: false, protocolVersion: 3 }));
    expect((await again.nextFrame()).bytes.toString('hex')).toBe('20020000');
  });

  it('[MQTT-3.2.2-3] CleanSession 0 without a stored session: Session Present 0', async () => {
    expect((await connack(uniqueId(), false)).hex).toBe('20020000');
  });

  it('[MQTT-3.2.2-3] CleanSession 0 after a CleanSession 1 session (not stored): Session Present 0', async () => {
    const clientId = uniqueId();
    await (await connack(clientId, true)).client.disconnect();
    expect((await connack(clientId, false)).hex).toBe('20020000');
  });
});

describe('section 3.2.2.3: Connect Return code', () => {
  it('[MQTT-3.2.2-4] [MQTT-3.2.2-5] a refusing CONNACK has Session Present 0 and is followed by a close', () =>
    broker.bytes({
      name: 'refused',
      connect: false,
      steps: [send('10 0C 0004 4D515454 04 00 000A 0000'), recv('20 02 00 02')],
    }));

  it('[MQTT-3.2.2-4] [MQTT-3.2.2-5] server unavailable (0x03) when at its connection limit, Session Present 0 even with a stored session, then close', async () => {
    const small = await startBroker({ maxConnections: 1 });
    const clients: RawClient[] = [];
    try {
      const clientId = uniqueId();
      const stored = await RawClient.connect(small.port, { clientId, clean: false });
      await stored.disconnect();
      clients.push(await RawClient.connect(small.port));
      const refused = await RawClient.open(small.port);
      clients.push(refused);
      refused.send(connectPacket({ clientId, clean: false }));
      expect((await refused.nextFrame()).bytes.toString('hex')).toBe('20020003');
      expect(await refused.closed()).toEqual([]);
    } finally {
      for (const client of clients) client.destroy();
      await small.stop();
    }
  });

  it('[MQTT-3.2.2-6] when no return code applies (a will topic with a wildcard) the server closes without CONNACK', () =>
    broker.bytes({
      name: 'no code',
      connect: false,
      steps: [send('10 13 0004 4D515454 04 06 000A 0001 70 0001 23 0001 70')],
    }));

  it('section 3.2.2.3: an accepted CONNECT gets return code 0x00 and the connection stays open', () =>
    broker.bytes({
      name: 'accepted',
      connect: false,
      then: 'open',
      steps: [send('10 0D 0004 4D515454 04 02 000A 0001 71'), recv('20 02 00 00')],
    }));
});
