/**
 * The in-memory Coordination: group commit per event-loop turn onto a MemoryEnsemble. Used in
 * single-node mode (`mqttzoo broker --standalone`) and by unit tests, and held to the same contract
 * as the ZooKeeper implementation (test/coordination/contract.ts).
 *
 * Events are kept as objects (not encoded) so that single-node mode pays nothing for the log beyond
 * batching; snapshots are encoded, as they would be in ZooKeeper. The writer queue (back-pressure,
 * flush) and the reader's dedupe table are the ones the ZooKeeper implementation uses (log/).
 */
import { randomUUID } from 'node:crypto';
import {
  AppendError,
  defaultCoordinationOptions,
  type AppendCallback,
  type Coordination,
  type CoordinationOptions,
  type LinkState,
  type LogEntry,
  type LogPosition,
  type LogStats,
  type Member,
  type Snapshot,
  type Unsubscribe,
} from '../coordination.js';
import { decodeDocument, encodeDocument } from '../codec.js';
import { Listeners } from '../listeners.js';
import type { LogEvent } from '../log-events.js';
import { DedupeTable, type DedupeEntries } from '../log/dedupe.js';
import { PendingQueue } from '../log/pending-queue.js';
import type { EnsembleSession, MemoryEnsemble } from './memory-ensemble.js';

/** Size of an event as the log's quota counts it (an estimate: no encoding in memory). */
function eventBytes(event: LogEvent): number {
  if (event.type === 'publish') return 48 + event.topic.length + event.payload.length;
  if (event.type === 'session-open') return 96 + event.clientId.length + (event.will?.payload.length ?? 0);
  return 64;
}

export type MemoryCoordinationOptions = Partial<CoordinationOptions> & Pick<CoordinationOptions, 'brokerId'>;

export class MemoryCoordination implements Coordination, EnsembleSession {
  readonly brokerId: string;
  private readonly options: CoordinationOptions;
  readonly epoch: string;
  private state: LinkState = 'connecting';
  private readonly linkListeners = new Listeners<[LinkState]>();
  private readonly memberListeners = new Listeners<[Member[]]>();
  private readonly leaderListeners = new Listeners<[boolean, string | null]>();
  private readonly unhook: (() => void)[] = [];

  private readonly queue: PendingQueue<LogEvent>;
  private flushScheduled = false;
  private batchSeq = 0;
  private wasLeader = false;

  private follower: ((entry: LogEntry) => void) | null = null;
  private cursor: LogPosition = 0;
  private lastDelivered: LogPosition = 0;
  private drainScheduled = false;
  private readonly dedupe = new DedupeTable();

  constructor(
    private readonly ensemble: MemoryEnsemble,
    options: MemoryCoordinationOptions,
  ) {
    this.options = {
      endpoints: { mqtt: '', http: '' },
      epoch: randomUUID(),
      ...defaultCoordinationOptions,
      ...options,
    };
    this.brokerId = options.brokerId;
    this.epoch = this.options.epoch;
    this.queue = new PendingQueue(this.options.maxPendingEvents);
  }

  get linkState(): LinkState {
    return this.state;
  }

  start(): Promise<void> {
    if (this.state !== 'connecting') return Promise.reject(new Error('cannot be started more than once'));
    this.ensemble.register(this);
    this.unhook.push(
      this.ensemble.committed.add(() => this.scheduleDrain()),
      this.ensemble.membershipChanged.add(() => this.memberListeners.emit(this.members())),
      this.ensemble.electionChanged.add(() => this.checkLeadership()),
    );
    this.openSession();
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    this.queue.failQueued(new AppendError('closed', 'coordination closed'));
    this.ensemble.leave(this.brokerId);
    this.ensemble.unregister(this.brokerId);
    for (const off of this.unhook.splice(0)) off();
    this.setState('closed');
    this.checkLeadership();
    return Promise.resolve();
  }

  onLinkState(listener: (state: LinkState) => void): Unsubscribe {
    return this.linkListeners.add(listener);
  }

  // ── EnsembleSession: faults injected by tests ──

  onFault(kind: 'disconnected' | 'reconnected' | 'expired'): void {
    if (this.state === 'closed') return;
    if (kind === 'disconnected') {
      this.setState('suspended');
      this.checkLeadership();
    } else if (kind === 'reconnected') {
      this.setState('connected');
      this.checkLeadership();
      this.scheduleFlush();
      this.scheduleDrain();
    } else {
      this.setState('lost');
      this.checkLeadership();
      // A new session rebuilds what the old one owned, as the ZooKeeper client does after expiry.
      this.setState('connecting');
      setImmediate(() => {
        if (this.state === 'connecting') this.openSession();
      });
    }
  }

  // ── the log ──

  append(event: LogEvent, done?: AppendCallback): void {
    if (this.state === 'closed') {
      done?.(new AppendError('closed', 'coordination closed'), 0);
      return;
    }
    const bytes = eventBytes(event);
    if (bytes > this.options.maxBatchBytes) {
      done?.(new AppendError('too-large', `event of ${bytes} bytes exceeds the batch limit`), 0);
      return;
    }
    this.queue.push({ value: event, bytes, done });
    this.scheduleFlush();
  }

