// Test whether flow control pauses intake while a client cannot keep up, resumes when it drains,
// and stops waiting for a client that stays congested (a slow consumer).
import { describe, expect, it } from 'vitest';
import { FlowControl, type FlowClient } from '../../src/broker/flow-control.js';

function client(id: string): FlowClient & { bufferedBytes: number; queuedMessages: number } {
  return { connId: id, bufferedBytes: 0, queuedMessages: 0 };
}

function setup() {
  let now = 0;
  const slow: string[] = [];
  const flow = new FlowControl(
    { outputHighWater: 1000, queueHighWater: 10, slowConsumerMs: 500 },
    () => now,
    (c) => slow.push(c.connId),
  );
  const changes: boolean[] = [];
  flow.changed.add((paused) => changes.push(paused));
  return { flow, changes, slow, advance: (ms: number) => (now += ms) };
}

describe('FlowControl', () => {
  it('pauses when a socket buffer or a queue passes its high-water mark, and resumes when it drains', () => {
    const { flow, changes } = setup();
    const a = client('a');
    flow.check(a);
    expect(flow.paused).toBe(false);
    a.bufferedBytes = 1001;
    flow.check(a);
    expect(flow.paused).toBe(true);
    a.bufferedBytes = 0;
    a.queuedMessages = 11;
    flow.check(a);
    expect(flow.paused).toBe(true);
    a.queuedMessages = 0;
    flow.check(a);
    expect(flow.paused).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('announces every client that becomes congested, also one that does while intake is already paused', () => {
    const { flow, changes } = setup();
    const congested: string[] = [];
    flow.congestedClient.add((c) => congested.push(c.connId));
    const a = client('a');
    const b = client('b');
    a.queuedMessages = b.queuedMessages = 11;
    flow.check(a);
    flow.check(b); // paused already: no change, but b's socket must be read from now on
    flow.check(b);
    expect(changes).toEqual([true]);
    expect(congested).toEqual(['a', 'b']);
    expect(flow.isCongested(b)).toBe(true);
  });

  it('stays paused until every congested client drains', () => {
    const { flow } = setup();
    const a = client('a');
    const b = client('b');
    a.bufferedBytes = b.bufferedBytes = 5000;
    flow.check(a);
    flow.check(b);
    a.bufferedBytes = 0;
    flow.check(a);
    expect(flow.paused).toBe(true);
    flow.forget(b); // b closed
    expect(flow.paused).toBe(false);
  });

  it('declares a client congested for too long a slow consumer and resumes without it', () => {
    const { flow, slow, advance } = setup();
    const a = client('a');
    a.bufferedBytes = 5000;
    flow.check(a);
    advance(499);
    flow.tick();
    expect(flow.paused).toBe(true);
    advance(1);
    flow.tick();
    expect(slow).toEqual(['a']);
    expect(flow.paused).toBe(false);
    expect(flow.isSlow(a)).toBe(true);
    flow.check(a); // still over: a slow consumer does not pause intake again
    expect(flow.paused).toBe(false);
    a.bufferedBytes = 0;
    flow.check(a); // drained: an ordinary client again
    expect(flow.isSlow(a)).toBe(false);
  });
});
