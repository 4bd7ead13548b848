/**
 * The ZooKeeper implementation of Coordination: composes the client (session lifecycle), the
 * watchdog, membership, the leader latch, the log writer and follower, snapshots and trim, and
 * routes link changes to them (Curator's handleStateChange, in one method: onLink).
 *
 * Lifecycle, as Curator's recipes: latent → started → closed; start once, close always.
 */
import {
  type AppendCallback,
  type Coordination,
  type LinkState,
  type LogEntry,
  type LogPosition,
  type LogStats,
  type Member,
  type Snapshot,
  type Unsubscribe,
} from '../coordination.js';
import { Listeners } from '../listeners.js';
import type { LogEvent } from '../log-events.js';
import { DedupeTable } from '../log/dedupe.js';
import { ZkClient } from './client.js';
import { Ledger } from './ledger.js';
import { LeaderLatch } from './leader-latch.js';
import { LogFollower } from './log-follower.js';
import { LogWriter } from './log-writer.js';
import { Membership } from './membership.js';
import { withDefaults, type ZooKeeperCoordinationOptions, type ZooKeeperOptions } from './options.js';
import { SerialTask } from './serial-task.js';
import { Snapshots } from './snapshots.js';
import { readHead, readTail, trimLog } from './trim.js';
import { Watchdog, type Probed } from './watchdog.js';

export class ZooKeeperCoordination implements Coordination {
  readonly brokerId: string;
  /** This process incarnation: in membership and in every batch header. */
  readonly epoch: string;
  private readonly options: ZooKeeperOptions;
  private readonly client: ZkClient;
  private readonly watchdog: Watchdog;
  private readonly membership: Membership;
  private readonly latch: LeaderLatch;
  private readonly writer: LogWriter;
  private readonly snapshots: Snapshots;
  private readonly dedupe = new DedupeTable();
  private readonly ledger = new Ledger();
  private readonly linkListeners = new Listeners<[LinkState]>();
  private readonly establisher: SerialTask;
  private lifecycle: 'latent' | 'started' | 'closed' = 'latent';
  private follower: LogFollower | null = null;
  /** Session whose ephemeral nodes (membership, candidacy) exist. */
  private establishedSession: string | null = null;
  private established: () => void = () => undefined;
  private cursor: LogPosition = 0;
  private lastDelivered: LogPosition = 0;
  private tail: LogPosition = 0;
  /** Newest batch seen in the log's segment stats (the writer's and follower's own are added). */
  private knownHead: LogPosition = 0;
  private readonly startedAt = Date.now();
  private tailTimer: NodeJS.Timeout | undefined;

  constructor(options: ZooKeeperCoordinationOptions) {
    this.options = withDefaults(options);
    this.brokerId = options.brokerId;
    this.epoch = this.options.epoch;
    const { log } = this.options;
    this.client = new ZkClient(this.options);
    this.watchdog = new Watchdog(this.probeTarget(), this.options.watchdog, () =>
      log.warn({ brokerId: this.brokerId }, 'zookeeper server stalled: dropping the connection'),
    );
    this.membership = new Membership(this.client, () => this.self(), this.options.memberRefreshMs, log);
    this.latch = new LeaderLatch(this.client, this.brokerId, log);
    this.writer = new LogWriter(this.client, { ...this.options, recoveryRetry: this.options.connectRetry });
    this.snapshots = new Snapshots(this.client, {
      chunkBytes: this.options.snapshotChunkBytes,
      keep: 2,
      log,
    });
    this.establisher = new SerialTask(
      () => this.establish(),
      (err) => {
        log.warn({ err }, 'could not join membership and election; retrying');
        // A reconnect retries too; this covers failures that were not the link's.
        setTimeout(() => this.establisher.trigger(), 1000).unref();
      },
    );
  }

  get linkState(): LinkState {
    return this.client.state;
  }

