/**
 * The coordination interface: what a broker needs from ZooKeeper, small enough that an in-memory
 * implementation can stand in for unit tests and single-node mode. Both implementations pass the
 * same contract suite (test/coordination/contract.ts).
 *
 * Guarantees of the log:
 * - Order: entries have one total order, the same for every follower; positions grow with it.
 * - Durability: `append` calls back without an error only when the entry holding the event is
 *   committed (ZooKeeper: by a quorum, fsynced). An error means "not known to be committed".
 * - Once: an entry is delivered to each follower at most once, even when a writer retried a create
 *   whose reply was lost (each batch carries (broker, epoch, sequence); readers drop repeats).
 * - Per writer: the events one writer appended land in the order they were appended.
 * - Loss: events whose append failed may or may not be in the log; the caller must not acknowledge
 *   them. Nothing committed is lost while a quorum of ZooKeeper servers keeps its disk.
 * - Consumers: every broker follows the whole log; nothing is consumed or removed by reading.
 *   Entries are removed only by `trim`, and only up to a position a snapshot covers.
 */
import type { LogEvent } from './log-events.js';

/** A position in the log. Totally ordered; 0 is "before the first entry". */
export type LogPosition = number;

export interface LogEntry {
  position: LogPosition;
  /** The writer's identity and its batch counter (already deduplicated). */
  brokerId: string;
  events: LogEvent[];
  /** Encoded size, for the quota. */
  bytes: number;
}

/**
 * The link to the coordination service, as the coordinator actor sees it:
 * - connecting: no session yet (or a new one after `lost`);
 * - connected: session up, reads and writes flow;
 * - suspended: connection lost, session may still live; writes wait, leadership is in doubt;
 * - lost: the session expired; ephemeral nodes (membership, leadership) are gone and are rebuilt
 *   with a new session, which moves the state back to connecting;
 * - closed: `close()` was called.
 */
export type LinkState = 'connecting' | 'connected' | 'suspended' | 'lost' | 'closed';

/** A live broker as announced in membership. */
export interface Member {
  brokerId: string;
  /** Process incarnation: changes on every start, so a restart is visible. */
  epoch: string;
  /** host:port of the MQTT listener and of the HTTP endpoint. */
  mqtt: string;
  http: string;
  startedAt: number;
  /** The last log position this broker applied, as it last reported (refreshed every few seconds). */
  applied: LogPosition;
}

export type AppendCallback = (err: Error | null, position: LogPosition) => void;

export interface Snapshot {
  position: LogPosition;
  /** The broker's derived state, plain data. */
  state: unknown;
}

export interface LogStats {
  /** Position of the newest entry this broker knows is committed. */
  head: LogPosition;
  /**
   * The follower's position: the last entry it read, whether delivered or skipped (a repeat, or a
   * segment's seal marker). Caught up means `applied >= head` as of some earlier moment.
   */
  applied: LogPosition;
  /** Oldest position still in the log (after trims). */
  tail: LogPosition;
  /** Entries and encoded bytes between tail and head. */
  entries: number;
  bytes: number;
  /** Events handed to `append` and not yet committed or failed. */
  pendingEvents: number;
  pendingBytes: number;
  /** Batches being written right now. */
  inFlightBatches: number;
}

export type Unsubscribe = () => void;

export interface Coordination {
  readonly brokerId: string;
  /** This process's incarnation (from the options): in membership, batch ids and session owners. */
  readonly epoch: string;
  /** Connects, joins membership and the leader election. Resolves once the link is connected. */
  start(): Promise<void>;
  /** Leaves membership and election, closes the session. Idempotent. */
  close(): Promise<void>;

  readonly linkState: LinkState;
  onLinkState(listener: (state: LinkState) => void): Unsubscribe;

  // ── the log ──
  /**
   * Appends one event. Events are grouped into batches (group commit); `done` runs when the batch
   * holding this event is committed, or failed. Callbacks run in append order.
   */
  append(event: LogEvent, done?: AppendCallback): void;
  /** Delivers every entry after `after`, in order, then each new one as it commits. One follower. */
  follow(after: LogPosition, onEntry: (entry: LogEntry) => void): Unsubscribe;
  /** Resolves once everything appended so far is committed or failed (used on shutdown). */
  flush(): Promise<void>;
  /** Runs once pending appends fall below the low-water mark (back-pressure). */
  onDrain(listener: () => void): Unsubscribe;
  stats(): LogStats;

  // ── membership and leadership ──
  members(): Member[];
  onMembers(listener: (members: Member[]) => void): Unsubscribe;
  /** The current leader's broker id, or null while none is known. */
  leaderId(): string | null;
  isLeader(): boolean;
  onLeadership(listener: (isLeader: boolean, leaderId: string | null) => void): Unsubscribe;

  // ── snapshots and trimming (leader duties, safe to run twice) ──
  /**
   * Stores the derived state as of `position`, which must be the last position delivered to the
   * follower (the reader's dedupe table at that point is stored with it).
   */
  saveSnapshot(position: LogPosition, state: unknown): Promise<void>;
  /** The newest snapshot, or null. Restores the reader's dedupe table to match it. */
  loadSnapshot(): Promise<Snapshot | null>;
  /** Removes log entries at or before `upTo` (which a snapshot must cover). Returns how many. */
  trim(upTo: LogPosition): Promise<number>;
}

/** Options every implementation takes. */
export interface CoordinationOptions {
  brokerId: string;
  /** Process incarnation: a new value on every start (the broker's, so that session owners match). */
  epoch: string;
  /** What this broker announces in membership. */
  endpoints: { mqtt: string; http: string };
  /** Group commit: the largest encoded batch, in bytes (well under ZooKeeper's 1 MiB znode limit). */
  maxBatchBytes: number;
  /** Group commit: batches written at once. */
  maxInFlightBatches: number;
  /**
   * Group commit: while a batch is in flight, the next one goes out only once it holds this many
   * bytes; until then it waits and collects what arrives. Every batch is a quorum write, so small
   * batches in flight together only multiply ZooKeeper's work without raising throughput.
   */
  pipelineBytes: number;
  /** Back-pressure: pending events above this pause intake; below half of it `onDrain` fires. */
  maxPendingEvents: number;
}

export const defaultCoordinationOptions = {
  maxBatchBytes: 256 * 1024,
  maxInFlightBatches: 8,
  pipelineBytes: 32 * 1024,
  maxPendingEvents: 50_000,
} satisfies Partial<CoordinationOptions>;

/** An append that could not be committed (link down, quota, closed). */
export class AppendError extends Error {
  override readonly name = 'AppendError';
  constructor(
    readonly reason: 'closed' | 'link-lost' | 'quota-exceeded' | 'too-large',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
