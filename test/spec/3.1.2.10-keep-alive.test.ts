// Test whether the broker disconnects a client that sends nothing for one and a half times its keep-alive, publishing its will, and keeps clients that do send (MQTT 3.1.1 section 3.1.2.10). Timings are only bounded from both sides with wide margins.
import { describe, expect, it } from 'vitest';
import { receive, subscribe, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';

const broker = specBroker({}, { concurrent: true });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.concurrent(
  '[MQTT-3.1.2-24] the server MUST disconnect a client that sends no Control Packet within 1.5 times the Keep Alive',
  () => {
    it('[MQTT-3.1.2-24] an idle client with keep-alive 1 s is disconnected: not within 1 s, but within 5 s', async () => {
      const client = await broker.connect({ keepalive: 1 });
      const start = Date.now();
      await client.nothingFor(1000);
      expect(client.isClosed).toBe(false);
      expect(await client.closed(5000)).toEqual([]);
      expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
    });

    it('[MQTT-3.1.2-24] [MQTT-3.1.2-8] the will of a client disconnected for keep-alive is published ("as if the network had failed")', async () => {
      const topic = uniqueTopic();
      const watcher = await broker.connect();
      await subscribe(watcher, topic, 1);
      const client = await broker.connect({
        keepalive: 1,
        will: { topic, payload: Buffer.from('keep-alive expired'), qos: 1, retain: false },
      });
      await client.closed(5000);
      expect(text(await receive(watcher, 5000))).toBe('keep-alive expired');
    });

    it('[MQTT-3.1.2-23] a client sending PINGREQ every 500 ms with keep-alive 1 s stays connected for 3 s', async () => {
      const client = await broker.connect({ keepalive: 1 });
      for (let i = 0; i < 6; i++) {
        await sleep(500);
        await client.ping();
      }
    });

    it('[MQTT-3.1.2-23] any Control Packet counts, not only PINGREQ: PUBLISH every 500 ms keeps a keep-alive of 1 s', async () => {
      const client = await broker.connect({ keepalive: 1 });
      const topic = uniqueTopic();
      for (let i = 0; i < 6; i++) {
        await sleep(500);
        client.send({
          cmd: 'publish',
          topic,
          payload: Buffer.from('tick'),
          qos: 0,
          retain: false,
          dup: false,
        });
      }
      await client.ping();
    });

    it('section 3.1.2.10: a Keep Alive of zero turns the mechanism off (idle for 3 s and still connected)', async () => {
      const client = await broker.connect({ keepalive: 0 });
      await client.nothingFor(3000);
      await client.ping();
    });
  },
);
