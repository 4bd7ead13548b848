/**
 * Test whether real `mqttzoo pub` and `mqttzoo sub` processes exchange lines through a real broker
 * process: order kept at QoS 0/1/2, an empty line or the end of input ends pub with DISCONNECT,
 * SIGINT/SIGTERM end sub cleanly, the defaults (topic `Testing`, host localhost), retained messages,
 * -C, persistent sessions, and a large piped input arriving whole.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killClients, mqttzoo, startBrokerProcess, type BrokerProcess, type Proc } from './processes.js';

let broker: BrokerProcess;
let port: string;
let ids = 0;

beforeAll(async () => {
  // A queue long enough for the large-input case: beyond it the broker drops by design (docs/CLI.md)
  broker = await startBrokerProcess(['--max-queued-messages', '60000']);
  port = String(broker.port);
});
afterEach(killClients);
afterAll(async () => broker.stop());

const uniqueId = (what: string): string => `cli-${what}-${++ids}`;

/** A subscriber that has its SUBACK (-d says "subscribed to ..." on stderr). */
async function subscribed(args: string[], id = uniqueId('sub')): Promise<Proc> {
  const sub = mqttzoo(['sub', '-p', port, '-i', id, '-d', ...args]);
  await sub.waitFor('SUBACK', (p) => p.stderr.includes('subscribed to'));
  return sub;
}

/** Resolves once the broker logged that `clientId` ended with DISCONNECT (not a dropped socket). */
async function cleanDisconnect(clientId: string): Promise<void> {
  await broker.waitForLog(
    `DISCONNECT from ${clientId}`,
    (l) => l.msg === 'client disconnected' && l.clientId === clientId,
  );
  const line = broker.logs().find((l) => l.msg === 'client disconnected' && l.clientId === clientId);
  expect(line?.reason?.kind).toBe('client-disconnect');
}

describe('lines go from pub to sub', () => {
  it.each([0, 1, 2])('in order at QoS %i', async (qos) => {
    const topic = `cli/order/${qos}`;
    const sub = await subscribed(['-t', topic, '-q', String(qos), '-v', '-C', '3']);
    const pub = mqttzoo(['pub', '-p', port, '-t', topic, '-q', String(qos)], { input: 'one\ntwo\nthree\n' });
    expect(await pub.waitExit()).toEqual({ code: 0, signal: null });
    expect(await sub.waitExit()).toEqual({ code: 0, signal: null });
    expect(sub.lines).toEqual([`${topic} one`, `${topic} two`, `${topic} three`]);
  });

  it('over MQTT 5.0 too (-V 5)', async () => {
    const sub = await subscribed(['-t', 'cli/v5', '-V', '5', '-q', '1', '-C', '2']);
    const pub = mqttzoo(['pub', '-p', port, '-t', 'cli/v5', '-V', '5', '-q', '1'], { input: 'a\nb\n' });
    expect((await pub.waitExit()).code).toBe(0);
    expect((await sub.waitExit()).code).toBe(0);
    expect(sub.lines).toEqual(['a', 'b']);
  });

  it('to every -t filter of one sub, wildcards included', async () => {
    const sub = await subscribed(['-t', 'cli/w/+', '-t', 'cli/x/#', '-v', '-C', '2']);
    mqttzoo(['pub', '-p', port, '-t', 'cli/w/1'], { input: 'w\n' });
    mqttzoo(['pub', '-p', port, '-t', 'cli/x/y/z'], { input: 'x\n' });
    expect((await sub.waitExit()).code).toBe(0);
    expect(sub.lines.sort()).toEqual(['cli/w/1 w', 'cli/x/y/z x']);
  });

  it('every line of a large piped input (QoS 1, 20000 lines), in order', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    const sub = await subscribed(['-t', 'cli/large', '-q', '1', '-C', String(lines.length)]);
    const pub = mqttzoo(['pub', '-p', port, '-t', 'cli/large', '-q', '1'], {
      input: `${lines.join('\n')}\n`,
    });
    expect((await pub.waitExit(60_000)).code).toBe(0);
    expect((await sub.waitExit(60_000)).code).toBe(0);
    expect(sub.lines).toEqual(lines);
  }, 90_000);
});

