// Test whether shared subscriptions are chosen as replicated state must be: every replica applying the same log picks the same member for each message, a replica restored from a snapshot goes on exactly where the others are, connected members are preferred, and an emptied group goes (MQTT 5.0 section 4.8.2).
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/actors/connection/types.js';
import type { LogEvent, SubscriptionOptions } from '../../src/coordination/log-events.js';
import { ClusterState, type StateListener } from '../../src/broker/state/cluster-state.js';
import type { Owner, SessionRecord } from '../../src/broker/state/session.js';

const QOS1: SubscriptionOptions = { qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 };

/** A replica's state that records who got which payload. */
function replica(): { state: ClusterState; got: [string, string][] } {
  const got: [string, string][] = [];
  const listener: StateListener = {
    published: () => undefined,
    sessionDeliveries: (session: SessionRecord, _owner: Owner, deliveries: Delivery[]) => {
      for (const d of deliveries) got.push([session.clientId, d.payload.toString()]);
    },
    sessionOpened: () => undefined,
    subscribed: () => undefined,
    unsubscribed: () => undefined,
    sessionsReleased: () => undefined,
  };
  return { state: new ClusterState({ maxQueuedMessages: 100 }, listener), got };
}

let at = 0;
const open = (clientId: string, persistent = false): LogEvent => ({
  type: 'session-open',
  clientId,
  brokerId: 'b1',
  epoch: 'e',
  connId: `conn-${clientId}`,
  cleanStart: true,
  expiryInterval: persistent ? 3600 : 0,
  protocolVersion: 5,
  at: ++at,
});
const close = (clientId: string): LogEvent => ({
  type: 'session-close',
  clientId,
  connId: `conn-${clientId}`,
  at: ++at,
});
const share = (clientId: string, filter = '$share/g/t/+'): LogEvent => ({
  type: 'subscribe',
  clientId,
  connId: `conn-${clientId}`,
  subscriptions: [{ filter, options: QOS1 }],
  at: ++at,
});
const publish = (payload: string, topic = 't/1'): LogEvent => ({
  type: 'publish',
  topic,
  payload: Buffer.from(payload),
  qos: 1,
  retain: false,
  clientId: 'pub',
  brokerId: 'b1',
  at: ++at,
});
const apply = (state: ClusterState, events: LogEvent[]): void => {
  for (const e of events) state.applyEntry([e]);
};

describe('shared subscriptions in the replicated state', () => {
  it('takes turns over the members in the order they subscribed', () => {
    const { state, got } = replica();
    apply(state, [open('a'), open('b'), open('c'), share('b'), share('a'), share('c')]);
    apply(
      state,
      ['1', '2', '3', '4'].map((p) => publish(p)),
    );
    expect(got).toEqual([
      ['b', '1'],
      ['a', '2'],
      ['c', '3'],
      ['b', '4'],
    ]);
  });
  it('two replicas, one restored from a snapshot taken mid-stream, choose the same members', () => {
    const first = replica();
    const setup = [open('a'), open('b'), share('a'), share('b'), share('a', '$share/h/t/#')];
    apply(first.state, [...setup, publish('1')]);
    const second = replica();
    second.state.restore(structuredClone(first.state.toSnapshot()));
    const rest = ['2', '3', '4', '5'].map((p) => publish(p));
    apply(first.state, rest);
    apply(second.state, rest);
    expect(second.got).toEqual(first.got.slice(first.got.length - second.got.length));
    expect(second.got.length).toBe(8); // both groups got each of the four
  });
  it('prefers connected members; a disconnected persistent member queues only when none is connected', () => {
    const { state, got } = replica();
    apply(state, [open('p', true), open('c'), share('p'), share('c'), close('p')]);
    apply(state, [publish('1'), publish('2')]);
    expect(got).toEqual([
      ['c', '1'],
      ['c', '2'],
    ]);
    apply(state, [close('c'), publish('3')]);
    expect([...state.sessions.get('p')!.queue.values()].map((m) => m.payload.toString())).toEqual(['3']);
    expect(state.sessions.get('c')).toBeUndefined();
  });
  it('drops a clean member with its session, and the group with its last member', () => {
    const { state } = replica();
    apply(state, [open('a'), open('b'), share('a'), share('b')]);
    expect(state.sessions.shared.size).toBe(1);
    apply(state, [close('a')]);
    expect(state.sessions.shared.toJSON()[0]?.members.map(([id]) => id)).toEqual(['b']);
    apply(state, [close('b')]);
    expect(state.sessions.shared.size).toBe(0);
  });
  it('delivers a message no member can take to no one', () => {
    const { state, got } = replica();
    apply(state, [open('a'), share('a'), publish('1', 'other/1')]);
    expect(got).toEqual([]);
  });
});
