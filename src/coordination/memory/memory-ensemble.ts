/**
 * An in-process stand-in for a ZooKeeper ensemble: one ordered log, membership, an election queue and
 * snapshots, shared by every MemoryCoordination created on it. Single-node mode uses one ensemble
 * with one broker; unit tests put several brokers on one ensemble and inject faults through it.
 */
import type { LogEntry, LogPosition, Member } from '../coordination.js';
import { Listeners } from '../listeners.js';
import type { LogEvent } from '../log-events.js';

/** A batch as it sits in the log: the entry plus the writer's dedupe identity. */
export interface StoredBatch {
  entry: LogEntry;
  epoch: string;
  seq: number;
}

/** One participant's hooks, so the ensemble can tell it about faults. */
export interface EnsembleSession {
  readonly brokerId: string;
  /** The ensemble dropped the link (suspended) or expired the session (lost). */
  onFault(kind: 'disconnected' | 'reconnected' | 'expired'): void;
}

export interface StoredSnapshot {
  position: LogPosition;
  state: unknown;
  dedupe: [string, number][];
}

export class MemoryEnsemble {
  readonly batches: StoredBatch[] = [];
  private nextPosition = 1;
  /** Everything at or before this position was trimmed. */
  trimmedUpTo: LogPosition = 0;
  readonly members = new Map<string, Member>();
  /** Election candidates in arrival order: the first is the leader. */
  readonly candidates: string[] = [];
  readonly snapshots: StoredSnapshot[] = [];
  readonly committed = new Listeners<[StoredBatch]>();
  readonly membershipChanged = new Listeners<[]>();
  readonly electionChanged = new Listeners<[]>();
  private readonly sessions = new Map<string, EnsembleSession>();
  /** Fault injection: writers whose next commit lands but reports a lost reply. */
  private readonly loseNextReply = new Map<string, () => void>();
  /** Snapshots kept, newest last (as in ZooKeeper: the last two). */
  private readonly keepSnapshots = 2;

  /**
   * `keepApplied: false` is single-node mode: nobody can join later or restart from this log, so an
   * entry every member has applied is dropped at once instead of waiting for a snapshot and a trim
   * (which keeps the heap flat and young-generation GC cheap).
   */
  constructor(private readonly options: { keepApplied: boolean } = { keepApplied: true }) {}

  /** In single-node mode, drops the entries every member has applied. */
  releaseApplied(): void {
    if (this.options.keepApplied) return;
    let upTo = Infinity;
    for (const m of this.members.values()) upTo = Math.min(upTo, m.applied);
    if (upTo !== Infinity && upTo > this.trimmedUpTo) this.trim(upTo);
  }

  register(session: EnsembleSession): void {
    this.sessions.set(session.brokerId, session);
  }

  unregister(brokerId: string): void {
    this.sessions.delete(brokerId);
  }

  /** Commits a batch; returns its position, or 'reply-lost' when a fault says the writer must not know. */
  commit(
    brokerId: string,
    epoch: string,
    seq: number,
    events: LogEvent[],
    bytes: number,
  ): LogPosition | 'reply-lost' {
    const entry: LogEntry = { position: this.nextPosition++, brokerId, events, bytes };
    const stored: StoredBatch = { entry, epoch, seq };
    this.batches.push(stored);
    this.bytes += bytes;
    this.committed.emit(stored);
    const lost = this.loseNextReply.get(brokerId);
    if (lost !== undefined) {
      this.loseNextReply.delete(brokerId);
      lost();
      return 'reply-lost';
    }
    return entry.position;
  }

  /** Bytes of the batches in the log (kept as they come and go, so stats() costs nothing). */
  bytes = 0;

  get head(): LogPosition {
    return this.nextPosition - 1;
  }

  trim(upTo: LogPosition): number {
    let n = 0;
    while (n < this.batches.length && this.batches[n]!.entry.position <= upTo)
      this.bytes -= this.batches[n++]!.entry.bytes;
    this.batches.splice(0, n);
    this.trimmedUpTo = Math.max(this.trimmedUpTo, upTo);
    return n;
  }

  join(member: Member): void {
    this.members.set(member.brokerId, member);
    this.membershipChanged.emit();
  }

  leave(brokerId: string): void {
    const wasMember = this.members.delete(brokerId);
    const i = this.candidates.indexOf(brokerId);
    if (i >= 0) this.candidates.splice(i, 1);
    if (wasMember) this.membershipChanged.emit();
    if (i >= 0) this.electionChanged.emit();
  }

  campaign(brokerId: string): void {
    if (this.candidates.includes(brokerId)) return;
    this.candidates.push(brokerId);
    this.electionChanged.emit();
  }

  get leader(): string | null {
    return this.candidates[0] ?? null;
  }

  /** Keeps the newest two, as the ZooKeeper implementation does. */
  saveSnapshot(snapshot: StoredSnapshot): void {
    this.snapshots.push(snapshot);
    this.snapshots.sort((a, b) => a.position - b.position);
    this.snapshots.splice(0, Math.max(0, this.snapshots.length - this.keepSnapshots));
  }

  // ── fault injection (tests) ──

  /**
   * The next batch `brokerId` commits lands in the log, but its writer sees a lost reply. Resolves
   * when that happened.
   */
  loseReplyOfNextCommit(brokerId: string): Promise<void> {
    return new Promise((resolve) => this.loseNextReply.set(brokerId, resolve));
  }

  /** A second copy of the batch at `position` lands at the head of the log (a late duplicate). */
  duplicate(position: LogPosition): void {
    const original = this.batches.find((b) => b.entry.position === position);
    if (original === undefined) throw new Error(`no batch at ${position}`);
    const entry: LogEntry = { ...original.entry, position: this.nextPosition++ };
    const copy: StoredBatch = { entry, epoch: original.epoch, seq: original.seq };
    this.batches.push(copy);
    this.committed.emit(copy);
  }

  /** Drops the link of `brokerId` (its session lives on until `expire` or `reconnect`). */
  disconnect(brokerId: string): void {
    this.sessions.get(brokerId)?.onFault('disconnected');
  }

  reconnect(brokerId: string): void {
    this.sessions.get(brokerId)?.onFault('reconnected');
  }

  /** Expires the session of `brokerId`: its ephemeral state (membership, candidacy) goes. */
  expire(brokerId: string): void {
    this.leave(brokerId);
    this.sessions.get(brokerId)?.onFault('expired');
  }
}
