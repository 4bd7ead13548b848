/**
 * The writer's queue of appended events, shared by both Coordination implementations: events wait
 * here until a batch takes them, and stay counted as pending until their batch is committed or
 * failed. It also owns back-pressure: once pending events reach the high-water mark the caller is
 * expected to stop reading sockets; `drained` fires whenever a settle leaves them below half of
 * it. Not only after the mark was reached: a caller that pauses at its own, lower threshold must
 * hear it too, or its sockets would stay paused (a listener with nothing paused costs nothing).
 * Items are settled in the order they were pushed, so "everything pushed so far is settled" is a
 * count (`flush`).
 */
import type { AppendCallback } from '../coordination.js';
import { Listeners } from '../listeners.js';

export interface PendingItem<T> {
  value: T;
  bytes: number;
  done: AppendCallback | undefined;
}

export class PendingQueue<T> {
  private queued: PendingItem<T>[] = [];
  private count = 0;
  private byteCount = 0;
  private pushedTotal = 0;
  private settledTotal = 0;
  private flushes: { upTo: number; resolve: () => void }[] = [];
  readonly drained = new Listeners<[]>();

  constructor(private readonly highWater: number) {}

  push(item: PendingItem<T>): void {
    this.queued.push(item);
    this.pushedTotal++;
    this.count++;
    this.byteCount += item.bytes;
  }

  /** Events not yet committed or failed (queued or in a batch in flight). */
  get pending(): number {
    return this.count;
  }

  get pendingBytes(): number {
    return this.byteCount;
  }

  /** Events not yet taken into a batch. */
  get queuedCount(): number {
    return this.queued.length;
  }

  /**
   * Takes the oldest events whose sizes add up to at most `maxBytes` (at least one event: an event
   * larger than the cap is refused at append). They stay pending until `settle`.
   */
  take(maxBytes: number): PendingItem<T>[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queued.length) {
      const next = this.queued[n]!.bytes;
      if (n > 0 && bytes + next > maxBytes) break;
      bytes += next;
      n++;
    }
    return this.queued.splice(0, n);
  }

  /** Their batch was committed or failed: they are no longer pending. */
  settle(items: readonly PendingItem<T>[]): void {
    for (const item of items) {
      this.count--;
      this.byteCount -= item.bytes;
    }
    this.settledTotal += items.length;
    if (this.flushes.length > 0 && this.flushes[0]!.upTo <= this.settledTotal) {
      const done = this.flushes.filter((f) => f.upTo <= this.settledTotal);
      this.flushes = this.flushes.filter((f) => f.upTo > this.settledTotal);
      for (const f of done) f.resolve();
    }
    if (items.length > 0 && this.count < this.highWater / 2) this.drained.emit();
  }

  /** Resolves once everything pushed so far is settled (committed or failed). */
  flush(): Promise<void> {
    if (this.settledTotal >= this.pushedTotal) return Promise.resolve();
    return new Promise((resolve) => this.flushes.push({ upTo: this.pushedTotal, resolve }));
  }

  /** Fails every queued (not yet batched) event. */
  failQueued(err: Error): void {
    const failed = this.queued;
    this.queued = [];
    this.settle(failed);
    for (const item of failed) item.done?.(err, 0);
  }
}
