/**
 * Test whether `mqttzoo pub` and `mqttzoo sub` fail the way docs/CLI.md says: one line on stderr and a
 * non-zero exit, without retrying, for a closed port, an unknown host, a server that never answers, a
 * refused CONNACK, a subscription the broker refuses, a connection lost mid-session, and bad flags.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killClients, mqttzoo, startBrokerProcess, type BrokerProcess, type Proc } from './processes.js';

let broker: BrokerProcess;
let port: string;

beforeAll(async () => {
  broker = await startBrokerProcess(['--max-client-id-length', '23']);
  port = String(broker.port);
});
afterEach(killClients);
afterAll(async () => broker.stop());

/** A port nobody listens on: bound by us for a moment, then released. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return String(address.port);
}

/** The process's stderr is exactly one line; returns it. */
function oneLine(proc: Proc): string {
  const lines = proc.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('cannot connect: one line, exit 1', () => {
  it.each(['pub', 'sub'])('%s to a closed port', async (command) => {
    const closed = await closedPort();
    const proc = mqttzoo([command, '-h', '127.0.0.1', '-p', closed]);
    expect(await proc.waitExit()).toEqual({ code: 1, signal: null });
    expect(oneLine(proc)).toBe(
      `mqttzoo ${command}: cannot connect to 127.0.0.1:${closed}: connection refused (ECONNREFUSED)`,
    );
  });

  it.each(['pub', 'sub'])(
    '%s to a host name that does not resolve',
    async (command) => {
      const proc = mqttzoo([command, '-h', 'no-such-host.invalid', '-p', port]);
      // Without a reachable DNS server the resolver may take its own timeouts before failing
      expect(await proc.waitExit(30_000)).toEqual({ code: 1, signal: null });
      expect(oneLine(proc)).toMatch(
        new RegExp(`^mqttzoo ${command}: cannot resolve host "no-such-host\\.invalid" \\(E[A-Z_]+\\)$`),
      );
    },
    40_000,
  );

  it('to a server that accepts but never answers CONNECT (--connect-timeout)', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const proc = mqttzoo(['sub', '-h', '127.0.0.1', '-p', String(address.port), '--connect-timeout', '1']);
      expect(await proc.waitExit()).toEqual({ code: 1, signal: null });
      expect(oneLine(proc)).toBe(
        `mqttzoo sub: cannot connect to 127.0.0.1:${address.port}: no answer within 1 s`,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('refused by the broker: one line, exit 3', () => {
  const tooLong = 'a-client-id-of-24-chars!';

  it.each(['pub', 'sub'])('%s with a client id longer than the broker takes (3.1.1)', async (command) => {
    const proc = mqttzoo([command, '-p', port, '-i', tooLong]);
    expect(await proc.waitExit()).toEqual({ code: 3, signal: null });
    expect(oneLine(proc)).toBe(`mqttzoo ${command}: connection refused: identifier rejected (2)`);
  });

  it('sub with that client id over MQTT 5.0', async () => {
    const proc = mqttzoo(['sub', '-p', port, '-i', tooLong, '-V', '5']);
    expect(await proc.waitExit()).toEqual({ code: 3, signal: null });
    expect(oneLine(proc)).toBe('mqttzoo sub: connection refused: client identifier not valid (0x85)');
  });
});

describe('connection lost mid-session: one line, exit 1', () => {
  it.each(['pub', 'sub'])('%s when the broker is killed', async (command) => {
    const doomed = await startBrokerProcess();
    try {
      const args = [command, '-p', String(doomed.port), '-d'];
      const proc = mqttzoo(args, { keepStdinOpen: true });
      const ready = command === 'sub' ? 'subscribed to' : 'connected to';
      await proc.waitFor(ready, (p) => p.stderr.includes(ready));
      doomed.proc.kill('SIGKILL');
      expect(await proc.waitExit()).toEqual({ code: 1, signal: null });
      const last = proc.stderr.trim().split('\n').pop();
      expect(last).toMatch(
        new RegExp(`^mqttzoo ${command}: connection to localhost:${doomed.port} lost: .+$`),
      );
    } finally {
      await doomed.stop();
    }
  });
});

describe('bad flags: the problem and the usage on stderr, exit 2', () => {
  it.each([
    [['pub', '-q', '3'], '-q must be a whole number from 0 to 2, got "3"'],
    [['pub', '-p', '70000'], '-p must be a whole number from 1 to 65535, got "70000"'],
    [['pub', '-t', 'a/+'], 'invalid topic "a/+": wildcard in topic name'],
    [['pub', '-t', 'a', '-t', 'b'], 'pub publishes to one topic: give -t once'],
    [['sub', '-t', 'a/#/b'], 'invalid topic "a/#/b": misplaced wildcard'],
    [['sub', '-r'], '--retain applies to pub only'],
    [['pub', '-C', '2'], '--count applies to sub only'],
    [['sub', '-c'], '-c needs a client id: give -i'],
    [['sub', '-P', 'secret'], '-P needs -u'],
    [['sub', '-V', '3'], '-V must be 3.1.1 or 5, got "3"'],
    [['sub', '--bogus'], "Unknown option '--bogus'"],
  ])('%j', async (args, problem) => {
    const proc = mqttzoo(args);
    expect(await proc.waitExit()).toEqual({ code: 2, signal: null });
    const [first, second] = proc.stderr.split('\n');
    expect(first).toContain(`mqttzoo ${args[0]}: ${problem}`);
    expect(second).toBe(`usage: mqttzoo ${args[0]} [options]${args[0] === 'pub' ? ' < lines' : ''}`);
    expect(proc.stdout).toBe('');
  });

  it.each(['pub', 'sub'])('%s --help prints the usage on stdout, exit 0', async (command) => {
    const proc = mqttzoo([command, '--help']);
    expect(await proc.waitExit()).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toMatch(new RegExp(`^usage: mqttzoo ${command} `));
    expect(proc.stderr).toBe('');
  });
});
