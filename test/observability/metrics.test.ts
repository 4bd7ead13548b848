// Test whether GET /metrics is valid Prometheus text (a strict parser reads it), has the metrics
// the issue lists, and whether its counters move when traffic flows; two brokers in one process
// keep separate registries.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';
import { httpGet } from '../support/http-client.js';
import { parsePrometheus, sampleValue, type Family } from '../support/prometheus.js';

let broker: TestBroker;
let second: TestBroker;

beforeAll(async () => {
  broker = await startBroker({ sysInterval: 0 });
  second = await startBroker({ sysInterval: 0, brokerId: 'second' });
});

afterAll(async () => {
  await broker.stop();
  await second.stop();
});

async function scrape(b: TestBroker = broker): Promise<Map<string, Family>> {
  const reply = await httpGet(b.httpPort, '/metrics');
  expect(reply.status).toBe(200);
  expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(reply.body);
}

function connect(clientId: string): Promise<MqttClient> {
  const client = mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId, reconnectPeriod: 0 });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

describe('GET /metrics', () => {
  it('exposes the broker, log, coordination, quota and process metrics with their types', async () => {
    const m = await scrape();
    const types: Record<string, string> = {
      mqttzoo_info: 'gauge',
      mqttzoo_connections: 'gauge',
      mqttzoo_clients_connected: 'gauge',
      mqttzoo_packets_received_total: 'counter',
      mqttzoo_packets_sent_total: 'counter',
      mqttzoo_bytes_received_total: 'counter',
      mqttzoo_bytes_sent_total: 'counter',
      mqttzoo_messages_received_total: 'counter',
      mqttzoo_messages_sent_total: 'counter',
      mqttzoo_deliveries_total: 'counter',
      mqttzoo_messages_dropped_total: 'counter',
      mqttzoo_log_append_latency_seconds: 'histogram',
      mqttzoo_log_batch_events: 'histogram',
      mqttzoo_log_apply_lag_entries: 'gauge',
      mqttzoo_coordination_link_state: 'gauge',
      mqttzoo_leader: 'gauge',
      mqttzoo_quota_used: 'gauge',
      mqttzoo_quota_exceeded: 'gauge',
      mqttzoo_ready: 'gauge',
      mqttzoo_debug_viewers: 'gauge',
      process_cpu_user_seconds_total: 'counter',
      nodejs_heap_size_used_bytes: 'gauge',
    };
    for (const [name, type] of Object.entries(types)) expect([name, m.get(name)?.type]).toEqual([name, type]);
    expect(sampleValue(m, 'mqttzoo_info', { broker_id: 'test' })).toBe(1);
    expect(sampleValue(m, 'mqttzoo_coordination_link_state', { state: 'connected' })).toBe(1);
    expect(sampleValue(m, 'mqttzoo_coordination_link_state', { state: 'lost' })).toBe(0);
    expect(sampleValue(m, 'mqttzoo_leader')).toBe(1);
    expect(sampleValue(m, 'mqttzoo_ready')).toBe(1);
    expect(sampleValue(m, 'mqttzoo_log_apply_lag_entries')).toBe(0);
    expect(sampleValue(m, 'mqttzoo_quota_used', { bound: 'log_bytes' })).toEqual(expect.any(Number));
    expect(sampleValue(m, 'mqttzoo_messages_dropped_total', { reason: 'queue-full' })).toBe(0);
  });

  it('moves packet, byte, message, delivery and log counters when traffic flows', async () => {
    const before = await scrape();
    const v = (m: Map<string, Family>, name: string, labels: Record<string, string> = {}) =>
      sampleValue(m, name, labels) ?? 0;
    const client = await connect('metered');
    await client.subscribeAsync('m/#', { qos: 1 });
    const received = new Promise<void>((resolve) => {
      let n = 0;
      client.on('message', () => ++n === 8 && resolve());
    });
    for (let i = 0; i < 5; i++) await client.publishAsync(`m/${i}`, 'hello', { qos: 1 });
    for (let i = 0; i < 3; i++) await client.publishAsync(`m/${i}`, 'hello', { qos: 0 });
    await received;
    const during = await scrape();
    expect(v(during, 'mqttzoo_clients_connected')).toBe(1);
    await client.endAsync();
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      v(after, name, labels) - v(before, name, labels);
    expect(delta('mqttzoo_packets_received_total', { type: 'connect' })).toBe(1);
    expect(delta('mqttzoo_packets_received_total', { type: 'publish' })).toBe(8);
    expect(delta('mqttzoo_packets_received_total', { type: 'subscribe' })).toBe(1);
    expect(delta('mqttzoo_packets_sent_total', { type: 'puback' })).toBe(5);
    expect(delta('mqttzoo_packets_sent_total', { type: 'publish' })).toBe(8);
    expect(delta('mqttzoo_messages_received_total', { qos: '1' })).toBe(5);
    expect(delta('mqttzoo_messages_received_total', { qos: '0' })).toBe(3);
    expect(delta('mqttzoo_messages_sent_total', { qos: '1' })).toBe(5);
    expect(delta('mqttzoo_messages_sent_total', { qos: '0' })).toBe(3);
    expect(delta('mqttzoo_deliveries_total')).toBe(8);
    expect(delta('mqttzoo_bytes_received_total')).toBeGreaterThan(8 * 'hello'.length);
    expect(delta('mqttzoo_bytes_sent_total')).toBeGreaterThan(8 * 'hello'.length);
    expect(delta('mqttzoo_connections_accepted_total')).toBe(1);
    expect(delta('mqttzoo_log_append_latency_seconds_count')).toBe(5);
    expect(delta('mqttzoo_log_append_latency_seconds_bucket', { le: '+Inf' })).toBe(5);
    expect(delta('mqttzoo_log_batch_events_count')).toBeGreaterThan(0);
    expect(delta('mqttzoo_log_batch_events_sum')).toBeGreaterThanOrEqual(8);
    expect(v(after, 'mqttzoo_log_head_position')).toBeGreaterThan(v(before, 'mqttzoo_log_head_position'));
  });

  it('keeps one registry per broker: two brokers in one process report their own figures', async () => {
    const [a, b] = await Promise.all([scrape(broker), scrape(second)]);
    expect(sampleValue(a, 'mqttzoo_info', { broker_id: 'test' })).toBe(1);
    expect(sampleValue(b, 'mqttzoo_info', { broker_id: 'second' })).toBe(1);
    expect(sampleValue(b, 'mqttzoo_info', { broker_id: 'test' })).toBeUndefined();
    expect(sampleValue(b, 'mqttzoo_packets_received_total', { type: 'publish' })).toBe(0);
  });
});
