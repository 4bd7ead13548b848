/**
 * The log follower: delivers every entry after a position, in order, then each new one as it
 * commits, without listing a growing parent on the hot path.
 *
 * It reads the predicted next name (segment s, sequence n): sequential suffixes count creates
 * under their parent, and only log entries are created there, so entry n+1 follows entry n.
 * - Catching up: getData on n..n+k at once (k grows while entries are there), delivered in order.
 * - Caught up: exists(n) with a watch; the watch, a reconnect or an idle poll wakes it (watches
 *   fire once and are lost with a session: never rely on having seen every change).
 * - Segment end: the seal marker (the sealed segment's last entry) names the next segment.
 * - Gaps: if n is still missing after an idle poll and the segment's stat says more creates
 *   happened (cversion and numChildren give the count), n was trimmed or never landed: then, and
 *   only then, one listing of the segment finds the next entry that exists. (Checked on the poll,
 *   not per entry: a caught-up entry costs two requests, exists with a watch and getData.)
 * Repeats of a batch (same writer epoch and batch sequence) are dropped (log/dedupe.ts).
 */
import { performance } from 'node:perf_hooks';
import type { LogEntry, LogPosition } from '../coordination.js';
import type { DedupeTable } from '../log/dedupe.js';
import { decodeRecord } from './batch-format.js';
import type { ZkClient } from './client.js';
import type { Logger } from './options.js';
import { createsUnder, parseEntryName, paths, segmentOf, seqOf, toPosition } from './paths.js';
import { listSegments } from './segments.js';

export interface FollowerHooks {
  deliver(entry: LogEntry): void;
  /** Every entry read, delivered or not (dedupe, seal markers): the cursor moved. */
  advanced(position: LogPosition, bytes: number): void;
}

export class LogFollower {
  private segment = 0;
  private next = 0;
  private stopped = false;
  private wake: (() => void) | null = null;
  private woken = false;
  private readAhead = 1;
  private readonly onWatch = (): void => this.poke();

  constructor(
    private readonly client: ZkClient,
    private readonly dedupe: DedupeTable,
    private readonly hooks: FollowerHooks,
    private readonly options: { readAhead: number; idlePollMs: number; log: Logger },
  ) {}

  /** A method, not the field: it changes while the loop awaits. */
  private isStopped(): boolean {
    return this.stopped;
  }

  /** Starts after `after` (0: from the oldest entry that exists). */
  start(after: LogPosition): void {
    if (after > 0) {
      this.segment = segmentOf(after);
      this.next = seqOf(after) + 1;
    }
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.poke();
  }