  async start(): Promise<void> {
    if (this.lifecycle !== 'latent') throw new Error('cannot be started more than once');
    this.lifecycle = 'started';
    const joined = new Promise<void>((resolve) => (this.established = resolve));
    this.client.onLink((state, newSession) => this.onLink(state, newSession));
    await this.client.start();
    this.watchdog.start();
    this.membership.start();
    this.tailTimer = setInterval(() => void this.refreshBounds(), this.options.memberRefreshMs);
    this.tailTimer.unref();
    await joined;
  }

  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    clearInterval(this.tailTimer);
    this.watchdog.stop();
    this.membership.stop();
    this.follower?.stop();
    this.writer.close();
    await this.latch.close();
    await this.client.close(); // closing the session removes our ephemeral nodes at once
    this.established();
  }

  onLinkState(listener: (state: LinkState) => void): Unsubscribe {
    return this.linkListeners.add(listener);
  }

  /** All link handling in one place (Curator's handleStateChange). */
  private onLink(state: LinkState, newSession: boolean): void {
    this.linkListeners.emit(state);
    if (state === 'connected') {
      if (newSession || this.client.sessionId !== this.establishedSession) this.establisher.trigger();
      else {
        this.latch.recheck(); // same session: our candidate node should still be there
        this.membership.resync();
      }
      this.writer.onLinkUp();
      this.follower?.poke();
    } else if (state === 'suspended' || state === 'lost') {
      this.latch.suspend(); // we cannot know that we still lead
    }
  }

  /** A new session: our ephemeral nodes are gone (or never were); make them again. */
  private async establish(): Promise<void> {
    const session = this.client.sessionId;
    if (session === null || session === this.establishedSession || this.lifecycle === 'closed') return;
    await this.membership.join();
    await this.latch.reset();
    this.establishedSession = session;
    await this.refreshBounds();
    this.established();
  }

  // ── the log ──

  append(event: LogEvent, done?: AppendCallback): void {
    this.writer.append(event, done);
  }

  follow(after: LogPosition, onEntry: (entry: LogEntry) => void): Unsubscribe {
    if (this.follower !== null) throw new Error('the log has one follower per broker');
    this.cursor = after;
    this.lastDelivered = after;
    const follower = new LogFollower(
      this.client,
      this.dedupe,
      {
        advanced: (position, bytes) => {
          this.cursor = position;
          if (bytes > 0 && position > this.tail) this.ledger.add(position, bytes);
        },
        deliver: (entry) => {
          this.lastDelivered = entry.position;
          if (this.follower === follower) onEntry(entry);
        },
      },
      {
        readAhead: this.options.followerReadAhead,
        idlePollMs: this.options.followerIdlePollMs,
        log: this.options.log,
      },
    );
    this.follower = follower;
    follower.start(after);
    return () => {
      follower.stop();
      if (this.follower === follower) this.follower = null;
    };
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  onDrain(listener: () => void): Unsubscribe {
    return this.writer.drained.add(listener);
  }

  stats(): LogStats {
    return {
      head: Math.max(this.knownHead, this.writer.head, this.cursor),
      applied: this.cursor,
      tail: this.tail,
      entries: this.ledger.entries,
      bytes: this.ledger.bytes,
      ...this.writer.stats(),
    };
  }

  // ── membership and leadership ──

  members(): Member[] {
    return this.membership.members();
  }

  onMembers(listener: (members: Member[]) => void): Unsubscribe {
    return this.membership.changed.add(listener);
  }

  leaderId(): string | null {
    return this.client.state === 'connected' ? this.latch.leaderId() : null;
  }

  isLeader(): boolean {
    return this.client.state === 'connected' && this.latch.isLeader();
  }

  onLeadership(listener: (isLeader: boolean, leaderId: string | null) => void): Unsubscribe {
    return this.latch.changed.add(listener);
  }

  // ── snapshots and trimming ──

  async saveSnapshot(position: LogPosition, state: unknown): Promise<void> {
    // Between the last delivered entry and the cursor lie only repeats and seal markers, which
    // change neither the state nor the dedupe table.
    if (position < this.lastDelivered || position > this.cursor) {
      throw new Error(`snapshot at ${position} but the follower delivered ${this.lastDelivered}`);
    }
    await this.snapshots.save({ position, state, dedupe: this.dedupe.entries() });
  }

  async loadSnapshot(): Promise<Snapshot | null> {
    const snapshot = await this.snapshots.loadNewest();
    if (snapshot === null) return null;
    this.dedupe.restore(snapshot.dedupe);
    return { position: snapshot.position, state: snapshot.state };
  }

  async trim(upTo: LogPosition): Promise<number> {
    const covered = await this.snapshots.newestPosition();
    const members = await this.client.retrying(() => this.membership.readFresh());
    // Never past what a snapshot covers or what any live broker has applied.
    const limit = Math.min(upTo, covered, ...members.map((m) => m.applied));
    if (limit <= this.tail) return 0;
    const removed = await trimLog(this.client, limit, this.options.trimBatch);
    this.setTail(limit);
    return removed;
  }

  /** For tests and the debug endpoint. */
  internals(): { client: ZkClient; watchdog: Watchdog; writer: LogWriter } {
    return { client: this.client, watchdog: this.watchdog, writer: this.writer };
  }

  private self(): Member {
    return {
      brokerId: this.brokerId,
      epoch: this.epoch,
      mqtt: this.options.endpoints.mqtt,
      http: this.options.endpoints.http,
      startedAt: this.startedAt,
      applied: this.cursor,
    };
  }

  private probeTarget(): Probed {
    const client = this.client;
    return {
      get state() {
        return client.state;
      },
      probe: () => client.exists('/'),
      lastDataAt: () => client.lastDataAt(),
      dropConnection: () => client.dropConnection(),
    };
  }

  /** Tail (trim point) and head of the log, as ZooKeeper has them now. */
  private async refreshBounds(): Promise<void> {
    if (this.client.state !== 'connected') return;
    try {
      this.setTail(await readTail(this.client));
      this.knownHead = Math.max(this.knownHead, await readHead(this.client));
    } catch {
      // the next refresh will do
    }
  }

  private setTail(tail: LogPosition): void {
    if (tail <= this.tail) return;
    this.tail = tail;
    this.ledger.dropUpTo(tail);
  }
}
