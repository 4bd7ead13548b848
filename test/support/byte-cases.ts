/**
 * Byte-level cases in the style of Mosquitto's test/broker/data/*.json: bytes to send, bytes
 * expected back, and whether the server must then close the connection or keep it open.
 */
import { expect } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { connectPacket, hex, RawClient, type Version } from './raw-client.js';

export type Step = { send: string } | { recv: string };

export interface ByteCase {
  name: string;
  /** Protocol version of the default CONNECT and of the parser (default 4). */
  version?: Version;
  /** Send a valid CONNECT first and expect CONNACK 0 (default true). */
  connect?: boolean;
  steps: Step[];
  /** 'closed' (default): the server closes without sending anything more; 'open': it answers PINGREQ. */
  then?: 'closed' | 'open';
}

export const send = (bytes: string): Step => ({ send: bytes });
export const recv = (bytes: string): Step => ({ recv: bytes });

const normal = (text: string): string => hex(text).toString('hex');

export async function runByteCase(port: number, c: ByteCase): Promise<void> {
  const version = c.version ?? 4;
  const client = await RawClient.open(port, version);
  try {
    if (c.connect !== false) {
      client.sendBytes(
        mqttPacket.generate(connectPacket({ protocolVersion: version }), { protocolVersion: version }),
      );
      const connack = await client.nextFrame();
      expect(connack.packet.cmd, 'CONNACK to the default CONNECT').toBe('connack');
    }
    for (const step of c.steps) {
      if ('send' in step) {
        client.sendBytes(step.send);
      } else {
        const frame = await client.nextFrame();
        expect(frame.bytes.toString('hex'), `expected ${step.recv}`).toBe(normal(step.recv));
      }
    }
    if ((c.then ?? 'closed') === 'closed') {
      expect(await client.closed(), 'the server must close without sending more').toEqual([]);
    } else {
      await client.ping();
    }
  } finally {
    client.destroy();
  }
}
