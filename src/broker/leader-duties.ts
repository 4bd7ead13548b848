/**
 * What the leader does for the whole cluster, run by the coordinator actor while it is leader. Each
 * duty only appends log events whose application is idempotent, so a duty run twice (by a leader
 * that lost its leadership mid-run and the next one) changes nothing the second time:
 * - broker-gone for session owners whose broker left membership (their clients are disconnected);
 * - will-publish for wills that are due (delay passed, or their broker vanished) [MQTT-3.1.2-8];
 * - session-expire for disconnected sessions past their expiry;
 * - expire-messages when retained or queued messages passed their expiry;
 * - a snapshot of the derived state, and trimming the log up to it once every live broker applied it.
 */
import type { DutyReport } from '../actors/coordinator/coordinator.machine.js';
import type { Broker } from './broker.js';
import { NEVER_EXPIRES } from './state/session.js';

export interface DutySettings {
  /** How long a session owner's broker may be missing from membership before it counts as gone. */
  brokerGoneGraceMs: number;
  /** Snapshot when this many entries were applied since the last one ... */
  snapshotEveryEntries: number;
  /** ... or the log holds this many bytes (trimming needs a snapshot: this keeps the log quota free) ... */
  snapshotLogBytes: number;
  /** ... or this much time passed (and anything was applied). */
  snapshotIntervalMs: number;
}

export const defaultDutySettings: DutySettings = {
  brokerGoneGraceMs: 15_000,
  snapshotEveryEntries: 20_000,
  snapshotLogBytes: 32 * 1024 * 1024,
  snapshotIntervalMs: 60_000,
};

export class LeaderDuties {
  /** (brokerId/epoch) -> when this leader first saw a session owned by it with the broker not a member. */
  private readonly missingSince = new Map<string, number>();
  private lastSnapshotPosition = 0;
  private lastSnapshotAt = 0;

  constructor(
    private readonly broker: Broker,
    private readonly settings: DutySettings = defaultDutySettings,
  ) {}

  async run(): Promise<DutyReport> {
    const now = this.broker.now();
    const appended = this.brokersGone(now) + this.sessionsDue(now) + this.messagesExpired(now);
    const report: DutyReport = { appended, trimmed: 0 };
    if (this.snapshotDue(now)) {
      const position = this.broker.applied;
      // the state and the position are taken in the same turn, so they match
      await this.broker.coordination.saveSnapshot(position, this.broker.state.toSnapshot());
      this.lastSnapshotPosition = position;
      this.lastSnapshotAt = now;
      report.snapshotAt = position;
    }
    // Trim never passes what every live broker applied, read fresh from membership (the cached
    // member list's positions are as old as its last change). Brokers write their position every
    // few seconds, so a snapshot is rarely trimmable at once: try again on every run until the
    // log's tail reaches it, not only when the next snapshot is taken.
    if (this.lastSnapshotPosition > this.broker.coordination.stats().tail) {
      report.trimmed = await this.broker.coordination.trim(this.lastSnapshotPosition);
    }
    return report;
  }

  private brokersGone(now: number): number {
    const live = new Set(this.broker.coordination.members().map((m) => `${m.brokerId}/${m.epoch}`));
    const owners = new Map<string, { brokerId: string; epoch: string }>();
    for (const session of this.broker.state.sessions.values()) {
      const o = session.owner;
      if (o !== null && !live.has(`${o.brokerId}/${o.epoch}`)) owners.set(`${o.brokerId}/${o.epoch}`, o);
    }
    for (const key of this.missingSince.keys()) if (!owners.has(key)) this.missingSince.delete(key);
    let appended = 0;
    for (const [key, owner] of owners) {
      const since = this.missingSince.get(key) ?? now;
      this.missingSince.set(key, since);
      // a broker that just started may not be in this leader's view of membership yet: wait a little
      if (now - since < this.settings.brokerGoneGraceMs) continue;
      this.broker.log.warn(
        { gone: owner.brokerId, epoch: owner.epoch },
        'broker left the cluster: releasing its sessions',
      );
      this.broker.append({ type: 'broker-gone', brokerId: owner.brokerId, epoch: owner.epoch, at: now });
      appended++;
    }
    return appended;
  }

  private sessionsDue(now: number): number {
    let appended = 0;
    for (const s of this.broker.state.sessions.values()) {
      if (s.owner !== null || s.disconnectedAt === null) continue;
      if (s.will !== null && s.willDueAt !== null && s.willDueAt <= now) {
        this.broker.append({ type: 'will-publish', clientId: s.clientId, at: now });
        appended++;
      } else if (s.expiryInterval !== NEVER_EXPIRES && s.disconnectedAt + s.expiryInterval * 1000 <= now) {
        this.broker.append({
          type: 'session-expire',
          clientId: s.clientId,
          disconnectedAt: s.disconnectedAt,
          at: now,
        });
        appended++;
      }
    }
    return appended;
  }

  private messagesExpired(now: number): number {
    const { state } = this.broker;
    const due = (m: { expiresAt?: number }): boolean => m.expiresAt !== undefined && m.expiresAt <= now;
    let any = state.retained.expiring > 0 && state.retained.all().some(due);
    if (!any) {
      for (const s of state.sessions.values()) {
        for (const m of s.queue.values()) if (due(m) && !m.maybeSent) any = true;
        if (any) break;
      }
    }
    if (!any) return 0;
    this.broker.append({ type: 'expire-messages', at: now });
    return 1;
  }

  private snapshotDue(now: number): boolean {
    const applied = this.broker.applied;
    if (applied <= this.lastSnapshotPosition) return false;
    // a snapshot is taken at the follower's position: not while flow control holds entries back
    if (this.broker.heldEntries > 0) return false;
    return (
      applied - this.lastSnapshotPosition >= this.settings.snapshotEveryEntries ||
      this.broker.coordination.stats().bytes >= this.settings.snapshotLogBytes ||
      now - this.lastSnapshotAt >= this.settings.snapshotIntervalMs
    );
  }
}