  /** Something may have changed (watch fired, link back): read again. */
  poke(): void {
    this.woken = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.client.whenConnected();
        if (this.segment === 0 && !(await this.findStart())) {
          await this.idle();
          continue;
        }
        // Caught up, an entry costs two requests: exists with a watch, then getData when it fires.
        if (!(await this.readAvailable())) continue;
        if (await this.watchNext()) {
          this.readAhead = Math.min(2, this.options.readAhead); // behind after all: read ahead again
          continue;
        }
        // No poke within the idle poll: a lost watch, or a gap the predicted name will never fill.
        if (!(await this.idle()) && (await this.checkGap())) continue;
      } catch (err) {
        if (this.isStopped() || this.client.state === 'closed') return;
        this.options.log.warn({ err, segment: this.segment, next: this.next }, 'log follower read failed');
        await this.idle();
      }
    }
  }

  /** Following from the beginning: the oldest segment, its oldest entry. */
  private async findStart(): Promise<boolean> {
    const segments = await listSegments(this.client).catch(() => []);
    const first = segments[0];
    if (first === undefined) return false;
    this.segment = first;
    this.next = 0;
    await this.skipToExisting();
    return true;
  }

  /**
   * Reads the next `readAhead` entries, in order. Returns true when the follower is probably caught
   * up (it met a missing entry, or it was reading one at a time): then exists() with a watch says
   * whether to wait, which costs less than a getData that misses (the client builds an exception).
   * Returns false while catching up, with a read-ahead that doubles.
   */
  private async readAvailable(): Promise<boolean> {
    const window = this.readAhead;
    const from = this.next;
    const names = Array.from({ length: this.readAhead }, (_, i) => paths.entry(this.segment, from + i));
    const nodes = await Promise.all(names.map((path) => this.client.getData(path)));
    let read = 0;
    let missed = false;
    let slice = performance.now();
    for (const node of nodes) {
      if (this.isStopped()) break;
      if (node === null) {
        missed = true; // later ones were read before this one existed
        break;
      }
      read++;
      this.consume(node.data);
      if (this.next === 0) break; // moved to the next segment
      // A window can hold tens of thousands of events: let the broker's sockets in between.
      if (performance.now() - slice > 5) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
    if (missed || read < window) {
      this.readAhead = 1;
      return true;
    }
    if (window === 1) return true;
    this.readAhead = Math.min(window * 2, this.options.readAhead);
    return false;
  }

  private consume(data: Buffer): void {
    const position = toPosition(this.segment, this.next);
    const record = decodeRecord(data);
    if (record.kind === 'seal') {
      this.hooks.advanced(position, 0);
      this.segment = record.next;
      this.next = 0;
      return;
    }
    this.next++;
    this.hooks.advanced(position, data.length);
    if (!this.dedupe.accept(record.header.epoch, record.header.seq)) return;
    try {
      this.hooks.deliver({
        position,
        brokerId: record.header.brokerId,
        events: record.events,
        bytes: data.length,
      });
    } catch (err) {
      // The broker's apply failed: a bug there. Following on keeps every replica in the same place.
      this.options.log.error({ err, position }, 'applying a log entry threw');
    }
  }

  /** Entry `next` is missing: leaves a watch for it. Returns true when it exists by now. */
  private async watchNext(): Promise<boolean> {
    this.woken = false;
    return (await this.client.exists(paths.entry(this.segment, this.next), this.onWatch)) !== null;
  }

  /**
   * Entry `next` stayed missing for an idle poll: check that it can still come. Returns true when
   * there is something to read right away (it came, or the follower moved past a gap).
   */
  private async checkGap(): Promise<boolean> {
    const stat = await this.client.exists(paths.segment(this.segment));
    if (stat === null) {
      // The whole segment was trimmed under us: move to the oldest one that is left.
      this.options.log.error({ segment: this.segment }, 'log segment trimmed before it was read');
      this.segment = 0;
      return true;
    }
    if (createsUnder(stat) <= this.next) return false; // not written yet: the watch will tell
    // It was created by the time of that stat: if it is still missing now, it is gone for good.
    if ((await this.client.exists(paths.entry(this.segment, this.next))) !== null) return true;
    return this.skipToExisting();
  }

  /** The one listing: moves `next` to the oldest entry at or after it, if any. */
  private async skipToExisting(): Promise<boolean> {
    const { children } = await this.client.getChildren(paths.segment(this.segment));
    const seqs = children.map(parseEntryName).filter((s): s is number => s !== null && s >= this.next);
    if (seqs.length === 0) return false;
    const next = seqs.reduce((a, b) => Math.min(a, b));
    if (next > this.next) {
      // Trimmed before this broker read it, or never landed: what a follower must not miss.
      this.options.log.error(
        { segment: this.segment, from: this.next, to: next },
        'log entries missing: skipped',
      );
    }
    this.next = next;
    return true;
  }

  /**
   * Waits for a poke (watch, link change) or the idle poll, whichever comes first. Returns true when
   * poked, false when the poll ran out.
   */
  private idle(): Promise<boolean> {
    if (this.woken || this.stopped) {
      this.woken = false;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), this.options.idlePollMs);
      function done(poked: boolean): void {
        clearTimeout(timer);
        resolve(poked);
      }
      this.wake = () => {
        this.wake = null;
        done(true);
      };
    }).then((poked) => {
      this.wake = null;
      this.woken = false;
      return poked;
    });
  }
}
