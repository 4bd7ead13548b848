/**
 * The benchmark's one clock: microseconds from process.hrtime (monotonic, nanosecond source), as a
 * float. Both ends of every latency measurement live in this process, so no clock sync is involved.
 * Callers read it once per batch or per socket chunk, not once per message.
 */
export function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

/** A promise that resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
