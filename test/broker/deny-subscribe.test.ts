// Test whether filters named by --deny-subscribe get a SUBACK failure code while the others are granted.
import { describe, expect, it } from 'vitest';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker({ denySubscribe: 'test/nosubscribe, other/#' });

describe('--deny-subscribe', () => {
  it('refuses the named filters with 0x80 and grants the rest, in order [MQTT-3.9.3-1]', async () => {
    const client = await broker.connect();
    client.send({
      cmd: 'subscribe',
      messageId: 7,
      subscriptions: [
        { topic: 'test/nosubscribe', qos: 1 },
        { topic: 'test/ok', qos: 2 },
        { topic: 'other/#', qos: 0 },
      ],
    });
    const suback = await client.expect('suback');
    expect(suback).toMatchObject({ messageId: 7, granted: [0x80, 2, 0x80] });
  });
});
