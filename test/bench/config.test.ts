// Test whether benchmark settings come from flags and environment, flags first, with clear errors.
import { describe, expect, it } from 'vitest';
import { ALL_TARGETS, ConfigError, parseConfig } from '../../bench/config.js';
import {
  findScenarios,
  measuredBounds,
  SCENARIOS,
  subscriptionMatrix,
  warmupBounds,
} from '../../bench/scenarios.js';

describe('parseConfig', () => {
  it('defaults to every target and scenario, three runs', () => {
    const c = parseConfig([], {});
    expect(c.targets).toEqual([...ALL_TARGETS]);
    expect(c.scenarios).toEqual([]);
    expect(c.runs).toBe(3);
    expect(c.quick).toBe(false);
  });

  it('reads the environment', () => {
    const c = parseConfig([], {
      BENCH_TARGETS: 'aedes, mosquitto',
      BENCH_SCENARIOS: 'fan-in-qos0',
      BENCH_RUNS: '5',
    });
    expect(c.targets).toEqual(['aedes', 'mosquitto']);
    expect(c.scenarios).toEqual(['fan-in-qos0']);
    expect(c.runs).toBe(5);
  });

  it('lets flags win over the environment', () => {
    const c = parseConfig(['--targets', 'mqttzoo', '--runs', '2'], {
      BENCH_TARGETS: 'aedes',
      BENCH_RUNS: '5',
    });
    expect(c.targets).toEqual(['mqttzoo']);
    expect(c.runs).toBe(2);
  });

  it('makes quick mode one run', () => {
    expect(parseConfig([], { BENCH_QUICK: '1', BENCH_RUNS: '5' }).runs).toBe(1);
    expect(parseConfig(['--quick'], {}).quick).toBe(true);
    expect(parseConfig([], { BENCH_QUICK: '0' }).quick).toBe(false);
  });

  it('refuses unknown targets and bad run counts', () => {
    expect(() => parseConfig([], { BENCH_TARGETS: 'hivemq' })).toThrow(ConfigError);
    expect(() => parseConfig([], { BENCH_RUNS: '0' })).toThrow(ConfigError);
    expect(() => parseConfig(['--bogus'], {})).toThrow();
  });
});

describe('scenarios', () => {
  it('are all bounded in count and time, warm-up shorter than the measured phase', () => {
    for (const s of SCENARIOS) {
      for (const quick of [false, true]) {
        const m = measuredBounds(s, quick);
        const w = warmupBounds(s, quick);
        expect(m.messagesPerPublisher).toBeGreaterThan(0);
        expect(m.seconds).toBeGreaterThan(0);
        expect(w.messagesPerPublisher).toBeLessThanOrEqual(m.messagesPerPublisher);
        expect(w.seconds).toBeLessThanOrEqual(m.seconds);
      }
      expect(s.publisherTopics).toHaveLength(s.publishers);
      expect(s.subscriberTopics).toHaveLength(s.subscribers);
    }
  });

  it('connect pairs one to one and fan-out one to all', () => {
    const [pairs] = findScenarios(['pairs-qos1']);
    const m = subscriptionMatrix(pairs!);
    expect(m[3]![3]).toBe(true);
    expect(m[3]![4]).toBe(false);
    const [fanOut] = findScenarios(['fan-out-qos0']);
    expect(subscriptionMatrix(fanOut!).every((row) => row[0] === true)).toBe(true);
  });

  it('refuses an unknown scenario name', () => {
    expect(() => findScenarios(['fan-in-qos2'])).toThrow(/unknown scenario/);
  });
});
