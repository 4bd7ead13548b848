/**
 * What this broker knows the log holds between its tail and head: (position, bytes) of every entry
 * its follower read, dropped as the tail moves. Backs `stats().entries` and `stats().bytes`.
 * Bounded by trimming, as the log itself is; entries before the position this broker started
 * following from (a snapshot) are not counted.
 */
import type { LogPosition } from '../coordination.js';

export class Ledger {
  private positions: number[] = [];
  private sizes: number[] = [];
  private head = 0;
  private total = 0;

  add(position: LogPosition, bytes: number): void {
    this.positions.push(position);
    this.sizes.push(bytes);
    this.total += bytes;
  }

  /** Forgets entries at or before `tail`. */
  dropUpTo(tail: LogPosition): void {
    while (this.head < this.positions.length && this.positions[this.head]! <= tail) {
      this.total -= this.sizes[this.head]!;
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.positions.length) {
      this.positions = this.positions.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  get entries(): number {
    return this.positions.length - this.head;
  }

  get bytes(): number {
    return this.total;
  }
}
