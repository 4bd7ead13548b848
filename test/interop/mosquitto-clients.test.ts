// Test whether Debian's mosquitto_pub and mosquitto_sub work with the broker: QoS 0/1/2 both ways, retained messages, wills, persistent sessions with queued messages, wildcards, MQTT 3.1 and 5.0.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';
import { uniqueTopic } from '../support/flows.js';
import { killAll, requireMosquittoClients, run, start } from '../support/mosquitto-clients.js';
import { uniqueId } from '../support/raw-client.js';

let broker: TestBroker;

beforeAll(async () => {
  requireMosquittoClients();
  broker = await startBroker();
});
afterEach(() => killAll());
afterAll(async () => {
  killAll();
  await broker.stop();
});

const at = (): string[] => ['-h', '127.0.0.1', '-p', String(broker.port)];
/** What mosquitto_sub prints per message: topic, QoS, retain flag, payload. */
const FORMAT = ['-F', 'MSG|%t|%q|%r|%p'];
const messages = (lines: string[]): string[] =>
  lines.filter((l) => l.startsWith('MSG|')).map((l) => l.slice(4));

/** A mosquitto_sub that has its SUBACK, waiting for `count` messages. */
async function subscriber(args: string[], count: number) {
  const sub = start('mosquitto_sub', [...at(), '-d', ...FORMAT, '-C', String(count), '-W', '10', ...args]);
  await sub.waitFor(/^Subscribed \(mid/);
  return sub;
}

async function pub(args: string[]): Promise<void> {
  const { code, lines } = await run('mosquitto_pub', [...at(), ...args]);
  expect(code, lines.join('\n')).toBe(0);
}

describe('mosquitto_pub and mosquitto_sub (MQTT 3.1.1)', () => {
  for (const qos of ['0', '1', '2']) {
    it(`publish and receive at QoS ${qos}`, async () => {
      const topic = uniqueTopic();
      const sub = await subscriber(['-t', topic, '-q', qos], 1);
      await pub(['-t', topic, '-q', qos, '-m', `qos ${qos}`]);
      expect(await sub.exited()).toBe(0);
      // (mosquitto_sub -C 1 may exit before it logs its PUBCOMP: the QoS 2 flow is checked in test/spec)
      expect(messages(sub.lines)).toEqual([`${topic}|${qos}|0|qos ${qos}`]);
    });
  }

  it('a retained message reaches a later subscriber with the retain flag, and -n -r clears it', async () => {
    const topic = uniqueTopic();
    await pub(['-t', topic, '-q', '1', '-r', '-m', 'kept']);
    const first = await run('mosquitto_sub', [
      ...at(),
      ...FORMAT,
      '-t',
      topic,
      '-q',
      '1',
      '-C',
      '1',
      '-W',
      '5',
    ]);
    expect(messages(first.lines)).toEqual([`${topic}|1|1|kept`]);
    await pub(['-t', topic, '-q', '1', '-r', '-n']);
    const sub = await subscriber(['-t', topic], 1);
    await pub(['-t', topic, '-m', 'live']);
    await sub.exited();
    expect(messages(sub.lines)).toEqual([`${topic}|0|0|live`]);
  });

  it('the will of a killed mosquitto_sub is published', async () => {
    const topic = uniqueTopic();
    const watcher = await subscriber(['-t', topic, '-q', '1'], 1);
    const doomed = await subscriber(
      ['-t', `${topic}/other`, '--will-topic', topic, '--will-payload', 'killed', '--will-qos', '1'],
      1,
    );
    doomed.kill();
    expect(await watcher.exited()).toBe(0);
    expect(messages(watcher.lines)).toEqual([`${topic}|1|0|killed`]);
  });

  it('a persistent session (-c) gets the QoS 1 messages published while it was away', async () => {
    const topic = uniqueTopic();
    const id = uniqueId('ms');
    const first = await run('mosquitto_sub', [...at(), '-c', '-i', id, '-q', '1', '-t', topic, '-E']);
    expect(first.code).toBe(0);
    for (const m of ['one', 'two', 'three']) await pub(['-t', topic, '-q', '1', '-m', m]);
    const back = await run('mosquitto_sub', [
      ...at(),
      ...FORMAT,
      '-c',
      '-i',
      id,
      '-q',
      '1',
      '-t',
      topic,
      '-C',
      '3',
      '-W',
      '10',
    ]);
    expect(messages(back.lines)).toEqual(['one', 'two', 'three'].map((m) => `${topic}|1|0|${m}`));
  });

  it('"+" and "#" wildcards match as the spec says', async () => {
    const base = uniqueTopic();
    const sub = await subscriber(['-t', `${base}/+/c`, '-t', `${base}/x/#`, '-q', '1'], 3);
    for (const leaf of ['b/c', 'b/d', 'x', 'x/y/z'])
      await pub(['-t', `${base}/${leaf}`, '-q', '1', '-m', leaf]);
    await sub.exited();
    expect(messages(sub.lines).map((m) => m.split('|').at(-1))).toEqual(['b/c', 'x', 'x/y/z']);
  });

  it('MQTT 3.1 (-V mqttv31) clients exchange messages with 3.1.1 ones', async () => {
    const topic = uniqueTopic();
    const sub = await subscriber(['-V', 'mqttv31', '-t', topic, '-q', '2'], 1);
    await pub(['-t', topic, '-q', '2', '-m', 'to 3.1']);
    await sub.exited();
    expect(messages(sub.lines)).toEqual([`${topic}|2|0|to 3.1`]);
  });
});

describe('mosquitto_pub and mosquitto_sub (MQTT 5.0, -V 5)', () => {
  it('a 5.0 publisher with a user property reaches 5.0 and 3.1.1 subscribers', async () => {
    const topic = uniqueTopic();
    const v5 = await subscriber(['-V', '5', '-t', topic, '-q', '1'], 1);
    const v4 = await subscriber(['-t', topic, '-q', '1'], 1);
    await pub(['-V', '5', '-t', topic, '-q', '1', '-D', 'publish', 'user-property', 'k', 'v', '-m', 'five']);
    await v5.exited();
    await v4.exited();
    expect(messages(v5.lines)).toEqual([`${topic}|1|0|five`]);
    expect(messages(v4.lines)).toEqual([`${topic}|1|0|five`]);
  });

  it('a 5.0 subscriber gets what a 3.1.1 publisher sends, at QoS 2', async () => {
    const topic = uniqueTopic();
    const sub = await subscriber(['-V', 'mqttv5', '-t', topic, '-q', '2'], 1);
    await pub(['-t', topic, '-q', '2', '-m', 'to five']);
    await sub.exited();
    expect(messages(sub.lines)).toEqual([`${topic}|2|0|to five`]);
  });
});
