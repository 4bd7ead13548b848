/**
 * Applying a session-open event: the connection becomes the session's owner, cluster-wide. Clean
 * start discards the old session [MQTT-3.1.2-6]; otherwise the session resumes with its
 * subscriptions and queued messages [MQTT-3.1.2-4]. The previous owner, wherever it is connected,
 * is taken over [MQTT-3.1.4-2] by the broker that holds it when it applies this same event.
 */
import type { SessionOpenEvent, WillMessage } from '../../coordination/log-events.js';
import type { Delivery } from '../../actors/connection/types.js';
import { NEVER_EXPIRES, type Owner, type SessionRecord } from './session.js';
import type { SessionStore } from './sessions.js';

export interface OpenResult {
  session: SessionRecord;
  sessionPresent: boolean;
  /** The connection that owned the session before, if one was connected. */
  previousOwner: Owner | null;
  /** Queued messages to re-send, in order, DUP where they may have been sent. */
  queued: Delivery[];
  awaitingRelease: number[];
}

export function openSession(sessions: SessionStore, event: SessionOpenEvent): OpenResult {
  const existing = sessions.get(event.clientId);
  const previousOwner = existing?.owner ?? null;
  const resumable =
    existing !== undefined && existing.persistent && !event.cleanStart && !expiredAt(existing, event.at);
  const session = existing ?? sessions.getOrCreate(event.clientId);
  if (!resumable) sessions.clear(session);
  session.owner = { brokerId: event.brokerId, epoch: event.epoch, connId: event.connId };
  session.protocolVersion = event.protocolVersion;
  session.expiryInterval = event.expiryInterval;
  session.disconnectedAt = null;
  // a new connection cancels a will still waiting for its delay (MQTT 5.0 3.1.3.2.2)
  session.will = event.will ?? null;
  session.willDueAt = null;
  return {
    session,
    sessionPresent: resumable,
    previousOwner,
    queued: resumable ? session.resumeQueue() : [],
    awaitingRelease: resumable ? [...session.awaitingRelease] : [],
  };
}

/**
 * A disconnected session whose expiry passed by `at` has ended [MQTT-4.1.0-2], even if the leader's
 * duty has not removed it yet: a CONNECT then finds no session. Not while a will is still owed:
 * the leader publishes it first (a will is due no later than the session's end).
 */
function expiredAt(session: SessionRecord, at: number): boolean {
  if (session.owner !== null || session.disconnectedAt === null || session.expiryInterval === NEVER_EXPIRES) {
    return false;
  }
  if (session.will !== null && session.willDueAt !== null) return false;
  return session.disconnectedAt + session.expiryInterval * 1000 <= at;
}

/**
 * When a will is due after its connection ended at `at`: after the will delay, or when the session
 * ends, whichever comes first (MQTT 5.0 3.1.3.2.2). 3.1.1 wills have no delay: due at once.
 */
export function willDueAt(session: SessionRecord, at: number): number {
  const delay = session.will?.delayInterval ?? 0;
  return at + Math.min(delay, session.expiryInterval) * 1000;
}

/**
 * The will a session-open makes due now, if any. Clean Start ends the old session, so a will still
 * waiting for its delay is due [MQTT-3.1.2-8]: that of a disconnected session, or of a connection
 * being taken over (its broker leaves a delayed will to the session, whose close is then ignored).
 * A session resumed in time keeps it unpublished [MQTT-3.1.3-9].
 */
export function willEndedBy(
  sessions: SessionStore,
  event: SessionOpenEvent,
): { session: SessionRecord; will: WillMessage } | null {
  const old = sessions.get(event.clientId);
  const will = old?.will;
  if (!event.cleanStart || old === undefined || will === null || will === undefined || !old.persistent) {
    return null;
  }
  const waiting = old.owner === null ? old.willDueAt !== null : will.delayInterval > 0;
  return waiting ? { session: old, will } : null;
}
