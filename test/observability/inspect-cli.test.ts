// Test whether `mqttzoo inspect` shows the actor table, one actor's detail and, with --watch, the
// live transitions of a broker's debug endpoint in a terminal, with the token, and fails clearly
// without it.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCommand, type InspectIo } from '../../src/cli/inspect.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { until } from '../support/http-client.js';

let broker: TestBroker;
const clients: MqttClient[] = [];

function io(stop?: AbortSignal): InspectIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env: {},
    ...(stop ? { stop } : {}),
  };
}

async function connect(clientId: string): Promise<MqttClient> {
  const client = mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId, reconnectPeriod: 0 });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

beforeAll(async () => {
  broker = await startBroker({ sysInterval: 0, debugToken: 'cli-tok' });
  await (await connect('cli-client')).subscribeAsync('c/#', { qos: 1 });
});

afterAll(async () => {
  for (const c of clients.splice(0)) c.end(true);
  await broker.stop();
});

const flags = () => ['--port', String(broker.httpPort), '--token', 'cli-tok'];

describe('mqttzoo inspect', () => {
  it('prints the coordinator and a table of actors', async () => {
    const t = io();
    expect(await inspectCommand(flags(), t)).toBe(0);
    const text = t.stdout.join('');
    expect(text).toMatch(/^broker test: leader \(leader\), leader test, link connected/);
    expect(text).toContain('1 connection actors: connected.alive 1');
    expect(text).toMatch(/CLIENT ID\s+STATE\s+SESSION/);
    expect(text).toMatch(/cli-client\s+connected\.alive\s+clean\s+60s/);
    expect(text).toMatch(/c\/#\n$/);
  });

  it("prints one actor's detail and history", async () => {
    const t = io();
    expect(await inspectCommand([...flags(), 'cli-client'], t)).toBe(0);
    const text = t.stdout.join('');
    expect(text).toMatch(/^cli-client\s+\S+\s+connected\.alive/);
    expect(text).toContain('subscriptions: c/# (QoS 1)');
    expect(text).toMatch(/-\s+awaitingConnect\s+xstate\.init/);
    expect(text).toMatch(/connecting\s+connected\.alive\s+session\.granted/);
  });

  it('streams transitions with --watch until --count', async () => {
    const t = io();
    const watching = inspectCommand([...flags(), '--watch', '--count', '2', 'cli-w'], t);
    await until(
      async () => broker.server.broker.inspection.viewers,
      (n) => n === 1,
      5000,
      'the watcher',
    );
    await connect('cli-w');
    expect(await watching).toBe(0);
    const lines = t.stdout.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/cli-w packets awaitingConnect -> connecting/);
    expect(lines[1]).toMatch(/cli-w session\.granted connecting -> connected\.alive/);
  });

  it('stops a --watch when asked (Ctrl-C)', async () => {
    const stop = new AbortController();
    const t = io(stop.signal);
    const watching = inspectCommand([...flags(), '--watch'], t);
    await until(
      async () => broker.server.broker.inspection.viewers,
      (n) => n === 1,
      5000,
      'the watcher',
    );
    stop.abort();
    expect(await watching).toBe(0);
  });

  it('says why without the token, and rejects bad flags', async () => {
    const t = io();
    expect(await inspectCommand(['--port', String(broker.httpPort)], t)).toBe(1);
    expect(t.stderr.join('')).toMatch(/HTTP 401/);
    const bad = io();
    expect(await inspectCommand(['--port', 'x'], bad)).toBe(2);
    expect(await inspectCommand(['--bogus'], bad)).toBe(2);
    const help = io();
    expect(await inspectCommand(['--help'], help)).toBe(0);
    expect(help.stdout.join('')).toMatch(/^usage: mqttzoo inspect/);
  });
});
