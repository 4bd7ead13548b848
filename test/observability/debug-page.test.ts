// Test whether the debug page renders in headless Chromium (Debian's, driven by playwright-core)
// and shows a connected client's state, its machine with the current state highlighted, its
// history, the cluster, and new clients live. Saves a screenshot to test-results/debug-page.png
// (and to docs/debug-page.png with UPDATE_SCREENSHOT=1).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';
import { rawClient, rawConnection, type RawClient } from '../support/raw-mqtt.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let broker: TestBroker;
let context: BrowserContext | null = null;
let profile = '';
const clients: MqttClient[] = [];
const raws: RawClient[] = [];

async function connect(clientId: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect({
    host: '127.0.0.1',
    port: broker.port,
    clientId,
    reconnectPeriod: 0,
    ...options,
  });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

beforeAll(async () => {
  broker = await startBroker({ sysInterval: 0 });
  const sensor = await connect('page-client');
  await sensor.subscribeAsync(['page/#', 'alerts/+'], { qos: 1 });
  await (await connect('dashboard-7', { clean: false })).subscribeAsync('page/temperature', { qos: 2 });
  await connect('thermostat-kitchen', { keepalive: 30 });
  const slow = await rawClient(broker.port, { clientId: 'slow-consumer' });
  raws.push(slow);
  slow.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'page/#', qos: 2 }] });
  await slow.next('suback');
  await sensor.publishAsync('page/temperature', '21.5', { qos: 2 });
  slow.send({ cmd: 'pubrec', messageId: (await slow.next('publish')).messageId! });
  await slow.next('pubrel');
  raws.push((await rawConnection(broker.port)).client);
  profile = mkdtempSync(join(tmpdir(), 'mqttzoo-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1760, height: 1000 },
    timeout: 30_000,
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile !== '') rmSync(profile, { recursive: true, force: true });
  for (const c of clients.splice(0)) c.end(true);
  for (const r of raws.splice(0)) r.close();
  await broker.stop();
});

describe('the debug page', () => {
  it("shows a connected client's state, machine and history, the cluster, and changes live", async () => {
    const page = await context!.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`http://127.0.0.1:${broker.httpPort}/debug/#client=page-client`);

    const row = page.locator('#actors tr[data-client-id="page-client"]');
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('connected.alive');
    expect(await row.locator('.state').textContent()).toBe('connected.alive');
    await expect.poll(() => row.locator('td').nth(8).textContent()).toBe('page/#, alerts/+');
    await page
      .locator('#actors tr[data-client-id="slow-consumer"] td:nth-child(6)', { hasText: 'PUBCOMP due' })
      .waitFor();
    await page.locator('#actors tr[data-state="awaitingConnect"]').waitFor();

    // the selected connection: its machine with the current state highlighted, and its history
    await page.locator('#machine .node.current[data-state="connected"]').waitFor();
    await page.locator('#machine .node.current[data-state="connected.alive"]').waitFor();
    expect(await page.locator('#machine .node.current').count()).toBe(2);
    await page.locator('#history td', { hasText: 'session.granted' }).waitFor();
    await page.locator('#detail-id', { hasText: 'page-client' }).waitFor();

    // the cluster and the coordinator
    await page.locator('#members tr[data-broker="test"]', { hasText: 'test (this)' }).waitFor();
    expect(await page.locator('#role').textContent()).toBe('leader');
    await page.locator('#coord-machine .node.current[data-state="leader"]').waitFor();

    // live: a new client appears in the table and in the stream of transitions
    await page.locator('#live', { hasText: 'live' }).waitFor();
    await connect('page-live');
    await page.locator('#actors tr[data-client-id="page-live"][data-state="connected.alive"]').waitFor();
    await page
      .locator('#log div', { hasText: 'page-live  session.granted  connecting → connected.alive' })
      .waitFor();
    expect(errors).toEqual([]);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/debug-page.png', fullPage: true });
    if (process.env.UPDATE_SCREENSHOT === '1')
      copyFileSync('test-results/debug-page.png', 'docs/debug-page.png');
    await page.close();
  }, 60_000);
});