  follow(after: LogPosition, onEntry: (entry: LogEntry) => void): Unsubscribe {
    if (this.follower !== null) throw new Error('the log has one follower per broker');
    this.follower = onEntry;
    this.cursor = after;
    this.lastDelivered = after;
    this.scheduleDrain();
    return () => {
      if (this.follower === onEntry) this.follower = null;
    };
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  onDrain(listener: () => void): Unsubscribe {
    return this.queue.drained.add(listener);
  }

  stats(): LogStats {
    return {
      head: this.ensemble.head,
      applied: this.cursor,
      tail: this.ensemble.trimmedUpTo,
      entries: this.ensemble.batches.length,
      bytes: this.ensemble.bytes,
      pendingEvents: this.queue.pending,
      pendingBytes: this.queue.pendingBytes,
      inFlightBatches: 0,
    };
  }

  // ── membership and leadership ──

  members(): Member[] {
    return [...this.ensemble.members.values()];
  }

  onMembers(listener: (members: Member[]) => void): Unsubscribe {
    return this.memberListeners.add(listener);
  }

  leaderId(): string | null {
    return this.state === 'connected' ? this.ensemble.leader : null;
  }

  isLeader(): boolean {
    return this.state === 'connected' && this.ensemble.leader === this.brokerId;
  }

  onLeadership(listener: (isLeader: boolean, leaderId: string | null) => void): Unsubscribe {
    return this.leaderListeners.add(listener);
  }

  // ── snapshots ──

  saveSnapshot(position: LogPosition, state: unknown): Promise<void> {
    // Between the last delivered entry and the cursor lie only repeats: same state, same table.
    if (position < this.lastDelivered || position > this.cursor) {
      return Promise.reject(
        new Error(`snapshot at ${position} but the follower delivered ${this.lastDelivered}`),
      );
    }
    const bytes = encodeDocument('snapshot', { position, state, dedupe: this.dedupe.entries() });
    const decoded = decodeDocument('snapshot', bytes) as {
      position: number;
      state: unknown;
      dedupe: DedupeEntries;
    };
    this.ensemble.saveSnapshot(decoded);
    return Promise.resolve();
  }

  loadSnapshot(): Promise<Snapshot | null> {
    const latest = this.ensemble.snapshots.at(-1);
    if (latest === undefined) return Promise.resolve(null);
    this.dedupe.restore(latest.dedupe);
    return Promise.resolve({ position: latest.position, state: latest.state });
  }

  trim(upTo: LogPosition): Promise<number> {
    const covered = this.ensemble.snapshots.at(-1)?.position ?? 0;
    // Never past what a snapshot covers or what any live broker has applied.
    const applied = [...this.ensemble.members.values()].map((m) => m.applied);
    return Promise.resolve(this.ensemble.trim(Math.min(upTo, covered, ...applied)));
  }

  // ── internals ──

  private openSession(): void {
    this.setState('connected');
    this.ensemble.join({
      brokerId: this.brokerId,
      epoch: this.epoch,
      mqtt: this.options.endpoints.mqtt,
      http: this.options.endpoints.http,
      startedAt: Date.now(),
      applied: this.cursor,
    });
    this.ensemble.campaign(this.brokerId);
    this.checkLeadership();
    this.scheduleFlush();
    this.scheduleDrain();
  }

  private setState(state: LinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.linkListeners.emit(state);
  }

  private checkLeadership(): void {
    const leader = this.isLeader();
    if (leader === this.wasLeader) return;
    this.wasLeader = leader;
    this.leaderListeners.emit(leader, this.leaderId());
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.queue.queuedCount === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.commitPending();
    });
  }

  /** Group commit: everything appended during the last turn goes out in batches of at most maxBatchBytes. */
  private commitPending(): void {
    while (this.state === 'connected' && this.queue.queuedCount > 0) {
      const batch = this.queue.take(this.options.maxBatchBytes);
      const bytes = batch.reduce((sum, p) => sum + p.bytes, 0);
      const seq = ++this.batchSeq;
      const events = batch.map((p) => p.value);
      let position = this.ensemble.commit(this.brokerId, this.epoch, seq, events, bytes);
      if (position === 'reply-lost') {
        // In doubt: read the log to learn whether the batch landed (it did, in memory) before
        // deciding to resend; a blind resend would duplicate it.
        position =
          this.findOwnBatch(seq) ?? this.ensemble.commit(this.brokerId, this.epoch, seq, events, bytes);
        if (position === 'reply-lost') position = this.findOwnBatch(seq) ?? 0;
      }
      this.queue.settle(batch);
      for (const p of batch) p.done?.(null, position);
    }
  }

  private findOwnBatch(seq: number): LogPosition | undefined {
    for (let i = this.ensemble.batches.length - 1; i >= 0; i--) {
      const b = this.ensemble.batches[i]!;
      if (b.epoch === this.epoch && b.seq === seq) return b.entry.position;
    }
    return undefined;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.follower === null) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.deliver();
    });
  }

  /** Delivers every batch after the cursor, in order, dropping repeats of (epoch, seq). */
  private deliver(): void {
    if (this.state !== 'connected') return;
    const batches = this.ensemble.batches;
    // Positions are consecutive in memory: index arithmetic instead of a search.
    const first = batches[0]?.entry.position ?? this.ensemble.head + 1;
    for (let i = Math.max(0, this.cursor + 1 - first); i < batches.length; i++) {
      const follower = this.follower; // the callback may have unfollowed
      if (follower === null) break;
      const b = batches[i]!;
      this.cursor = b.entry.position;
      if (!this.dedupe.accept(b.epoch, b.seq)) continue;
      this.lastDelivered = b.entry.position;
      follower(b.entry);
    }
    const self = this.ensemble.members.get(this.brokerId);
    if (self) self.applied = this.cursor;
    this.ensemble.releaseApplied();
  }
}
