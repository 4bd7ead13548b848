// Test whether a SUBSCRIBE plan grants the requested QoS filter by filter and fails the filters the server refuses with the code of the version (MQTT 3.1.1 section 3.9.3, MQTT 5.0 section 3.9.3).
import type { ISubscribePacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { planSubscribe } from '../../src/broker/subscribe-plan.js';

const subscribe = (...filters: [string, 0 | 1 | 2][]): ISubscribePacket => ({
  cmd: 'subscribe',
  messageId: 1,
  subscriptions: filters.map(([topic, qos]) => ({ topic, qos })),
});

describe('planSubscribe', () => {
  it('grants each filter its requested QoS, in order [MQTT-3.9.3-1]', () => {
    const plan = planSubscribe(subscribe(['a', 2], ['b/+', 0], ['#', 1]), 4);
    expect(plan.codes).toEqual([2, 0, 1]);
    expect(plan.accepted.map((a) => a.filter)).toEqual(['a', 'b/+', '#']);
  });

  it('fails a refused filter alone with 0x80 in 3.1.1 and 5.0 [MQTT-3.9.3-2] (as Paho expects)', () => {
    const refused = new Set(['test/nosubscribe']);
    const packet = subscribe(['a', 1], ['test/nosubscribe', 2]);
    expect(planSubscribe(packet, 4, refused).codes).toEqual([1, 0x80]);
    expect(planSubscribe(packet, 5, refused).codes).toEqual([1, 0x80]);
    expect(planSubscribe(packet, 4, refused).accepted.map((a) => a.filter)).toEqual(['a']);
  });

  it('compares refused filters character by character', () => {
    const refused = new Set(['test/nosubscribe']);
    expect(planSubscribe(subscribe(['test/+', 0], ['Test/nosubscribe', 0]), 4, refused).codes).toEqual([
      0, 0,
    ]);
  });

  it('grants shared subscriptions like any other filter, in 5.0 and 3.1.1', () => {
    const plan = planSubscribe(subscribe(['$share/g/a', 1], ['a', 2]), 5);
    expect(plan.codes).toEqual([1, 2]);
    expect(plan.accepted.map((a) => a.filter)).toEqual(['$share/g/a', 'a']);
    expect(planSubscribe(subscribe(['$share/g/a', 1]), 4).codes).toEqual([1]);
  });
});
