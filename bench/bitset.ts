/** A fixed-size set of small non-negative integers (message sequence numbers), one bit each. */
export class Bitset {
  private readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  has(i: number): boolean {
    return i >= 0 && i < this.size && (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** Sets bit `i`; returns false when it was already set or is out of range. */
  add(i: number): boolean {
    if (i < 0 || i >= this.size) return false;
    const w = i >>> 5;
    const mask = 1 << (i & 31);
    const word = this.words[w]!;
    if ((word & mask) !== 0) return false;
    this.words[w] = word | mask;
    return true;
  }
}
