/**
 * Reader-side dedupe of log batches. A writer whose create lost its reply resolves the doubt before
 * resending, but a create that lands late (a hung server) can still leave a second copy in the log:
 * readers deliver the first copy and drop later ones by the writer's identity.
 *
 * Each writer incarnation (epoch) numbers its batches 1, 2, 3... and its batches land in that order
 * (it resends in order and never lets a newer batch overtake an unresolved one), so "a batch is a
 * repeat when its sequence is not above the highest delivered for its epoch" is exact.
 */
/** As stored in snapshots: [epoch, highest batch sequence delivered]. */
export type DedupeEntries = [string, number][];

export class DedupeTable {
  /** epoch -> highest sequence delivered; Map order = least recently written first. */
  private readonly highest = new Map<string, number>();

  /** Keeps this many writer incarnations; older ones (long gone brokers) are forgotten first. */
  constructor(private readonly maxWriters = 10_000) {}

  /** True when the batch is new (and records it); false for a repeat. */
  accept(epoch: string, seq: number): boolean {
    const seen = this.highest.get(epoch);
    if (seen !== undefined && seq <= seen) return false;
    this.highest.delete(epoch); // re-insert: most recently written last
    this.highest.set(epoch, seq);
    if (this.highest.size > this.maxWriters) {
      const oldest = this.highest.keys().next().value;
      if (oldest !== undefined) this.highest.delete(oldest);
    }
    return true;
  }

  entries(): DedupeEntries {
    return [...this.highest];
  }

  restore(entries: DedupeEntries): void {
    this.highest.clear();
    for (const [epoch, seq] of entries) this.highest.set(epoch, seq);
  }

  get size(): number {
    return this.highest.size;
  }
}
