// Test whether opening a session resumes it only while it lives: a disconnected session past its Session Expiry Interval has ended even before the leader removes it, unless a will is still owed (MQTT 5.0 sections 3.1.2.11.2 and 4.1).
import { describe, expect, it } from 'vitest';
import type { SessionOpenEvent } from '../../src/coordination/log-events.js';
import { openSession, willEndedBy } from '../../src/broker/state/session-open.js';
import { NEVER_EXPIRES } from '../../src/broker/state/session.js';
import { SessionStore } from '../../src/broker/state/sessions.js';

const open = (at: number, expiryInterval: number, cleanStart = false): SessionOpenEvent => ({
  type: 'session-open',
  clientId: 'c',
  brokerId: 'b',
  epoch: 'e',
  connId: `conn-${at}`,
  cleanStart,
  expiryInterval,
  protocolVersion: 5,
  at,
});

/** A store with session "c" (expiry `seconds`) that disconnected at t = 1000 ms. */
function disconnected(seconds: number): SessionStore {
  const sessions = new SessionStore();
  const { session } = openSession(sessions, open(0, seconds));
  session.owner = null;
  session.disconnectedAt = 1000;
  return sessions;
}

describe('openSession', () => {
  it('resumes a session within its expiry (2 s after a close at 1 s: until 3 s)', () => {
    expect(openSession(disconnected(2), open(2999, 2)).sessionPresent).toBe(true);
  });
  it('[MQTT-4.1.0-2] starts anew once the expiry has passed, even if no session-expire was applied', () => {
    expect(openSession(disconnected(2), open(3000, 2)).sessionPresent).toBe(false);
  });
  it('never expires a session with the interval 0xFFFFFFFF', () => {
    expect(openSession(disconnected(NEVER_EXPIRES), open(1e12, 2)).sessionPresent).toBe(true);
  });
  it('leaves a session that still owes its will to the leader (it publishes the will, then expires it)', () => {
    const sessions = disconnected(2);
    const session = sessions.get('c')!;
    session.will = { topic: 'w', payload: Buffer.from('x'), qos: 0, retain: false, delayInterval: 5 };
    session.willDueAt = 3000;
    expect(openSession(sessions, open(3500, 2)).sessionPresent).toBe(true);
  });
});

describe('willEndedBy', () => {
  const will = { topic: 'w', payload: Buffer.from('x'), qos: 0 as const, retain: false, delayInterval: 30 };
  it('[MQTT-3.1.2-8] Clean Start ends a disconnected session whose will waits for its delay: the will is due', () => {
    const sessions = disconnected(60);
    Object.assign(sessions.get('c')!, { will, willDueAt: 31_000 });
    expect(willEndedBy(sessions, open(2000, 60, true))?.will).toBe(will);
    expect(willEndedBy(sessions, open(2000, 60, false))).toBeNull(); // [MQTT-3.1.3-9] resumed in time
  });
  it('[MQTT-3.1.2-8] Clean Start takes over a connected session with a delayed will: the will is due', () => {
    const sessions = new SessionStore();
    const { session } = openSession(sessions, { ...open(0, 60), will });
    expect(session.owner).not.toBeNull();
    expect(willEndedBy(sessions, open(5, 60, true))?.will).toBe(will);
  });
  it('leaves a will without delay to the broker that closes the connection', () => {
    const sessions = new SessionStore();
    openSession(sessions, { ...open(0, 60), will: { ...will, delayInterval: 0 } });
    expect(willEndedBy(sessions, open(5, 60, true))).toBeNull();
  });
});
