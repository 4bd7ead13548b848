/**
 * Test whether the pub/sub flags parse to the documented values and defaults, read MQTTZOO_* from the
 * environment, refuse what they should, and become the MQTT.js options that connect once.
 */
import { describe, expect, it } from 'vitest';
import { mqttOptions, parseClientFlags, UsageError } from '../../src/cli/client-options.js';

describe('parseClientFlags', () => {
  it('has the original defaults: topic Testing, localhost:1883, QoS 0, MQTT 3.1.1, clean', () => {
    const flags = parseClientFlags('sub', [], {})!;
    expect(flags).toMatchObject({
      topics: ['Testing'],
      host: 'localhost',
      port: 1883,
      qos: 0,
      protocolVersion: 4,
      keepalive: 60,
      clean: true,
      verbose: false,
      count: undefined,
      connectTimeout: 10,
    });
    expect(flags.clientId).toMatch(/^mqttzoo-sub-[0-9a-f]{8}$/);
    expect(flags.clientId.length).toBeLessThanOrEqual(23); // every broker must take 23 [MQTT-3.1.3-5]
  });

  it('reads short and long forms alike', () => {
    const short = parseClientFlags(
      'pub',
      ['-t', 'a/b', '-h', 'h', '-p', '1884', '-q', '2', '-r', '-i', 'me'],
      {},
    );
    const long = parseClientFlags(
      'pub',
      ['--topic', 'a/b', '--host', 'h', '--port', '1884', '--qos', '2', '--retain', '--id', 'me'],
      {},
    );
    expect(short).toEqual(long);
    expect(short).toMatchObject({
      topics: ['a/b'],
      host: 'h',
      port: 1884,
      qos: 2,
      retain: true,
      clientId: 'me',
    });
  });

  it('takes sub-only flags, several filters, -V 5 and persistent sessions', () => {
    const flags = parseClientFlags(
      'sub',
      ['-t', 'a/+', '-t', 'b/#', '-v', '-C', '5', '-c', '-i', 'x', '-V', '5'],
      {},
    );
    expect(flags).toMatchObject({
      topics: ['a/+', 'b/#'],
      verbose: true,
      count: 5,
      clean: false,
      protocolVersion: 5,
    });
  });

  it('takes host, port and credentials from MQTTZOO_* when no flag says otherwise', () => {
    const env = {
      MQTTZOO_HOST: 'broker',
      MQTTZOO_PORT: '2883',
      MQTTZOO_USERNAME: 'u',
      MQTTZOO_PASSWORD: 'p',
    };
    expect(parseClientFlags('pub', [], env)).toMatchObject({
      host: 'broker',
      port: 2883,
      username: 'u',
      password: 'p',
    });
    expect(parseClientFlags('pub', ['-h', 'other', '-p', '1'], env)).toMatchObject({
      host: 'other',
      port: 1,
    });
    expect(() => parseClientFlags('pub', [], { MQTTZOO_PORT: 'x' })).toThrow(/MQTTZOO_PORT must be/);
  });

  it('returns null for --help', () => {
    expect(parseClientFlags('pub', ['--help'], {})).toBeNull();
  });

  it.each([
    ['pub', ['-q', '1.5']],
    ['pub', ['-p', '0']],
    ['pub', ['-k', '-1']],
    ['pub', ['-t', '']],
    ['pub', ['-t', 'a/#']],
    ['pub', ['-v']],
    ['sub', ['-C', '0']],
    ['sub', ['-r']],
    ['sub', ['positional']],
    ['sub', ['--connect-timeout', '0']],
  ] as const)('%s %j is a usage error', (command, args) => {
    expect(() => parseClientFlags(command, [...args], {})).toThrow(UsageError);
  });
});

describe('mqttOptions', () => {
  it('connects once: no reconnect, a bounded CONNACK wait, no resubscribe', () => {
    const options = mqttOptions(parseClientFlags('sub', ['--connect-timeout', '3'], {})!);
    expect(options).toMatchObject({
      reconnectPeriod: 0,
      connectTimeout: 3000,
      resubscribe: false,
      protocolVersion: 4,
    });
  });

  it('gives an MQTT 5.0 persistent session a session expiry that never ends', () => {
    const options = mqttOptions(parseClientFlags('sub', ['-V', '5', '-c', '-i', 'x'], {})!);
    expect(options).toMatchObject({ clean: false, properties: { sessionExpiryInterval: 0xffffffff } });
  });
});