describe('pub ends cleanly', () => {
  it('at an empty line, with input still open: exit 0, DISCONNECT, nothing after it published', async () => {
    const sub = await subscribed(['-t', 'cli/empty', '-C', '2']);
    const id = uniqueId('pub');
    const pub = mqttzoo(['pub', '-p', port, '-t', 'cli/empty', '-i', id], {
      input: 'before\n\nafter\n',
      keepStdinOpen: true,
    });
    expect(await pub.waitExit()).toEqual({ code: 0, signal: null });
    await cleanDisconnect(id);
    mqttzoo(['pub', '-p', port, '-t', 'cli/empty'], { input: 'sentinel\n' });
    expect((await sub.waitExit()).code).toBe(0);
    expect(sub.lines).toEqual(['before', 'sentinel']);
  });

  it('at the end of input, counting a last line without a newline', async () => {
    const sub = await subscribed(['-t', 'cli/eof', '-C', '2', '-q', '2']);
    const id = uniqueId('pub');
    const pub = mqttzoo(['pub', '-p', port, '-t', 'cli/eof', '-q', '2', '-i', id], {
      input: 'first\r\nlast',
    });
    expect(await pub.waitExit()).toEqual({ code: 0, signal: null });
    await cleanDisconnect(id);
    expect((await sub.waitExit()).code).toBe(0);
    expect(sub.lines).toEqual(['first', 'last']);
  });

  it('on SIGINT while waiting for input', async () => {
    const id = uniqueId('pub');
    const pub = mqttzoo(['pub', '-p', port, '-i', id, '-d'], { keepStdinOpen: true });
    await pub.waitFor('connected', (p) => p.stderr.includes('connected to'));
    pub.kill('SIGINT');
    expect(await pub.waitExit()).toEqual({ code: 0, signal: null });
    await cleanDisconnect(id);
  });
});

describe('sub', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('ends cleanly on %s: exit 0 and DISCONNECT', async (signal) => {
    const id = uniqueId('sub');
    const sub = await subscribed(['-t', 'cli/signal'], id);
    sub.kill(signal);
    expect(await sub.waitExit()).toEqual({ code: 0, signal: null });
    await cleanDisconnect(id);
  });

  it('prints a retained message (-r) to a later subscriber, and -C ends it', async () => {
    const pub = mqttzoo(['pub', '-p', port, '-t', 'cli/retained', '-r', '-q', '1'], { input: 'kept\n' });
    expect((await pub.waitExit()).code).toBe(0);
    const sub = mqttzoo(['sub', '-p', port, '-t', 'cli/retained', '-C', '1', '-v']);
    expect(await sub.waitExit()).toEqual({ code: 0, signal: null });
    expect(sub.lines).toEqual(['cli/retained kept']);
  });

  it('with -C N prints exactly N messages', async () => {
    const sub = await subscribed(['-t', 'cli/count', '-C', '3', '-q', '1']);
    mqttzoo(['pub', '-p', port, '-t', 'cli/count', '-q', '1'], { input: '1\n2\n3\n4\n5\n' });
    expect((await sub.waitExit()).code).toBe(0);
    expect(sub.lines).toEqual(['1', '2', '3']);
  });

  it('with -c keeps its session: messages sent while it was away arrive when it is back', async () => {
    const id = uniqueId('persistent');
    const first = await subscribed(['-t', 'cli/away', '-q', '1', '-c'], id);
    first.kill('SIGINT');
    expect((await first.waitExit()).code).toBe(0);
    const pub = mqttzoo(['pub', '-p', port, '-t', 'cli/away', '-q', '1'], { input: 'while\naway\n' });
    expect((await pub.waitExit()).code).toBe(0);
    const back = mqttzoo(['sub', '-p', port, '-t', 'cli/away', '-q', '1', '-c', '-i', id, '-C', '2']);
    expect((await back.waitExit()).code).toBe(0);
    expect(back.lines).toEqual(['while', 'away']);
  });
});

describe('defaults', () => {
  it('topic Testing and host localhost: only -p given', async () => {
    const sub = mqttzoo(['sub', '-p', port, '-v', '-d', '-C', '1']);
    await sub.waitFor('SUBACK', (p) => p.stderr.includes('subscribed to "Testing"'));
    const pub = mqttzoo(['pub', '-p', port], { input: 'hello\n' });
    expect((await pub.waitExit()).code).toBe(0);
    expect((await sub.waitExit()).code).toBe(0);
    expect(sub.lines).toEqual(['Testing hello']);
    expect(sub.stderr).toContain('connected to localhost:');
  });

  it('port from MQTTZOO_PORT when -p is not given', async () => {
    const sub = await subscribed(['-t', 'cli/env', '-C', '1']);
    const pub = mqttzoo(['pub', '-t', 'cli/env'], { input: 'from env\n', env: { MQTTZOO_PORT: port } });
    expect((await pub.waitExit()).code).toBe(0);
    expect((await sub.waitExit()).code).toBe(0);
    expect(sub.lines).toEqual(['from env']);
  });
});
